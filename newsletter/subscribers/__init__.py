"""Operators' tools for lists and subscribers: validation, CSV import and export, erasure.

:mod:`~newsletter.subscribers.address` checks what people type, :mod:`~.csvfile` reads
spreadsheets, :mod:`~.importer` and :mod:`~.export` move subscribers in and out, and
:mod:`~.lists` and :mod:`~.service` are the operations the ``lists`` and ``subscribers``
commands call.
"""
