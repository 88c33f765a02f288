from django.db import migrations, models


def fill_kinds(apps, schema_editor):
    """Forms stored before get their indicators counted by kind, read from the stored JSON
    (``indicators[n].target_parsed.kind``: quantitative / qualitative, or no target). Frozen:
    it reads the JSON alone, no code of today's."""
    Evaluation = apps.get_model("evaluations", "Evaluation")
    batch = []
    for ev in Evaluation.objects.only("id", "data").iterator(chunk_size=500):
        parsed = [(ind.get("target_parsed") or {}).get("kind") for ind in ev.data.get("indicators") or []]
        kinds = [None if kind is None else kind == "quantitative" for kind in parsed]
        ev.quantitative_indicators = kinds.count(True)
        ev.qualitative_indicators = kinds.count(False)
        ev.untargeted_indicators = kinds.count(None)
        batch.append(ev)
        if len(batch) == 500:
            Evaluation.objects.bulk_update(batch, FIELDS)
            batch = []
    Evaluation.objects.bulk_update(batch, FIELDS)


FIELDS = ["quantitative_indicators", "qualitative_indicators", "untargeted_indicators"]


class Migration(migrations.Migration):

    dependencies = [
        ("evaluations", "0003_rollup_figures"),
    ]

    operations = [
        migrations.AddField(
            model_name="evaluation",
            name="quantitative_indicators",
            field=models.PositiveIntegerField(default=0, verbose_name="定量指标数"),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="qualitative_indicators",
            field=models.PositiveIntegerField(default=0, verbose_name="定性指标数"),
        ),
        migrations.AddField(
            model_name="evaluation",
            name="untargeted_indicators",
            field=models.PositiveIntegerField(default=0, verbose_name="无指标值的指标数"),
        ),
        migrations.RunPython(fill_kinds, migrations.RunPython.noop),
    ]
