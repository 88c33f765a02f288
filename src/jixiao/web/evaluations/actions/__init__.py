"""Every write of the web system, one module per use case (the pages, the API, the demo
loaders and the admin commands all call these; nothing else writes a form or an event).

- :mod:`.errors` the refusals (404, 403, 409, 422) and their messages;
- :mod:`.checks` input checks (NUL, column lengths, ids, the version edited);
- :mod:`.access` who may see and do what (scoped reads the writes start from);
- :mod:`.projects` new projects; :mod:`.forms` create and save (the audit's findings,
  the approved targets copied, :mod:`.columns` filled); :mod:`.workflow` submit, return,
  approve; :mod:`.review` 复核 scores; :mod:`.targets` approved targets;
  :mod:`.evidence` evidence files; :mod:`.spot_checks` 抽查;
- :mod:`.columns` the indexed roll-up and attention copies every write fills (a write
  helper: the reads over them are :mod:`jixiao.web.evaluations.selectors`);
- :mod:`.counts` the forms counted per unit, year and state (kept by create and every step);
- :mod:`.trail` the hash-chained trail: append, append many, verify.

Every write takes keyword arguments only, runs in one transaction and appends its event
in that transaction.
"""

from . import (
    access,
    checks,
    columns,
    counts,
    errors,
    evidence,
    forms,
    projects,
    review,
    spot_checks,
    targets,
    trail,
    workflow,
)

__all__ = [
    "access",
    "checks",
    "columns",
    "counts",
    "errors",
    "evidence",
    "forms",
    "projects",
    "review",
    "spot_checks",
    "targets",
    "trail",
    "workflow",
]
