"""Rule packs (templates/packs/): rules some jurisdictions add, as data a template names.

Each pack: a correct form under the pack has no error; one slip gives the finding at
its field with the figure the rule computes; the same form under the plain template
gains nothing from the pack."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from decimal import Decimal
from importlib import resources

import pytest

from jixiao import samples, templates
from jixiao.domain import scoring
from jixiao.domain.audit import Severity, audit
from jixiao.domain.model import Evaluation
from jixiao.domain.recompute import recompute
from jixiao.domain.template import Template
from jixiao.readers import read_path
from tests.unit.test_audit_mutations import with_indicator

D = Decimal
SAMPLE = next(p for p in samples.paths() if p.name == "national-2023-tab.txt")


def with_packs(*packs: str, **tables) -> Template:
    """The national template with rule packs (and tables) added to its file."""
    text = resources.files(templates).joinpath("national-2020.toml").read_text("utf-8")
    return templates.from_toml({**tomllib.loads(text), "packs": list(packs), **tables})


@pytest.fixture
def clean() -> Evaluation:
    return read_path(SAMPLE)[0]


def found(form: Evaluation, template: Template) -> dict[tuple[str, str], object]:
    return {(f.code, f.field): f for f in audit(form, template)}


def errors(form: Evaluation, template: Template) -> list[tuple[str, str]]:
    return [(f.code, f.field) for f in audit(form, template) if f.severity is Severity.ERROR]


def computed(form: Evaluation, template: Template, field: str) -> Decimal | None:
    return next(c.figure.value for c in recompute(form, template) if c.field == field)


def spent(form: Evaluation, executed: str, template: Template) -> Evaluation:
    """The form with 全年执行数 changed and its rate, score and total as the rules print them."""
    line = replace(form.funding.total, executed=D(executed))
    line = replace(
        line,
        execution_rate=scoring.execution_rate(line, template).value,
        score=scoring.execution_score(line, template).value,
    )
    part = replace(form.funding.current_year_appropriation, executed=D(executed))
    part = replace(part, execution_rate=scoring.execution_rate(part, template).value)
    funding = replace(form.funding, total=line, current_year_appropriation=part)
    reasoned = replace(funding, total=replace(line, reason="部分采购合同延至下年支付"))
    return replace(form, funding=reasoned, total=form.total - form.funding.total.score + line.score)


def graded(form: Evaluation, template: Template) -> Evaluation:
    return replace(form, grade=template.grade_for(form.total).label)


# --- the total capped by the execution rate ---------------------------------------------


def test_a_total_above_the_cap_its_execution_rate_allows(clean):
    capped = with_packs("total-cap-by-execution")
    form = graded(spent(clean, "6.75", capped), capped)  # 75.00%: 7.50 + 90 = 97.50
    assert form.total == D("97.50")
    above = found(form, capped)[("total-above-execution-cap", "total")]
    assert above.severity is Severity.ERROR
    assert above.expected == "89.00" and "75.00%" in above.message and "89" in above.message
    assert "低于 80%" in above.explanation
    plain = templates.load("national-2020")
    assert not [k for k in found(form, plain) if k[0].startswith("total-")]


def test_the_lowest_band_a_rate_falls_in_sets_the_cap(clean):
    capped = with_packs("total-cap-by-execution")
    form = spent(clean, "4.95", capped)  # 55.00%: caps 89, 79 and 69 apply; 69 wins
    assert computed(form, capped, "total") == D("69.00")
    fixed = graded(replace(form, total=D("69.00")), capped)
    assert errors(fixed, capped) == []


def test_a_total_within_its_cap_is_clean(clean):
    capped = with_packs("total-cap-by-execution")
    form = graded(replace(spent(clean, "6.75", capped), total=D("89.00")), capped)
    assert errors(form, capped) == []
    assert errors(clean, capped) == []  # 99.77%: no cap


# --- over-achievement ---------------------------------------------------------------------


def sixty_interfaces(clean: Evaluation) -> Evaluation:
    """共享接口 ≥40 个 achieved with 60 (150%), the narrative saying so."""
    actual = clean.goals.actual.replace("42 个", "60 个")
    return replace(clean, goals=replace(clean.goals, actual=actual))


def test_over_achievement_deduction_not_taken(clean):
    deducting = with_packs("over-achievement-deduction")
    form = with_indicator(
        sixty_interfaces(clean), 0, actual="60.00(个)", deviation="需求增加，多接入 20 个接口"
    )
    slip = found(form, deducting)[("over-achievement-not-deducted", "indicators[0].score")]
    assert slip.severity is Severity.WARNING
    assert slip.printed == "15.00" and slip.expected == "13.00"
    assert "150%" in slip.explanation and "15.00 − 2 = 13.00" in slip.explanation
    assert ("full-score-target-missed", "indicators[0].score") not in found(form, deducting)
    plain = templates.load("national-2020")
    assert not [k for k in found(form, plain) if k[1] == "indicators[0].score"]


def test_over_achievement_deducted_is_clean(clean):
    deducting = with_packs("over-achievement-deduction")
    form = with_indicator(
        sixty_interfaces(clean),
        0,
        actual="60.00(个)",
        score=D("13.00"),
        deviation="需求增加，多接入 20 个接口",
    )
    form = graded(replace(form, total=clean.total - 2), deducting)
    assert errors(form, deducting) == []
    assert not [f for f in audit(form, deducting) if f.field == "indicators[0].score"]
    below = with_indicator(clean, 0, actual="50.00(个)")  # 125%: under the 130% line
    assert computed(below, deducting, "indicators[0].score") == D("15.00")


def test_over_achievement_without_a_reason_is_an_error_under_its_pack(clean):
    strict = with_packs("over-achievement-reason")
    form = with_indicator(sixty_interfaces(clean), 0, actual="60.00(个)")
    far = found(form, strict)[("actual-far-above-target", "indicators[0].actual")]
    assert far.severity is Severity.ERROR
    plain = found(form, templates.load("national-2020"))
    assert plain[("actual-far-above-target", "indicators[0].actual")].severity is Severity.WARNING
    explained = with_indicator(form, 0, deviation="需求增加，多接入 20 个接口")
    assert errors(explained, strict) == []


# --- indicators that do not apply --------------------------------------------------------


def not_applying(clean: Evaluation) -> Evaluation:
    """使用部门满意度 (10 points) marked 不适用, unscored; the total printed as the sum."""
    form = with_indicator(clean, 6, actual="不适用", score=None)
    return replace(form, total=clean.total - 10)  # 89.97


def test_a_total_not_rescaled_after_an_indicator_left_out(clean):
    rescaling = with_packs("not-applicable-rescaled")
    form = not_applying(clean)
    slip = found(form, rescaling)[("total-not-rescaled", "total")]
    assert slip.severity is Severity.ERROR
    assert slip.printed == "89.97" and slip.expected == "99.96"  # 89.97 ÷ 90 × 100, cut
    assert "89.97 ÷ (100 − 10.00) × 100" in slip.explanation
    assert not [k for k in found(form, rescaling) if k[1].startswith("indicators[6]")]


def test_a_rescaled_total_is_clean(clean):
    rescaling = with_packs("not-applicable-rescaled")
    form = graded(replace(not_applying(clean), total=D("99.96")), rescaling)
    assert errors(form, rescaling) == []
    plain = templates.load("national-2020")  # without the pack the row is a missing score
    assert ("score-missing", "indicators[6].score") in found(form, plain)


@pytest.mark.parametrize("word", ["不适用", "不涉及", " 不 适 用 "])
def test_the_words_that_mark_an_indicator_left_out(clean, word):
    assert scoring.not_applicable(replace(clean.indicators[0], actual=word))
    assert not scoring.not_applicable(replace(clean.indicators[0], actual="适用范围扩大"))


# --- packs as data ------------------------------------------------------------------------


def test_every_bundled_pack_loads_and_says_what_it_is():
    assert set(templates.pack_ids()) >= {
        "total-cap-by-execution",
        "over-achievement-deduction",
        "over-achievement-reason",
        "not-applicable-rescaled",
        "execution-reason",
    }
    for pack_id in templates.pack_ids():
        pack = templates.load_pack(pack_id)
        assert pack["name"] and pack["name_en"]
        assert with_packs(pack_id).rules.packs == (pack_id,)


def test_a_template_overrides_its_packs():
    own = with_packs("over-achievement-deduction", rules={"over_achievement_deduction": "1"})
    assert own.rules.over_achievement_deduction == D(1)
    assert own.rules.over_achievement_at == D(130)
    sichuan = templates.load("sichuan-2023")  # its 90% reason rule comes from a pack
    assert sichuan.rules.packs == ("execution-reason",)
    assert sichuan.audit["execution_reason_below"] == "90"


@pytest.mark.parametrize(
    ("packs", "rules", "words"),
    [
        (["no-such-pack"], {}, "没有规则包 'no-such-pack'"),
        ([], {"cap_total": True}, "不认识 cap_total"),
        ([], {"total_caps": [{"below": "80"}]}, "[rules]"),
        ([], {"over_achievement_deduction": "two"}, "[rules]"),
    ],
)
def test_bad_packs_and_rules_are_explained(packs, rules, words):
    with pytest.raises(templates.TemplateFileError) as caught:
        with_packs(*packs, rules=rules)
    assert words in str(caught.value)
