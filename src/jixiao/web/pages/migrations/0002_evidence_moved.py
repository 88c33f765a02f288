"""The Evidence model moved to the evaluations app (evaluations/0007 takes it over with its
table and rows): here it only leaves the pages app's state; the database is untouched."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("pages", "0001_initial"),
        ("evaluations", "0006_grade_as_printed"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Evidence")],
            database_operations=[],
        ),
    ]
