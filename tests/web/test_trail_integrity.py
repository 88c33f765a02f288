"""The trail protects the stored data (#22): each tampering of issue 22, made on the database
behind the application's back (``UPDATE`` through the ORM's ``update()``, no signal, no event),
makes the check name what differs; the untouched data is intact; the chain is keyed (recomputing
every hash with the public algorithm does not pass; a lost key cannot verify); epochs; a
database from before keys is re-anchored. Runs on SQLite, and on PostgreSQL under
.ci/postgres-tests."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from jixiao.domain import trail as chain
from jixiao.domain.approved_targets import ApprovedTarget
from jixiao.domain.workflow import Action
from jixiao.web import trail_key
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import ApprovedTargets, Evaluation, Event, Evidence, Project
from jixiao.web.orgs.models import Membership
from tests.web.evidence_samples import PDF

pytestmark = pytest.mark.django_db

KEY = os.environ["JIXIAO_TRAIL_KEY"]


@pytest.fixture
def approved(tree, draft, forms):
    """The first sample form with evidence and 复核 scores, approved; targets for another
    year set before any form of that year exists."""
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    indicator = draft.data["indicators"][0]["name"]
    actions.evidence.add(
        user=filler, pk=draft.pk, indicator=indicator, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    actions.forms.save(
        user=filler, pk=draft.pk, version=1, form=replace(forms[0], improvements="加强预算管理")
    )
    actions.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT)
    actions.review.set_scores(
        user=reviewer, pk=draft.pk, version=3, scores={"indicators[0].score": "1"}
    )
    actions.workflow.step(user=reviewer, pk=draft.pk, action=Action.APPROVE)
    actions.targets.approve(
        user=reviewer,
        code=draft.project.code,
        year=draft.year + 1,
        rows=[ApprovedTarget("保洁河道长度", "≥120(公里)", Decimal("20.00"))],
    )
    return Evaluation.objects.get(pk=draft.pk)


def test_the_untouched_data_is_intact(approved):
    report = actions.trail.check()
    assert report.intact, (report.breaks, report.differences, report.key_error)
    assert report.epoch == 1 and report.objects >= 10 and report.has(report.head)
    subjects = set(Event.objects.values_list("subject", flat=True))
    target = ApprovedTargets.objects.get(year=approved.year + 1)
    assert {f"evaluation#{approved.pk}", f"targets#{target.pk}"} <= subjects


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        ("data_total_grade", ["data", "grade", "total"]),
        ("approved_state", ["state"]),
        ("review_scores", ["review_scores"]),
        ("acknowledgements", ["acknowledgements"]),
        ("evidence_sha", ["evidence"]),
        ("form_targets", ["targets"]),
    ],
)
def test_a_changed_form_is_named_with_its_fields(approved, tamper, named):
    rows = Evaluation.objects.filter(pk=approved.pk)
    if tamper == "data_total_grade":
        data = {**approved.data, "grade": "差"}
        rows.update(data=data, total=Decimal("12.00"), grade="差")
    elif tamper == "approved_state":
        rows.update(state="draft")
    elif tamper == "review_scores":
        rows.update(review_scores={})
    elif tamper == "acknowledgements":
        rows.update(acknowledgements={"X@y": "改过"})
    elif tamper == "evidence_sha":
        Evidence.objects.filter(evaluation=approved).update(
            content=b"%PDF-1.4 other", sha256=hashlib.sha256(b"%PDF-1.4 other").hexdigest()
        )
    elif tamper == "form_targets":
        rows.update(targets=[{"name": "保洁河道长度", "target": "≥1(公里)"}])
    report = actions.trail.check()
    assert not report.breaks  # the events are untouched: the data is what differs
    [line] = report.differences
    assert f"自评表 #{approved.pk}" in line and f"{'、'.join(named)} 与审计链记录的不符" in line


def test_a_form_never_approved_set_approved_is_named(tree, draft):
    Evaluation.objects.filter(pk=draft.pk).update(state="approved")
    [line] = actions.trail.check().differences
    assert f"自评表 #{draft.pk}" in line and "state" in line


def test_evidence_content_replaced_is_named(approved):
    Evidence.objects.filter(evaluation=approved).update(content=b"%PDF-1.4 replaced")
    [line] = actions.trail.check().differences
    assert "佐证材料" in line and "a.pdf" in line and "sha256" in line


def test_targets_set_before_any_form_are_on_the_chain(approved):
    later = ApprovedTargets.objects.get(year=approved.year + 1)
    ApprovedTargets.objects.filter(pk=later.pk).update(indicators=[])
    [line] = actions.trail.check().differences
    assert f"绩效目标 #{later.pk}" in line and "indicators" in line


def test_a_role_change_a_project_moved_and_a_row_deleted_are_named(tree, approved):
    clerk = tree.users["filler_a2"]
    Membership.objects.filter(user=clerk).update(role="reviewer")
    Project.objects.filter(pk=approved.project_id).update(unit=tree.unit_a2)
    later = ApprovedTargets.objects.get(year=approved.year + 1)
    with connection.cursor() as cursor:  # behind the application's back: no signal
        cursor.execute(f"DELETE FROM {ApprovedTargets._meta.db_table} WHERE id = %s", [later.pk])
    lines = "\n".join(actions.trail.check().differences)
    assert f"账号 #{clerk.pk}（filler_a2）：membership" in lines
    assert f"项目 #{approved.project_id}" in lines and "unit" in lines
    assert f"targets#{later.pk}：审计链上有记录，数据库中已不存在" in lines


def test_changes_through_the_models_are_on_the_chain(tree, approved):
    """What Django admin does (a model save: the signals) is an event, and stays intact."""
    clerk = Membership.objects.get(user=tree.users["filler_a2"])
    clerk.role = "reviewer"
    clerk.organisation = tree.dept_a
    clerk.save()
    event = Event.objects.filter(subject=f"account#{clerk.user_id}").latest("id")
    assert event.action == "account_change"
    assert {"path": "membership.role", "old": "filler", "new": "reviewer"} in event.diff
    assert actions.trail.check().intact


def test_an_object_written_outside_the_application_is_not_on_the_chain(tree, approved):
    Project.objects.bulk_create([Project(code="SQL-1", name="直接写入", unit=tree.unit_a1)])
    [line] = actions.trail.check().differences
    assert "SQL-1" in line and "不在审计链上" in line


def test_recomputing_every_hash_with_the_public_algorithm_does_not_pass(approved):
    """The attacker rewrites the state hashes of the tampered form and recomputes the chain:
    without the key their hashes are not the HMAC's."""
    Evaluation.objects.filter(pk=approved.pk).update(grade="优")
    from jixiao.web.evaluations import states

    prev = chain.GENESIS
    for event in Event.objects.order_by("id"):
        if event.subject == f"evaluation#{approved.pk}":
            event.state = chain.state_hashes(states.of(event.subject))
        event.prev_hash = "p" * 64  # free prev_hash (unique) while rewriting
        event.save()
        event.prev_hash = prev
        event.hash = prev = chain.event_hash(prev, event.content())
        event.save()
    report = actions.trail.check()
    assert not report.intact and report.breaks and not report.differences
    # …nor as a chain from before keys: dropping to epoch 0 everywhere is refused too
    prev = chain.GENESIS
    Event.objects.filter(action="epoch").delete()
    for event in Event.objects.order_by("id"):
        event.epoch, event.prev_hash = 0, "q" * 64
        event.save()
        event.prev_hash = prev
        event.hash = prev = chain.event_hash(prev, event.content())
        event.save()
    report = actions.trail.check()
    assert not report.breaks and "没有以密钥开始的纪元" in report.key_error and not report.intact
    assert all("不在审计链上" in line for line in report.differences)


