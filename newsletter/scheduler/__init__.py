"""The daily schedule: APScheduler 3 jobs kept in the store, a lease so one process sends.

``timing`` says when the job fires, a lease in the store (:mod:`newsletter.store.leases`)
keeps two processes from running the same close, ``history`` records every scheduled run
(ran, missed, held, failed), ``approval`` is the review mode, and ``service`` is the
long-running ``newsletter schedule`` process.
"""
