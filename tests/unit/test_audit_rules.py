"""The audit's rules as a catalogue: codes, wording, settings per template, and
docs/checks.md generated from them."""

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao import samples, templates
from jixiao.domain.audit import FAMILIES, RULES, AuditSettingError, Severity, audit, worst
from jixiao.domain.audit.settings import settings
from jixiao.readers import read_path
from jixiao.writers import checks_doc
from tests.conftest import ROOT

NATIONAL = templates.load("national-2020")
SLIPS = next(p for p in samples.paths() if p.name == "national-2023-slips.txt")


def test_every_family_has_rules_and_codes_are_kebab_case():
    assert {r.family for r in RULES.values()} == set(FAMILIES)
    for code in RULES:
        assert code == code.lower() and " " not in code and "_" not in code


@pytest.mark.parametrize("code", sorted(RULES))
def test_messages_format_with_their_example(code):
    rule = RULES[code]
    finding = rule.finding("total", **rule.example)
    assert (
        finding.message and finding.message_en and "{" not in finding.message + finding.message_en
    )
    assert finding.severity is rule.severity


def test_bundled_templates_have_valid_audit_settings():
    for template_id in templates.ids():
        chosen = settings(templates.load(template_id))
        assert chosen.far_above_target == Decimal(130)
        assert chosen.near_copy == Decimal("0.90")


def test_old_template_tunes_cut_scores_down_to_a_warning():
    assert (
        settings(templates.load("shanghai-2019")).severity_of("score-cut-without-reason")
        is Severity.WARNING
    )
    assert settings(NATIONAL).severity_of("score-cut-without-reason") is Severity.ERROR


def _slips_form():
    return read_path(SLIPS)[0]


def test_severity_override_and_off():
    tuned = replace(
        NATIONAL, audit={"severity": {"total-differs": "warning", "goals-copied": "off"}}
    )
    found = {f.code: f.severity for f in audit(_slips_form(), tuned)}
    assert found["total-differs"] is Severity.WARNING
    assert "goals-copied" not in found
    assert {f.code: f.severity for f in audit(_slips_form(), NATIONAL)}[
        "total-differs"
    ] is Severity.ERROR


def test_threshold_override():
    form = _slips_form()
    # 97 of ≥95: 102%; a threshold of 101% makes it "far above"
    tuned = replace(NATIONAL, audit={"far_above_target": "101"})
    assert ("actual-far-above-target", "indicators[1].actual") in {
        (f.code, f.field) for f in audit(form, tuned)
    }
    assert "actual-far-above-target" not in {f.code for f in audit(form, NATIONAL)}


@pytest.mark.parametrize(
    "table, words",
    [
        ({"severity": {"no-such-check": "error"}}, "no-such-check"),
        ({"severity": {"total-differs": "fatal"}}, "fatal"),
        ({"near_copy": "most"}, "near_copy"),
    ],
)
def test_bad_audit_tables_are_explained(table, words):
    with pytest.raises(AuditSettingError, match=words) as caught:
        settings(replace(NATIONAL, audit=table))
    assert "national-2020" in str(caught.value)


def test_worst():
    found = audit(_slips_form(), NATIONAL)
    assert worst(found) is Severity.ERROR
    assert worst([]) is None


def test_docs_checks_md_is_generated_from_the_code():
    doc = ROOT / "docs" / "checks.md"
    assert doc.read_text("utf-8") == checks_doc.markdown(), (
        "docs/checks.md is stale: run `python -m jixiao.writers.checks_doc docs/checks.md`"
    )
    for code in RULES:
        assert f"`{code}`" in doc.read_text("utf-8")
