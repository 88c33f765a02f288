"""Damaged text never crashes the reader: it reads what it can, says what it
could not (problems), or refuses the file with a ReadError naming it."""

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao import samples
from jixiao.readers import ReadError
from jixiao.readers.text import read_text

TEXTS = [p.read_text("utf-8") for p in samples.paths()]


@st.composite
def damaged(draw) -> str:
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 6))):
        if not lines:
            break
        n = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "split", "shift", "cut", "swap", "garble"]))
        line = lines[n]
        if action == "drop":
            del lines[n]
        elif action == "split":
            at = draw(st.integers(0, len(line)))
            lines[n : n + 1] = [line[:at], line[at:]]
        elif action == "shift":
            lines[n] = "\t" + line
        elif action == "cut":
            lines[n] = line[: draw(st.integers(0, len(line)))]
        elif action == "swap" and n + 1 < len(lines):
            lines[n], lines[n + 1] = lines[n + 1], lines[n]
        elif action == "garble":
            lines[n] = draw(st.text(max_size=30))
    return "\n".join(lines)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_text_yields_forms_or_a_read_error(text):
    try:
        forms = read_text(text, "damaged.txt")
    except ReadError as error:
        assert error.file == "damaged.txt" and error.reason
        return
    for form in forms:
        assert form.source.file == "damaged.txt"
        for problem in form.problems:
            assert problem.field and problem.message


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_yields_forms_or_a_read_error(text):
    with contextlib.suppress(ReadError):
        read_text(text, "any.txt")
