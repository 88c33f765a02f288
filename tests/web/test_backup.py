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


def test_an_encrypted_backup_restores_identically_and_every_copy_is_0600(
    tree, draft, forms, tmp_path
):
    """On the database the tests run on: SQLite here, PostgreSQL (pg_dump) under
    .ci/postgres-tests."""
    before = _snapshot()
    plain, sealed = tmp_path / "plain.backup", tmp_path / "sealed.backup"
    plain.write_bytes(b"an older file, world-readable")
    plain.chmod(0o644)
    backup.backup(plain)
    backup.backup(sealed, "一个足够长的备份口令-2026")
    assert oct(plain.stat().st_mode & 0o777) == oct(sealed.stat().st_mode & 0o777) == "0o600"
    assert backup.is_encrypted(sealed) and not backup.is_encrypted(plain)
    assert plain.read_bytes()[:16] not in sealed.read_bytes()

    Project.objects.create(code="LATER", name="备份之后", unit=tree.unit_a2)
    with pytest.raises(backup.BackupError, match="需要口令"):
        backup.restore(sealed)
    with pytest.raises(backup.BackupError, match="口令不对"):
        backup.restore(sealed, "不是这个口令的口令-2026")
    assert _snapshot() != before  # nothing restored by the refusals
    backup.restore(sealed, "一个足够长的备份口令-2026")
    assert _snapshot() == before
