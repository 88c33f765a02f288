"""The real slips in the published 2023 seed forms (001–003, 19 forms) and in the
bundled sample with planted slips, each pinned by form and field."""

import pytest

from jixiao import samples, templates
from jixiao.domain.audit import Severity, audit
from jixiao.readers import read_path
from tests.conftest import seed_path


def audited(number: str) -> list[tuple[int, list]]:
    forms = read_path(seed_path(number))
    return [(f.source.form_index, audit(f, templates.load(f.template))) for f in forms]


def at(number: str, index: int, code: str, field: str):
    found = dict(audited(number))[index]
    matches = [f for f in found if (f.code, f.field) == (code, field)]
    assert matches, (
        f"{number} #{index}: no {code} at {field}; found {[(f.code, f.field) for f in found]}"
    )
    return matches[0]


def test_001_form_1_score_cut_although_met_and_no_reason():
    # indicators[5]: 9.00 of 10 with target ≥80(分) met (90) and no 偏差原因
    rule = at("001", 1, "score-rule-differs", "indicators[5].score")
    assert (rule.printed, rule.expected, rule.severity) == ("9.00", "10.00", Severity.WARNING)
    cut = at("001", 1, "score-cut-without-reason", "indicators[5].deviation")
    assert (
        cut.severity is Severity.ERROR
        and cut.printed is None
        and cut.explanation == "得分 9.00 < 分值 10.00"
    )


def test_001_form_1_cuts_with_a_reason_are_only_warnings():
    for n in (1, 2):  # 19/20 and 9/10 for targets met, each with a 偏差原因
        assert (
            at("001", 1, "score-rule-differs", f"indicators[{n}].score").severity
            is Severity.WARNING
        )
    found = dict(audited("001"))[1]
    assert ("score-cut-without-reason", "indicators[1].deviation") not in {
        (f.code, f.field) for f in found
    }


def test_001_form_1_name_in_units_of_count_but_target_in_percent():
    # 维护设备数量（个） with target ≥90.00(%) and actual 100.00(%)
    finding = at("001", 1, "unit-name-differs", "indicators[0].name")
    assert finding.severity is Severity.WARNING and finding.expected == "%"
    assert "「个」" in finding.message


def test_002_form_3_narrative_count_differs_from_the_actual():
    finding = at("002", 3, "narrative-actual-differs", "goals.actual")
    assert (finding.printed, finding.expected) == ("441 个", "411.00(个)")
    assert "indicators[0].actual" in finding.explanation


@pytest.mark.parametrize("index", [0, 1])
def test_002_forms_0_and_1_goal_satisfaction_differs_from_the_target(index):
    finding = at("002", index, "narrative-target-differs", "goals.expected")
    assert (finding.printed, finding.expected) == ("85%", "≥90.00(%)")
    assert "满意度" in finding.message


@pytest.mark.parametrize("index", range(1, 13))
def test_003_forms_1_to_12_results_identical_to_the_goal(index):
    finding = at("003", index, "goals-copied", "goals.actual")
    assert finding.severity is Severity.WARNING and "完全相同" in finding.message


def test_003_form_0_results_differ_from_the_goal_only_by_a_full_stop():
    assert "除标点空格外完全相同" in at("003", 0, "goals-copied", "goals.actual").message


def errors_on(*numbers: str) -> set[tuple[str, int, str, str]]:
    return {
        (number, index, f.code, f.field)
        for number in numbers
        for index, found in audited(number)
        for f in found
        if f.severity is Severity.ERROR
    }


def test_errors_on_the_seed_forms_are_exactly_these():
    assert errors_on("001", "002", "003") == {
        ("001", 1, "score-cut-without-reason", "indicators[5].deviation"),
        ("002", 0, "narrative-target-differs", "goals.expected"),
        ("002", 1, "narrative-target-differs", "goals.expected"),
        ("002", 3, "narrative-actual-differs", "goals.actual"),
    }


def test_fifteen_seed_forms_have_no_error():
    clean = [
        (number, index)
        for number in ("001", "002", "003")
        for index, found in audited(number)
        if not any(f.severity is Severity.ERROR for f in found)
    ]
    assert clean == [("001", 0), ("002", 2)] + [("003", n) for n in range(13)]


def test_the_repaired_label_is_a_doubt_reported_as_info():
    finding = at("003", 3, "cell-doubtful", "indicators[6].level2")
    assert finding.severity is Severity.INFO and finding.printed == "服务对象满意度标"


# --- the sample with planted slips (always present) ----------------------------------


@pytest.mark.parametrize(
    "code, field, severity",
    [
        ("rounding-mode-differs", "funding.execution_rate", Severity.WARNING),
        ("rounding-mode-differs", "funding.score", Severity.WARNING),
        ("total-differs", "total", Severity.ERROR),
        ("full-score-target-missed", "indicators[0].score", Severity.ERROR),
        ("score-above-points", "indicators[1].score", Severity.ERROR),
        ("grade-differs", "grade", Severity.ERROR),
        ("goals-copied", "goals.actual", Severity.WARNING),
        ("narrative-actual-differs", "goals.actual", Severity.ERROR),
    ],
)
def test_planted_slips_are_found(code, field, severity):
    path = next(p for p in samples.paths() if p.name == "national-2023-slips.txt")
    (form,) = read_path(path)
    found = {(f.code, f.field): f.severity for f in audit(form, templates.load(form.template))}
    assert found[(code, field)] is severity


# --- the old Shanghai template: seeds 000 (3 forms) and 004 (1 form) -------------------


def test_000_form_2_merged_score_cell_is_above_its_points_and_leaves_a_score_missing():
    # 人员到位率 (8) prints 15 = 8 + 7, the 长效管理制度建设 row below has no 自评
    above = at("000", 2, "score-above-points", "indicators[10].score")
    assert (above.printed, above.expected, above.severity) == ("15", "8", Severity.ERROR)
    missing = at("000", 2, "cell-unreadable", "indicators[11].score")
    assert missing.severity is Severity.ERROR and "合并单元格" in missing.message


def test_000_form_1_damaged_rate_contradicts_the_amounts():
    finding = at("000", 1, "execution-rate-differs", "funding.execution_rate")
    assert (finding.printed, finding.expected) == ("0.00", "100.00")
    assert at("000", 1, "cell-doubtful", "funding.execution_rate").severity is Severity.INFO


@pytest.mark.parametrize("n, score, points", [(9, "7", "8"), (10, "6", "7"), (11, "14", "15")])
def test_004_cut_scores_without_a_remark_are_warnings_in_the_old_template(n, score, points):
    finding = at("004", 0, "score-cut-without-reason", f"indicators[{n}].deviation")
    assert (
        finding.severity is Severity.WARNING
        and finding.explanation == f"得分 {score} < 分值 {points}"
    )


def test_errors_on_the_old_seed_forms_are_exactly_these():
    assert errors_on("000", "004") == {
        ("000", 1, "execution-rate-differs", "funding.execution_rate"),
        ("000", 1, "score-outside-band", "indicators[3].score"),
        ("000", 2, "score-above-points", "indicators[10].score"),
        ("000", 2, "cell-unreadable", "indicators[11].score"),
    }
