"""Standard crontab expressions, read the way cron reads them, as APScheduler 3 triggers.

APScheduler 3 numbers the weekdays from Monday (0 = Monday) while cron numbers them from
Sunday (0 and 7 = Sunday), and ``CronTrigger.from_crontab`` passes the numbers through, so
"0 9 * * 1-5" would run Tuesday to Saturday (agronholm/apscheduler#286, fixed only in 4.0).
:func:`cron_trigger` turns the day-of-week field into day names, which both read alike.

Cron also runs when *either* a restricted day of month or a restricted day of week matches,
where APScheduler needs both; an expression that restricts both is refused rather than read
differently from what its author meant.
"""

from __future__ import annotations

from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def cron_trigger(expression: str, tz: tzinfo) -> CronTrigger:
    """The trigger for a five-field crontab ``expression`` in ``tz``; ValueError says what is wrong."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"{len(fields)} fields instead of 5: minute hour day month weekday")
    minute, hour, day, month, weekday = fields
    if not day.startswith("*") and not weekday.startswith("*"):
        raise ValueError(
            "a day of month and a day of week both set: cron runs on either, this scheduler only on "
            "days matching both; keep one and write * for the other"
        )
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekdays(weekday), timezone=tz
    )


def weekdays(field: str) -> str:
    """Cron's day-of-week field (``1-5``, ``0,6``, ``*/2``, ``mon-fri``) as APScheduler day names."""
    days: set[int] = set()
    for item in field.lower().split(","):
        part, slash, step_text = item.partition("/")
        step = _step(step_text) if slash else 1
        if part == "*":
            first, last = 0, 6
        elif "-" in part:
            start, _, end = part.partition("-")
            first, last = _day(start), _day(end)
        else:
            # "3/2" means from Wednesday to the end of the week, every second day.
            first = _day(part)
            last = 7 if slash else first
        if first > last:
            raise ValueError(f"day of week: the range {part} runs backwards")
        days.update(day % 7 for day in range(first, last + 1, step))
    if len(days) == 7:
        return "*"
    return ",".join(_DAYS[day] for day in sorted(days))


def _day(text: str) -> int:
    if text in _DAYS:
        return _DAYS.index(text)
    if text.isdigit() and int(text) <= 7:
        return int(text)
    raise ValueError(f"day of week: expected 0 to 7 or sun to sat, got {text!r}")


def _step(text: str) -> int:
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise ValueError(f"day of week: expected a step of 1 or more, got {text!r}")
