"""The audit trail's pure parts: field-level diffs and the hash chain."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.domain.trail import GENESIS, Link, event_hash, field_diff, head, verify_chain


def test_diff_uses_contract_paths():
    old = {
        "funding": {"executed": "9.00", "unit": "万元"},
        "indicators": [{"score": "5.00"}, {"score": "4.00"}],
    }
    new = {
        "funding": {"executed": "9.50", "unit": "万元"},
        "indicators": [{"score": "5.00"}, {"score": "3.50"}],
    }
    assert field_diff(old, new) == [
        {"path": "funding.executed", "old": "9.00", "new": "9.50"},
        {"path": "indicators[1].score", "old": "4.00", "new": "3.50"},
    ]


def test_diff_reports_added_and_removed_rows_whole():
    old = {"indicators": [{"name": "a"}]}
    new = {"indicators": [{"name": "a"}, {"name": "b"}], "grade": "优"}
    assert field_diff(old, new) == [
        {"path": "indicators[1]", "new": {"name": "b"}},
        {"path": "grade", "new": "优"},
    ]
    assert field_diff(new, old)[0] == {"path": "indicators[1]", "old": {"name": "b"}}
    assert field_diff([], [None]) == [{"path": "[0]", "new": None}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=100)
@given(json_values, json_values)
def test_diff_is_empty_exactly_when_equal(a, b):
    assert (field_diff(a, b) == []) == (a == b)


def _chain(n: int) -> list[Link]:
    links, prev = [], GENESIS
    for i in range(n):
        content = {
            "action": "save",
            "version": i,
            "diff": [{"path": "total", "old": None, "new": str(i)}],
        }
        link = Link(i + 1, prev, event_hash(prev, content), content)
        links.append(link)
        prev = link.hash
    return links


def test_intact_chain_has_no_breaks_in_any_order():
    links = _chain(5)
    assert list(verify_chain(links)) == []
    assert list(verify_chain(reversed(links))) == []
    assert head(links) == links[-1].hash


def test_edited_event_is_found():
    links = _chain(5)
    links[2] = replace(links[2], content={**links[2].content, "version": 99})
    assert [b.id for b in verify_chain(links)] == [3]


def test_rehashed_edit_breaks_the_next_link():
    links = _chain(5)
    content = {**links[2].content, "version": 99}
    links[2] = replace(links[2], content=content, hash=event_hash(links[2].prev_hash, content))
    assert [b.id for b in verify_chain(links)] == [4, 5]


def test_removed_event_is_found():
    links = _chain(5)
    del links[1]
    breaks = list(verify_chain(links))
    assert [b.id for b in breaks] == [3, 4, 5]
    assert "不在链上" in breaks[0].reason


def test_hash_depends_on_key_order_not_at_all():
    assert event_hash(GENESIS, {"a": 1, "b": "二"}) == event_hash(GENESIS, {"b": "二", "a": 1})