def test_a_lost_key_cannot_verify(approved, monkeypatch, tmp_path, settings):
    monkeypatch.delenv("JIXIAO_TRAIL_KEY")
    settings.JIXIAO_TRAIL_KEY_FILE = tmp_path / "missing"
    report = actions.trail.check()
    assert not report.intact and "没有留痕密钥" in report.key_error
    monkeypatch.setenv("JIXIAO_TRAIL_KEY", "another-key-0123456789abcdefghijklmnopq")
    report = actions.trail.check()
    assert not report.intact and report.unverifiable and not report.breaks
    with pytest.raises(trail_key.TrailKeyError, match="不是审计链第 1 纪元的密钥"):
        Project.objects.create(code="NEW", name="换了密钥的服务器", unit=approved.project.unit)


def test_a_key_file_others_may_read_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("JIXIAO_TRAIL_KEY")
    path = tmp_path / "trail_key"
    trail_key.make_key_file(path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(trail_key.keyring(path)[0]) == 1
    path.chmod(0o644)
    with pytest.raises(trail_key.TrailKeyError, match="权限为 0644，应为 0600"):
        trail_key.keyring(path)
    path.write_text("short\n")
    path.chmod(0o600)
    with pytest.raises(trail_key.TrailKeyError, match="至少 32 个字符"):
        trail_key.keyring(path)


def test_a_rotation_starts_an_epoch_signed_by_both_keys(tree, approved, monkeypatch):
    new = "rotated-key-0123456789abcdefghijklmnopq"
    monkeypatch.setenv("JIXIAO_TRAIL_KEY", f"{KEY},{new}")
    assert actions.trail.rotate() == 2
    epoch = Event.objects.filter(action="epoch").latest("id")
    paths = {c["path"]: c["new"] for c in epoch.diff}
    assert paths["key"] == chain.key_id(new.encode())
    assert paths["previous_key"] == chain.key_id(KEY.encode())
    Project.objects.create(code="AFTER", name="新纪元", unit=tree.unit_a1)
    assert Event.objects.latest("id").epoch == 2
    assert actions.trail.check().intact
    monkeypatch.setenv("JIXIAO_TRAIL_KEY", new)  # the old key lost: epoch 1 cannot be checked
    report = actions.trail.check()
    assert report.unverifiable and not report.intact


def test_a_database_from_before_keys_is_re_anchored(tree, approved):
    """The events of an old database (epoch 0, plain sha256) stay checked by their public
    hash; the anchor records each object's state as found, and the keyed chain from there."""
    from jixiao.web.evaluations import states

    Event.objects.all().delete()
    prev = chain.GENESIS
    old = Event(
        evaluation=approved, actor_name="old", action="create", state_to="draft", version=1, diff=[]
    )
    old.at = approved.updated_at
    old.prev_hash, old.hash = prev, chain.event_hash(prev, old.content())
    old.save()
    assert not actions.trail.check().intact  # no epoch: nothing proves the data
    actions.trail.anchor_after_migrate()
    report = actions.trail.check()
    assert report.intact and report.legacy == 1 and report.epoch == 1
    anchors = Event.objects.filter(action="anchor")
    assert anchors.count() == sum(1 for _ in states.every())
    Event.objects.filter(pk=old.pk).update(comment="改过")
    assert [b.id for b in actions.trail.check().breaks] == [old.pk]


def test_appends_are_chained_under_the_key(approved):
    ring, current = actions.trail.keyring()
    for event in Event.objects.filter(epoch=1):
        assert event.hash == chain.event_mac(ring[current], event.prev_hash, event.content())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="edits the SQLite backup file")
