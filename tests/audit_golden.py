"""The audit's findings pinned exactly, so that making the audit faster cannot
change what it finds (issue #4, speed bar).

A corpus of forms — the bundled samples, synthetic forms of both templates and
the same synthetic forms with seeded slips (figures, scores, units, grades and
narrative numbers changed, goals copied), plus the seed forms where present —
is audited, and every finding is written as (code, severity, field, sha256 of
the whole finding). Hashes rather than text, as explanations quote the seeds'
sentences. Regenerate after an intended change of findings:

    python -m tests.audit_golden     # rewrites tests/fixtures/audit_golden.json
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import astuple, replace
from decimal import Decimal
from pathlib import Path

from jixiao import samples, templates
from jixiao.domain.audit import Finding, audit
from jixiao.domain.model import Evaluation
from jixiao.domain.targets import parse_target
from jixiao.readers import read_path
from jixiao.testing import synth

GOLDEN = Path(__file__).resolve().parent / "fixtures" / "audit_golden.json"
SYNTH = {"national-2020": 300, "shanghai-2019": 60}
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def _pinned(finding: Finding) -> list[str]:
    whole = json.dumps(
        [str(v) if v is not None else None for v in astuple(finding)], ensure_ascii=False
    )
    return [
        finding.code,
        finding.severity.value,
        finding.field,
        hashlib.sha256(whole.encode()).hexdigest()[:16],
    ]


def pinned(forms: dict[str, Evaluation]) -> dict[str, list[list[str]]]:
    """Every form's findings in the order the audit gives them."""
    return {
        key: [_pinned(f) for f in audit(form, templates.load(form.template))]
        for key, form in forms.items()
    }


# --- slips --------------------------------------------------------------------------------


def _renumber(rng: random.Random, text: str | None) -> str | None:
    """One number of a narrative changed, as a slip of the pen would."""
    if not text:
        return text
    found = list(_NUMBER.finditer(text))
    if not found:
        return text
    m = rng.choice(found)
    value = Decimal(m.group())
    new = value + rng.choice([1, 10, -1, Decimal("0.5")]) if value > 1 else value + 3
    return text[: m.start()] + format(new, "f") + text[m.end() :]


def _indicator_slip(rng: random.Random, form: Evaluation) -> Evaluation:
    if not form.indicators:
        return form
    n = rng.randrange(len(form.indicators))
    ind = form.indicators[n]
    kind = rng.randrange(6)
    if kind == 0:
        ind = replace(ind, actual=_renumber(rng, ind.actual))
    elif kind == 1:
        ind = replace(
            ind,
            score=None if ind.score is None or rng.random() < 0.2 else ind.score - Decimal("1.5"),
        )
    elif kind == 2:
        ind = replace(ind, target=_renumber(rng, ind.target))
    elif kind == 3:
        ind = replace(ind, actual=(ind.actual or "") + "(万元)" if rng.random() < 0.5 else "完成")
    elif kind == 4:
        ind = replace(ind, points=(ind.points or Decimal(0)) + 2, deviation=None)
    else:
        ind = replace(ind, score=ind.points, actual="0", deviation="")
    ind = replace(
        ind, target_parsed=parse_target(ind.target), actual_parsed=parse_target(ind.actual)
    )
    items = list(form.indicators)
    items[n] = ind
    return replace(form, indicators=tuple(items))


def _form_slip(rng: random.Random, form: Evaluation) -> Evaluation:
    kind = rng.randrange(9)
    goals, total = form.goals, form.funding.total
    if kind == 0:
        return replace(form, goals=replace(goals, actual=_renumber(rng, goals.actual)))
    if kind == 1:
        return replace(form, goals=replace(goals, expected=_renumber(rng, goals.expected)))
    if kind == 2:
        return replace(form, goals=replace(goals, actual=goals.expected))
    if kind == 3:
        near = (goals.expected or "")[:-2] + "。"
        return replace(
            form, goals=replace(goals, actual=near), achievements=form.achievements and near
        )
    if kind == 4 and total.executed is not None:
        line = replace(total, executed=total.executed * Decimal("0.97"))
        return replace(form, funding=replace(form.funding, total=line))
    if kind == 5 and total.execution_rate is not None:
        line = replace(total, execution_rate=total.execution_rate + Decimal("0.01"))
        return replace(form, funding=replace(form.funding, total=line))
    if kind == 6:
        return replace(form, total=None if form.total is None else form.total + 1)
    if kind == 7:
        return replace(form, grade=rng.choice(["优", "良", "中", "差", "优秀", None]))
    if kind == 8:
        line = replace(
            total,
            score=None if total.score is None else total.score - Decimal("0.01"),
            points=Decimal(9),
        )
        return replace(
            form,
            funding=replace(form.funding, total=line),
            achievements=_renumber(rng, form.achievements),
        )
    return replace(form, achievements=_renumber(rng, form.achievements))


def slipped(rng: random.Random, form: Evaluation) -> Evaluation:
    """A form with one to three seeded slips."""
    for _ in range(rng.randint(1, 3)):
        form = _indicator_slip(rng, form) if rng.random() < 0.5 else _form_slip(rng, form)
    return form


# --- the corpus -----------------------------------------------------------------------------


def synthetic_forms() -> dict[str, Evaluation]:
    """Bundled samples, synthetic forms and their slipped copies, all without seeds."""
    out: dict[str, Evaluation] = {}
    for path in samples.paths():
        for n, form in enumerate(read_path(path)):
            out[f"sample/{path.name}#{n}"] = form
    rng = random.Random(4)
    for template_id, count in SYNTH.items():
        for n, form in enumerate(synth.forms(count, templates.load(template_id), seed=44)):
            out[f"synth/{template_id}#{n}"] = form
            out[f"slipped/{template_id}#{n}"] = slipped(rng, form)
    return out


def seed_forms(folder: Path) -> dict[str, Evaluation]:
    """Every seed form, and each with seeded slips."""
    out: dict[str, Evaluation] = {}
    rng = random.Random(44)
    for path in sorted(folder.glob("*.txt")):
        for n, form in enumerate(read_path(path)):
            out[f"seed/{path.name[:3]}#{n}"] = form
            for k in range(5):
                out[f"seed-slipped/{path.name[:3]}#{n}.{k}"] = slipped(rng, form)
    return out


def _one_form_a_line(golden: dict[str, dict[str, list]]) -> str:
    """The pinned findings as JSON with one form a line, so a change reads form by form."""
    parts = []
    for part, forms in sorted(golden.items()):
        lines = [
            f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(found)}"
            for key, found in sorted(forms.items())
        ]
        parts.append(f"{json.dumps(part)}: {{\n" + ",\n".join(lines) + "\n}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main() -> None:
    from tests.conftest import SEEDS

    golden = {"synthetic": pinned(synthetic_forms())}
    if SEEDS.is_dir():
        golden["seeds"] = pinned(seed_forms(SEEDS))
    GOLDEN.write_text(_one_form_a_line(golden), encoding="utf-8")
    counts = {part: sum(len(v) for v in forms.values()) for part, forms in golden.items()}
    print(f"wrote {GOLDEN}: {counts} findings")


if __name__ == "__main__":
    main()
