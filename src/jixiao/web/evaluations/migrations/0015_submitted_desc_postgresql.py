"""On PostgreSQL, an index for the lists sorted by 提交时间 descending (latest first, forms never
submitted last): ``DESC NULLS LAST`` is not ``evaluation_submitted`` read backwards there (its
backward order puts them first). SQLite's descending order already puts NULL last: nothing."""

from django.db import migrations

SUBMITTED_DESC = (
    "CREATE INDEX IF NOT EXISTS evaluation_submitted_desc ON evaluations_evaluation "
    "(submitted_at DESC NULLS LAST, code, year DESC, id)"
)


def submitted_desc(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SUBMITTED_DESC)


def no_submitted_desc(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS evaluation_submitted_desc")


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0014_submitted_at_form_counts")]

    operations = [migrations.RunPython(submitted_desc, no_submitted_desc)]
