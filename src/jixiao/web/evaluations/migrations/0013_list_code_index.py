"""The lists' own index (issue #20): each form's project code copied into the form
(``Evaluation.code``, filled for the forms there are) and the indexes ``evaluation_list`` over
the lists' default order and scope and ``evaluation_by_code`` over their sort by code, so a
list's first page is read off an index."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_codes(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    Project = apps.get_model("evaluations", "Project")
    code = Project.objects.filter(pk=OuterRef("project_id")).values("code")[:1]
    Evaluation.objects.update(code=Subquery(code))


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0012_checked_state_spot_check_draws"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="code",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="项目编码"),
        ),
        migrations.RunPython(copy_codes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["-year", "code", "id", "project", "state"], name="evaluation_list"
            ),
        ),
        migrations.AddIndex(
            model_name="evaluation",
            index=models.Index(
                fields=["code", "-year", "id", "project", "state"], name="evaluation_by_code"
            ),
        ),
        # the planners' statistics for the new index (SQLite keeps none until ANALYZE)
        migrations.RunSQL("ANALYZE evaluations_evaluation", migrations.RunSQL.noop),
    ]