@pytest.mark.django_db(transaction=True)
def test_a_tampered_backup_is_detected_after_restore(tree, approved, tmp_path):
    from jixiao.web import backup

    file = tmp_path / "jixiao.backup"
    backup.backup(file)
    with sqlite3.connect(file) as db:
        db.execute(
            "UPDATE evaluations_evaluation SET grade = '差', total = 12 WHERE id = ?", [approved.pk]
        )
    backup.restore(file)
    [line] = actions.trail.check().differences
    assert f"自评表 #{approved.pk}" in line and "grade、total" in line


def _named(tamper) -> list[str]:
    """What the check names after ``tamper``, undone afterwards (a copy of the database each)."""

    class Undo(Exception):
        pass

    found: list[str] = []
    try:
        with transaction.atomic():
            tamper()
            found.extend(actions.trail.check().differences)
            raise Undo
    except Undo:
        pass
    return found


def test_each_tampering_of_the_issue_on_the_demo_database():
    """The demo database (as ``jixiao serve --demo`` makes it), each change of issue #22 made
    behind the application's back on a copy (a rolled-back transaction): named every time."""
    from jixiao.web import demo

    demo.load()
    ev = Evaluation.objects.order_by("id").first()
    other = Evaluation.objects.order_by("id").last()
    target = ApprovedTargets.objects.order_by("id").first()
    clerk = Membership.objects.filter(role="filler").first()
    assert actions.trail.check().intact
    rows = Evaluation.objects.filter
    cases = {
        "data、grade、total": lambda: rows(pk=ev.pk).update(
            data={**ev.data, "grade": "差"}, total=Decimal("1.00"), grade="差"
        ),
        "state": lambda: rows(pk=other.pk).update(state="approved"),
        "review_scores": lambda: rows(pk=ev.pk).update(review_scores={"funding.score": "0"}),
        "indicators": lambda: ApprovedTargets.objects.filter(pk=target.pk).update(indicators=[]),
        "membership": lambda: Membership.objects.filter(pk=clerk.pk).update(role="reviewer"),
    }
    for named, tamper in cases.items():
        found = _named(tamper)
        assert len(found) == 1 and f"{named} 与审计链记录的不符" in found[0], (named, found)
    assert actions.trail.check().intact  # the untouched database
