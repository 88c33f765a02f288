"""年度指标值 / 实际完成值 parsing: table-driven cases and properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.domain.targets import (
    DATE_UNIT,
    Op,
    Target,
    as_date,
    format_target,
    parse_target,
    same_unit,
)

D = Decimal

CASES = [
    # printed, op, value, unit, note
    ("≥90.00(%)", Op.GE, "90.00", "%", None),
    ("=100.00(%)", Op.EQ, "100.00", "%", None),
    ("≤10(分钟)", Op.LE, "10", "分钟", None),
    (">90.00(%)", Op.GT, "90.00", "%", None),
    ("<5(天)", Op.LT, "5", "天", None),
    (">=95%", Op.GE, "95", "%", None),
    ("<=3 天", Op.LE, "3", "天", None),
    ("≧80(分)", Op.GE, "80", "分", None),
    ("≦2(小时)", Op.LE, "2", "小时", None),
    ("═0.00(%)", Op.EQ, "0.00", "%", None),
    ("＞＝９０％", Op.GE, "90", "%", None),  # full-width signs and digits
    ("≥９５．５０（％）", Op.GE, "95.50", "%", None),
    ("不少于4次", Op.GE, "4", "次", None),
    ("不低于 85%", Op.GE, "85", "%", None),
    ("不超过 5 天", Op.LE, "5", "天", None),
    ("不高于3%", Op.LE, "3", "%", None),
    ("达到100%", Op.GE, "100", "%", None),
    ("1 份年度运维总结报告", None, "1", "份", "年度运维总结报告"),
    ("≥100百分比", Op.GE, "100", "百分比", None),
    ("2 小时内", Op.LE, "2", "小时", None),
    ("2 小时内响应", Op.LE, "2", "小时", "响应"),
    ("1 项内容", None, "1", "项", "内容"),
    ("90%以上", Op.GE, "90", "%", None),
    ("100%, 通过专家评审", None, "100", "%", "通过专家评审"),
    ("411.00(个)", None, "411.00", "个", None),
    ("490,000.00元", None, "490000.00", "元", None),
    ("5 GB", None, "5", "GB", None),
]


@pytest.mark.parametrize("printed, op, value, unit, note", CASES)
def test_quantitative(printed, op, value, unit, note):
    assert parse_target(printed) == Target(op=op, value=D(value), unit=unit, note=note)


@pytest.mark.parametrize(
    "printed",
    ["稳定运行", "提高", "建立健全", "达成指标", "有效保障", "零发生", "及时, 12 月 月底前完成"],
)
def test_qualitative(printed):
    target = parse_target(printed)
    assert not target.quantitative
    assert target.text == printed


@pytest.mark.parametrize("printed", [None, "", "  ", "-", "—", "/"])
def test_blank_is_none(printed):
    assert parse_target(printed) is None


def test_canonical_format():
    assert format_target(parse_target("≥90.00(%)")) == "≥90.00(%)"
    assert format_target(parse_target("不少于4次")) == "≥4(次)"
    assert format_target(parse_target("2 小时内")) == "≤2(小时)"
    assert format_target(parse_target("1 份年度运维总结报告")) == "1(份)；年度运维总结报告"


DATES = [
    # printed, op, month.day, note: a deadline is met up to the last day it names
    ("9月前", Op.LE, "9.30", None),
    ("11月前", Op.LE, "11.30", None),
    ("11月底前", Op.LE, "11.30", None),
    ("12月31日前", Op.LE, "12.31", None),
    ("12 月 31 日前", Op.LE, "12.31", None),
    ("年底前", Op.LE, "12.31", None),
    ("年内完成", Op.LE, "12.31", None),
    ("2023年10月中旬前完成", Op.LE, "10.20", None),
    ("9月底", Op.LE, "9.30", None),
    ("2月底前", Op.LE, "2.28", None),
    ("9月前完成验收", Op.LE, "9.30", "完成验收"),
    ("10月15日", None, "10.15", None),
]


@pytest.mark.parametrize("printed, op, value, note", DATES)
def test_deadlines_and_dates(printed, op, value, note):
    assert parse_target(printed) == Target(op=op, value=D(value), unit=DATE_UNIT, note=note)


@pytest.mark.parametrize(
    "printed", ["7月", "3月内", "≤12(月)", "13月前", "3个月", "12月份工作计划"]
)
def test_months_that_are_not_dates(printed):
    """A month alone is a count of months (read as a date only beside a date
    target: :func:`as_date`); "3月内" is within three months."""
    assert parse_target(printed).unit != DATE_UNIT


def test_a_month_alone_beside_a_deadline_is_its_first_day():
    assert as_date(parse_target("7月")) == Target(value=D("7.01"), unit=DATE_UNIT)
    assert as_date(parse_target("≤3(月)")) is None
    assert as_date(parse_target("90(%)")) is None


def test_dates_format_as_people_write_them():
    assert format_target(parse_target("9月前")) == "9月30日前"
    assert format_target(parse_target("10月15日")) == "10月15日"


def test_units_that_mean_the_same():
    assert same_unit("%", "百分比")
    assert same_unit("％", "%")
    assert not same_unit("%", "分")


# --- properties --------------------------------------------------------------

_PIECES = st.lists(
    st.sampled_from(
        [
            "≥",
            "≤",
            ">",
            "<",
            "=",
            ">=",
            "<=",
            "≧",
            "≦",
            "═",
            "不少于",
            "不超过",
            "达到",
            "以上",
            "以内",
            "内",
            "90",
            "0.00",
            "１２",
            "1,000",
            "-5",
            ".5",
            "(%)",
            "（分钟）",
            "%",
            "个",
            "份",
            "小时",
            "百分比",
            "GB",
            " ",
            "，",
            ";",
            "；",
            "(",
            ")",
            "报告",
            "稳定运行",
            "提高",
            "响应",
            "a",
            "0",
            "9",
            "12",
            "31",
            "月",
            "日",
            "底",
            "前",
            "以前",
            "中旬",
            "年底",
            "年内",
            "2023年",
            "完成",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=40), _PIECES))
def test_parse_never_raises_and_format_round_trips(text):
    target = parse_target(text)
    if target is None:
        return
    canonical = format_target(target)
    assert parse_target(canonical) == target
    assert format_target(parse_target(canonical)) == canonical
