"""Backup → change → restore gives back exactly the data that was backed up
(SQLite here; PostgreSQL under .ci/postgres-tests)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from jixiao.web import backup
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Event, Project
from jixiao.web.orgs.models import Membership, Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def _snapshot() -> dict:
    models = (Organisation, Membership, Project, Evaluation, Event)
    return {m.__name__: list(m.objects.order_by("pk").values()) for m in models}


def test_backup_then_restore_gives_identical_data(tree, draft, forms, tmp_path):
    actions.forms.save(
        user=tree.users["filler_a1"], pk=draft.pk, version=1, form=replace(forms[0], grade="良")
    )
    before = _snapshot()
    file = tmp_path / "jixiao.backup"
    backup.backup(file)
    assert file.stat().st_size > 0

    actions.forms.save(
        user=tree.users["filler_a1"], pk=draft.pk, version=2, form=replace(forms[0], grade="中")
    )
    Project.objects.create(code="LATER", name="备份之后", unit=tree.unit_a2)
    assert _snapshot() != before

    backup.restore(file)
    assert _snapshot() == before
    assert actions.trail.verify()[1] == []


def test_restore_refuses_what_is_not_a_backup(db, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_text("not a database")
    with pytest.raises(backup.BackupError):
        backup.restore(junk)
    with pytest.raises(backup.BackupError, match="不存在"):
        backup.restore(tmp_path / "missing")
