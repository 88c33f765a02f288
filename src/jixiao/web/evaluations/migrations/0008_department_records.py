"""部门整体支出 records: a project gets a kind (项目支出, every existing row; 部门整体支出,
an organisation's own whole-spending record) and may belong to a 主管部门 as well as a 实施单位,
one department record per organisation. Schema only: every row is kept as it was."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluations", "0007_evidence"),
        ("orgs", "0002_api_token_expiry"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="kind",
            field=models.CharField(
                choices=[("project", "项目支出"), ("department", "部门整体支出")],
                default="project",
                max_length=16,
                verbose_name="类别",
            ),
        ),
        migrations.AlterField(
            model_name="project",
            name="unit",
            field=models.ForeignKey(
                limit_choices_to={"kind__in": ["unit", "department"]},
                on_delete=django.db.models.deletion.PROTECT,
                related_name="projects",
                to="orgs.organisation",
                verbose_name="实施单位（部门整体支出：被评价的单位或主管部门）",
            ),
        ),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "department")),
                fields=("unit",),
                name="one_department_record_per_organisation",
            ),
        ),
    ]
