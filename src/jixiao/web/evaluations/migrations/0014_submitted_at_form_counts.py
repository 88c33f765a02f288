"""Figures kept between writes (issue #20): each form's 提交时间 (``Evaluation.submitted_at``,
filled from the trail: the latest submit event) with the index ``evaluation_submitted`` the
lists sort by; the forms counted per unit, year and state (``FormCount``, counted here from
the forms there are); and on PostgreSQL an index for the lists sorted by 总分 descending
(``DESC NULLS LAST`` is not the ``total`` index read backwards there; SQLite's descending
order already puts empty totals last)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery

TOTAL_DESC = (
    "CREATE INDEX IF NOT EXISTS evaluation_total_desc ON evaluations_evaluation "
    "(total DESC NULLS LAST, code, year DESC, id)"
)


def fill(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    Event = apps.get_model("evaluations", "Event")
    FormCount = apps.get_model("evaluations", "FormCount")
    submits = Event.objects.filter(evaluation=OuterRef("pk"), action="submit").order_by("-id")
    Evaluation.objects.update(submitted_at=Subquery(submits.values("at")[:1]))
    grouped = (
        Evaluation.objects.order_by()
        .values_list("project__unit_id", "year", "state")
        .annotate(n=Count("id"))
    )
    FormCount.objects.bulk_create(
        [
            FormCount(unit_id=unit, year=year, state=state, forms=n)
            for unit, year, state, n in grouped
        ],
        batch_size=2000,
    )


def total_desc(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TOTAL_DESC)


def no_total_desc(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS evaluation_total_desc")


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0013_list_code_index"),
        ("orgs", "0005_organisation_active"),
    ]

    operations = [
        migrations.CreateModel(
            name="FormCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                ("state", models.CharField(max_length=16, verbose_name="状态")),
                ("forms", models.IntegerField(default=0, verbose_name="份数")),
                (
                    "unit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="orgs.organisation",
                    ),
                ),
            ],
            options={"verbose_name": "自评表份数", "verbose_name_plural": "自评表份数"},
        ),
        migrations.AddConstraint(
            model_name="formcount",
            constraint=models.UniqueConstraint(
                fields=("unit", "year", "state"), name="one_count_per_unit_year_state"
            ),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="submitted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="提交时间"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["submitted_at", "code", "-year", "id", "project", "state"],
                name="evaluation_submitted",
            ),
        ),
        migrations.RunPython(total_desc, no_total_desc),
        migrations.RunSQL("ANALYZE evaluations_evaluation", migrations.RunSQL.noop),
    ]
