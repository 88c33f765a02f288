"""Background tasks (后台任务): a queue in the database, workers started by ``jixiao worker``
(and one inside ``jixiao serve``), leases that expire so a dead worker's task is taken up
again, retries with a limit, time limits, schedules, results and progress kept.

Why our own and not a library: docs/architecture.md ("Background tasks").
"""
