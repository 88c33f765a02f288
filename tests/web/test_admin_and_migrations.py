"""Django admin for bureau admins, and migrations that match the models."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_migrations_are_committed_for_every_model_change():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero if missing


@pytest.mark.parametrize(
    "page",
    [
        "orgs/organisation/",
        "orgs/membership/",
        "evaluations/project/",
        "evaluations/evaluation/",
        "evaluations/event/",
        "evaluations/approvedtargets/",
    ],
)
def test_staff_see_admin_lists_and_others_are_sent_to_login(tree, draft, client, page):
    client.force_login(tree.users["filler_a1"])
    assert client.get(f"/admin/{page}").status_code == 302
    admin = tree.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/{page}").status_code == 200


def test_forms_and_events_cannot_be_changed_in_admin(tree, draft, client):
    admin = tree.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/evaluations/evaluation/{draft.pk}/delete/").status_code == 403
    event = draft.events.get()
    answer = client.post(f"/admin/evaluations/event/{event.pk}/change/", {"actor_name": "someone"})
    assert answer.status_code == 403
    event.refresh_from_db()
    assert event.actor_name == "filler_a1"


@pytest.mark.django_db(transaction=True)
def test_forms_stored_before_findings_get_them_on_migration():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from jixiao.contract.json import evaluation_dict
    from tests.web.conftest import sample_forms

    executor = MigrationExecutor(connection)
    executor.migrate([("evaluations", "0001_initial")])
    old = executor.loader.project_state([("evaluations", "0001_initial")]).apps
    bureau = old.get_model("orgs", "Organisation").objects.create(name="局", kind="bureau")
    dept = old.get_model("orgs", "Organisation").objects.create(
        name="部门", kind="department", parent=bureau
    )
    unit = old.get_model("orgs", "Organisation").objects.create(
        name="单位", kind="unit", parent=dept
    )
    project = old.get_model("evaluations", "Project").objects.create(
        code="OLD-1", name="旧项目", unit=unit
    )
    slips = sample_forms()[1]
    old.get_model("evaluations", "Evaluation").objects.create(
        project=project, year=2023, template=slips.template, data=evaluation_dict(slips)
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from jixiao.web.evaluations.models import Evaluation

    findings = Evaluation.objects.get(project__code="OLD-1").findings
    assert "total-differs@total" in {f["key"] for f in findings if f["severity"] == "error"}
    # …and their roll-up figures (evaluations/0003).
    stored = Evaluation.objects.get(project__code="OLD-1")
    assert (stored.budget_wan, stored.scale) == (slips.funding.total.annual_budget, "良")
    assert stored.errors == sum(f["severity"] == "error" for f in findings) > 0
    # …and their attention-list facts (evaluations/0004).
    assert stored.error_codes == ",".join(
        sorted({f["code"] for f in findings if f["severity"] == "error"})
    )
    assert stored.indicator_points == sum(
        i.points for i in slips.indicators if i.points is not None
    )
    # …and their indicators counted by kind of 年度指标值 (evaluations/0004).
    kinds = [i.target_parsed.quantitative if i.target_parsed else None for i in slips.indicators]
    assert (
        (
            stored.quantitative_indicators,
            stored.qualitative_indicators,
            stored.untargeted_indicators,
        )
        == (kinds.count(True), kinds.count(False), kinds.count(None))
        == (4, 1, 0)
    )


@pytest.mark.django_db(transaction=True)
def test_evidence_stored_in_the_pages_app_is_kept_when_it_moves_to_evaluations():
    """evaluations/0007 takes the Evidence model over from the pages app with its rows
    (the table renamed, ids and bytes kept), and back again when unapplied."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from jixiao.contract.json import evaluation_dict
    from tests.web.conftest import sample_forms

    before = [("evaluations", "0006_grade_as_printed"), ("pages", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    organisation = old.get_model("orgs", "Organisation")
    bureau = organisation.objects.create(name="局", kind="bureau")
    dept = organisation.objects.create(name="部门", kind="department", parent=bureau)
    unit = organisation.objects.create(name="单位", kind="unit", parent=dept)
    project = old.get_model("evaluations", "Project").objects.create(
        code="OLD-2", name="旧项目", unit=unit
    )
    form = sample_forms()[0]
    ev = old.get_model("evaluations", "Evaluation").objects.create(
        project=project, year=2023, template=form.template, data=evaluation_dict(form)
    )
    kept = old.get_model("pages", "Evidence").objects.create(
        evaluation=ev,
        indicator="巡查频次",
        name="巡查记录.pdf",
        content_type="application/pdf",
        size=8,
        sha256="0" * 64,
        content=b"%PDF-1.4",
        uploaded_by="filler",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    from jixiao.web.evaluations.models import Evidence

    assert Evidence._meta.db_table == "evaluations_evidence"
    moved = Evidence.objects.get()
    assert (moved.pk, moved.evaluation_id, moved.name, bytes(moved.content)) == (
        kept.pk,
        ev.pk,
        "巡查记录.pdf",
        b"%PDF-1.4",
    )

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    back = executor.loader.project_state(before).apps.get_model("pages", "Evidence")
    assert back.objects.get().name == "巡查记录.pdf"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
