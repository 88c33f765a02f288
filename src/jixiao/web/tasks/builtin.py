"""The tasks jixiao ships: the nightly check of the audit trail, and small ones the
tests and ``jixiao doctor`` use to see a worker at work."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins

from jixiao.web.tasks.registry import Context, task


def load_all() -> None:
    """Import every module that registers tasks (the registry asks before a lookup)."""
    from jixiao.web.evaluations.actions import bulk_export, bulk_import  # noqa: F401


@task("trail.verify", max_attempts=1, timeout=3600)
def verify_trail(context: Context) -> dict[str, Any]:
    """核验审计链 (the nightly ``verify-trail``): the result says intact or what broke;
    a break is mailed to the administrators (Django's ADMINS) where mail is set up."""
    from jixiao.web.evaluations.actions.trail import verify

    outcome = verify()
    count, breaks = outcome[0], outcome[1]
    found = [{"id": b.id, "reason": b.reason} for b in breaks]
    if found and getattr(settings, "ADMINS", None):
        lines = "\n".join(f"事件 #{b['id']}：{b['reason']}" for b in found[:50])
        mail_admins(
            "jixiao：审计链核验发现断裂", f"共 {count} 条事件，{len(found)} 处断裂：\n{lines}"
        )
    return {"events": count, "breaks": found, "intact": not found}


@task("backup.nightly", max_attempts=2, timeout=3 * 3600)
def nightly_backup(context: Context) -> dict[str, Any]:
    """The nightly backup (optional: ``JIXIAO_BACKUP_DIR``): the whole database into
    ``jixiao-YYYYMMDD-HHMM.backup`` there (mode 0600), encrypted under
    ``JIXIAO_BACKUP_PASSPHRASE`` when it is set; copies beyond ``JIXIAO_BACKUP_KEEP``
    (14) are deleted, oldest first."""
    import os
    from datetime import datetime
    from pathlib import Path
    from zoneinfo import ZoneInfo

    from jixiao.web import backup

    folder = Path(getattr(settings, "JIXIAO_BACKUP_DIR", "") or "backups")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d-%H%M")
    made = folder / f"jixiao-{stamp}.backup"
    backup.backup(made, os.environ.get("JIXIAO_BACKUP_PASSPHRASE") or None)
    kept = sorted(folder.glob("jixiao-*.backup"))
    for old in kept[: -int(getattr(settings, "JIXIAO_BACKUP_KEEP", 14))]:
        old.unlink()
    return {"file": str(made), "bytes": made.stat().st_size}


@task("selftest.sleep", max_attempts=2, timeout=120)
def sleep(
    context: Context, seconds: float = 1, steps: int = 10, marker: str = ""
) -> dict[str, Any]:
    """Sleeps in ``steps`` with progress; ``marker``: a file appended one line a finished
    run (a test counts the runs)."""
    for step in range(steps):
        if context.cancelled():
            return {"cancelled_at": step}
        time.sleep(seconds / steps)
        context.progress(step + 1, steps, f"第 {step + 1} 步")
    if marker:
        with open(marker, "a", encoding="utf-8") as file:
            file.write("done\n")
    return {"slept": seconds}


@task("selftest.fail", max_attempts=3, timeout=60)
def always_fails(context: Context, message: str = "失败") -> None:
    raise RuntimeError(message)
