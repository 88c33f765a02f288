"""年度指标值 / 实际完成值 parsing: table-driven cases and properties."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.domain.targets import Op, Target, format_target, parse_target, same_unit

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
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), _PIECES))
def test_parse_never_raises_and_format_round_trips(text):
    target = parse_target(text)
    if target is None:
        return
    canonical = format_target(target)
    assert parse_target(canonical) == target
    assert format_target(parse_target(canonical)) == canonical
