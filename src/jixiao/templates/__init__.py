"""Form templates as data: one TOML file each in this folder.

``load(id)`` turns a file into a :class:`jixiao.domain.template.Template`;
``detect(text)`` says which template's labels a form's text carries.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from functools import cache
from importlib import resources

from jixiao.domain.normalize import fold, squash
from jixiao.domain.template import (
    Band,
    ExecutionBand,
    FormKind,
    Grade,
    Group,
    InverseFormula,
    Rounding,
    Rules,
    Template,
    TotalCap,
)

DEFAULT = "national-2020"


class UnknownTemplate(ValueError):
    pass


class TemplateFileError(ValueError):
    """A template file or rule pack that cannot be used: says which and why."""


def ids() -> list[str]:
    """The ids of the bundled templates."""
    folder = resources.files(__name__)
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


@cache
def load(template_id: str) -> Template:
    """The bundled template with this id."""
    if template_id not in ids():
        raise UnknownTemplate(f"没有模板 {template_id!r}（可用：{', '.join(ids())}）")
    text = resources.files(__name__).joinpath(f"{template_id}.toml").read_text("utf-8")
    return from_toml(tomllib.loads(text))


def pack_ids() -> list[str]:
    """The ids of the bundled rule packs (``packs/<id>.toml``)."""
    folder = resources.files(__name__).joinpath("packs")
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


@cache
def load_pack(pack_id: str) -> dict:
    """A rule pack: the ``[rules]`` and ``[audit]`` tables some jurisdictions
    share (the total capped by the execution rate …), for templates to name."""
    if pack_id not in pack_ids():
        raise TemplateFileError(f"没有规则包 {pack_id!r}（可用：{', '.join(pack_ids())}）")
    text = resources.files(__name__).joinpath("packs", f"{pack_id}.toml").read_text("utf-8")
    return tomllib.loads(text)


def with_packs(data: dict) -> dict:
    """A template file's tables with the rule packs it names merged under its own:
    ``packs = ["total-cap-by-execution"]``. What the template itself writes wins."""
    rules: dict = {}
    audit: dict = {"severity": {}}
    for pack_id in data.get("packs", ()):
        pack = load_pack(pack_id)
        rules.update(pack.get("rules", {}))
        pack_audit = pack.get("audit", {})
        audit.update({k: v for k, v in pack_audit.items() if k != "severity"})
        audit["severity"].update(pack_audit.get("severity", {}))
    own_audit = data.get("audit", {})
    audit.update({k: v for k, v in own_audit.items() if k != "severity"})
    audit["severity"].update(own_audit.get("severity", {}))
    return {**data, "rules": {**rules, **data.get("rules", {})}, "audit": audit}


def _rules(data: dict) -> Rules:
    table = data.get("rules", {})
    where = f"模板 {data.get('id')} 的 [rules]"
    unknown = set(table) - {
        "total_caps",
        "over_achievement_at",
        "over_achievement_deduction",
        "rescale_not_applicable",
    }
    if unknown:
        raise TemplateFileError(f"{where}：不认识 {', '.join(sorted(unknown))}")
    try:
        caps = tuple(
            TotalCap(Decimal(str(c["below"])), Decimal(str(c["cap"])))
            for c in table.get("total_caps", ())
        )
        deduction = table.get("over_achievement_deduction")
        at = table.get("over_achievement_at", "130" if deduction is not None else None)
        return Rules(
            total_caps=caps,
            over_achievement_at=None if at is None else Decimal(str(at)),
            over_achievement_deduction=None if deduction is None else Decimal(str(deduction)),
            rescale_not_applicable=bool(table.get("rescale_not_applicable", False)),
            packs=tuple(data.get("packs", ())),
        )
    except (KeyError, ArithmeticError, TypeError) as e:
        raise TemplateFileError(f"{where}：{e!r} 不能用（见 docs/templates.md）") from None


def from_toml(data: dict) -> Template:
    """Build a Template from a parsed template file (its rule packs merged in)."""
    data = with_packs(data)
    scoring = data.get("scoring", {})
    indicators = data.get("indicators", {})
    execution = data.get("execution")
    return Template(
        id=data["id"],
        name=data["name"],
        name_en=data.get("name_en", data["name"]),
        title=data.get("title", data["name"]),
        total_points=Decimal(data["total_points"]),
        amount_unit=data.get("amount_unit", "万元"),
        execution_points=Decimal(execution["points"]) if execution else None,
        execution_base=tuple((execution or {}).get("base", ("annual_budget",))),
        indicator_points=Decimal(indicators.get("points", "90")),
        level1=tuple(indicators.get("level1", ())),
        level2=tuple(indicators.get("level2", ())),
        groups=tuple(Group(g["name"], Decimal(g["points"])) for g in indicators.get("groups", ())),
        advised_weights={k: Decimal(v) for k, v in indicators.get("advised_weights", {}).items()},
        rules=_rules(data),
        grades=tuple(
            Grade(g["label"], Decimal(g["min"]), tuple(g.get("synonyms", ())))
            for g in data["grades"]
        ),
        kind=FormKind(data.get("kind", "project")),
        reader=data.get("reader"),
        weighted_total=bool(indicators.get("weighted_total", False)),
        funding_partitions=tuple(
            tuple(keys) for keys in data.get("funding", {}).get("partitions", ())
        ),
        rounding=Rounding(scoring.get("rounding", "down")),
        decimals=int(scoring.get("decimals", 2)),
        inverse_formula=InverseFormula(scoring.get("inverse_formula", "ratio")),
        qualitative_bands=tuple(
            Band(b["key"], b["label"], Decimal(b["min"]), Decimal(b["max"]))
            for b in scoring.get("qualitative_bands", ())
        ),
        execution_bands=tuple(
            ExecutionBand(Decimal(b["min"]), Decimal(b["low"]), Decimal(b["high"]))
            for b in scoring.get("execution_bands", ())
        ),
        execution_indicator=scoring.get("execution_indicator"),
        narrative_limits={
            n["field"]: int(n["max_chars"]) for n in data.get("narratives", ()) if "max_chars" in n
        },
        columns={k: tuple(v) for k, v in data.get("columns", {}).items()},
        detect=tuple(data.get("detect", {}).get("all", ())),
        audit=data.get("audit", {}),
        layout=data.get("layout", {}),
    )


def detect(text: str) -> str | None:
    """The id of the template whose marker labels all appear in ``text``; of several,
    the one with the most markers (a department form also carries the project
    form's 年初预算数, 全年执行数 and 年度指标值)."""
    key = squash(fold(text))
    found = [
        (len(markers), template_id)
        for template_id, markers in _markers()
        if markers and all(m in key for m in markers)
    ]
    return max(found, key=lambda hit: hit[0])[1] if found else None


@cache
def _markers() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each bundled template's marker labels as ``detect`` compares them (folded and
    squashed), made once: detect runs on every file read."""
    return tuple(
        (template_id, tuple(squash(fold(m)) for m in load(template_id).detect))
        for template_id in ids()
    )


def by_evidence(text: str) -> tuple[str, list[str]] | None:
    """When no template has all its markers: the one with most of them, if it has
    at least 60% and leads the next by a fifth of its markers (a page cut before its
    last header, a blank template); None for a weak match or a near-tie."""
    key = squash(fold(text))
    shares = []
    for template_id in ids():
        markers = load(template_id).detect
        if markers:
            missing = [m for m in markers if squash(fold(m)) not in key]
            shares.append((1 - len(missing) / len(markers), template_id, missing))
    shares.sort(key=lambda s: -s[0])
    if not shares or shares[0][0] < 0.6:
        return None
    close = [s for s in shares if shares[0][0] - s[0] < 0.2]
    if len(close) > 1:
        # a near-tie on the markers: the template whose own labels the text prints
        # most (a label weighs less the more templates print it), by a clear lead
        weights = sorted(((_evidence(key, s[1]), s) for s in close), key=lambda c: -c[0])
        if weights[0][0] < 1.15 * weights[1][0]:
            return None
        return weights[0][1][1], weights[0][1][2]
    return shares[0][1], shares[0][2]


@cache
def _label_templates() -> dict[str, int]:
    """How many templates print each (squashed) label."""
    count: dict[str, int] = {}
    for template_id in ids():
        labels = {squash(fold(n)) for names in load(template_id).columns.values() for n in names}
        for label in labels:
            count[label] = count.get(label, 0) + 1
    return count


def _evidence(key: str, template_id: str) -> float:
    """The weight of a template's labels printed in the (squashed) text: each label
    1 ÷ the number of templates that print it."""
    count = _label_templates()
    labels = {squash(fold(n)) for names in load(template_id).columns.values() for n in names}
    return sum(1 / count[label] for label in labels if label in key)


def closest(text: str) -> tuple[str, list[str]] | None:
    """The template most of whose marker labels appear in ``text`` (at least half
    of them), and the markers missing; None when no template comes that close."""
    key = squash(fold(text))
    best: tuple[float, str, list[str]] | None = None
    for template_id in ids():
        markers = load(template_id).detect
        if not markers:
            continue
        missing = [m for m in markers if squash(fold(m)) not in key]
        share = 1 - len(missing) / len(markers)
        if share >= 0.5 and (best is None or share > best[0]):
            best = (share, template_id, missing)
    return (best[1], best[2]) if best else None
