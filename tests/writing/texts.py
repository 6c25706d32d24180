"""Plausible machine text built only from a prompt's record, as a careful model would write it.

English follows the sample issue's voice; Korean is 합니다체 with names, benchmarks and numbers
kept as written, a Korean noun or a colon after every English name (KOREAN.md), and no
particle placeholder.
"""

from __future__ import annotations

import json
from typing import Any

from tests.writing.fake_llm import Reply, is_intro, locale_of, record_in


def good_reply(request: dict[str, Any], _index: int = 0) -> Reply:
    return Reply(content=json.dumps(good_fields(request), ensure_ascii=False))


def good_fields(request: dict[str, Any]) -> dict[str, str]:
    record, locale = record_in(request), locale_of(request)
    if is_intro(request):
        return {"intro": _intro(record, locale)}
    return _korean(record) if locale == "ko" else _english(record)


def _english(record: dict[str, Any]) -> dict[str, str]:
    name, facts = record["short_name"], record["facts"]
    number = facts.get("key_number")
    method = facts.get("core_method")
    area = record["area"][:1].lower() + record["area"][1:]
    venue = facts.get("venue")
    link = facts.get("code_url") or facts.get("project_url")
    return {
        "headline": f"{name} is the paper to open first on {area}"
        + (f"; its most telling number is {number}." if number else "."),
        "decision": f"Read {name} first if your work touches {area}. "
        "It states its contribution plainly and says what it measured.",
        "what_it_does": (f"The paper proposes {method}. " if method else "")
        + f"{name} is framed as a method you can reuse, not a one-off result.",
        "technical_read": "The technical core is the method itself: read how it is built before "
        "the results, because the numbers only make sense once the design is clear.",
        "evidence_and_limits": (f"The record lists {venue}. " if venue else "The record lists no venue. ")
        + (f"The authors link code or a project page at {link}. " if link else "No public code is listed. ")
        + ("Check whether the key number holds beyond the settings the abstract names." if number else ""),
    }


def _korean(record: dict[str, Any]) -> dict[str, str]:
    name, facts = record["short_name"], record["facts"]
    number = facts.get("key_number")
    method = facts.get("core_method")
    venue = facts.get("venue")
    link = facts.get("code_url") or facts.get("project_url")
    return {
        "headline": f"{name} 논문을 먼저 읽을 만합니다." + (f" 핵심 수치: {number}" if number else ""),
        "decision": f"이 분야를 연구한다면 {name} 논문부터 읽으세요. 기여와 측정 결과를 분명하게 밝힙니다.",
        # English from the paper comes last, after a Korean label and a colon (KOREAN.md).
        "what_it_does": "이 논문은 한 번의 결과보다 다시 쓸 수 있는 방법을 제시합니다. "
        + (f"제안 방법: {method}" if method else f"제안 방법: {name}"),
        "technical_read": "기술적 핵심은 방법의 설계에 있습니다. 결과 수치보다 설계를 먼저 읽으세요.",
        "evidence_and_limits": (f"학회 정보: {venue}. " if venue else "기록에 학회 정보는 없습니다. ")
        + (
            "핵심 수치가 초록에서 밝힌 설정 밖에서도 유지되는지 확인하세요."
            if number
            else "정량 결과는 평가 절을 확인하세요."
        )
        + (f" 코드 또는 프로젝트 페이지: {link}" if link else ""),
    }


def _intro(record: dict[str, Any], locale: str) -> str:
    names = [p["short_name"] for p in record["papers"]]
    if locale == "ko":
        return (
            "오늘 리서치 브리프에서 고른 논문: " + " · ".join(names) + "\n\n"
            "각 논문마다 먼저 읽을 이유, 방법의 핵심, 근거와 한계를 정리했습니다. "
            "수치는 모두 논문 기록에 있는 그대로 옮겼습니다."
        )
    return (
        "Today's brief features "
        + ", ".join(names[:-1])
        + f" and {names[-1]}{'' if names[-1].endswith('…') else '.'}\n\n"
        "Each section says who should read the paper, what it does and how strong its evidence is. "
        "Every number is quoted as the paper's record gives it."
    )
