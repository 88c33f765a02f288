"""Evidence (佐证材料) moves here from the pages app, with its rows: the model is taken over
on its table as it is (``pages_evidence``, state only), then the table is renamed to this
app's (``evaluations_evidence``; an ALTER TABLE … RENAME, the rows and ids kept)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0006_grade_as_printed"),
        ("pages", "0002_evidence_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Evidence",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("indicator", models.CharField(max_length=200, verbose_name="三级指标")),
                        ("name", models.CharField(max_length=200, verbose_name="文件名")),
                        ("content_type", models.CharField(max_length=100, verbose_name="类型")),
                        ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                        ("sha256", models.CharField(max_length=64)),
                        ("content", models.BinaryField(verbose_name="内容")),
                        ("uploaded_by", models.CharField(max_length=150, verbose_name="上传人账号")),
                        ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="上传时间")),
                        ("evaluation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="evidence", to="evaluations.evaluation", verbose_name="自评表")),
                    ],
                    options={
                        "verbose_name": "佐证材料",
                        "verbose_name_plural": "佐证材料",
                        "ordering": ["indicator", "uploaded_at"],
                        "db_table": "pages_evidence",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="evidence", table=None),
    ]
