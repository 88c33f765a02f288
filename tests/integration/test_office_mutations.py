"""Damaged files through every reader: truncated anywhere, bytes flipped
anywhere. The only exception ever raised is the reader's own ReadError (with a
one-line reason); a file may also still read, with problems. Capped examples;
bench/bench_mutations.py runs 10,000 per reader."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.readers import ReadError, read_bytes
from tests.conftest import FIXTURES

FILES = FIXTURES / "files"
SOURCES = {
    "pdf": FILES / "synth-national.pdf",
    "xlsx": FILES / "three-forms.xlsx",
    "docx": FILES / "synth-shanghai.docx",
}
DATA = {kind: path.read_bytes() for kind, path in SOURCES.items()}


def mutate(data: bytes, cut: float | None, flips: list[tuple[float, int]]) -> bytes:
    """``data`` cut at a fraction of its length, then bytes set at fractions of it."""
    out = bytearray(data[: int(len(data) * cut)] if cut is not None else data)
    for where, value in flips:
        if out:
            out[int(where * (len(out) - 1))] = value
    return bytes(out)


MUTATIONS = st.tuples(
    st.one_of(st.none(), st.floats(0, 1)),
    st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=8),
)


def read_or_reason(data: bytes, kind: str) -> None:
    try:
        forms = read_bytes(data, f"mutated.{kind}", f".{kind}")
    except ReadError as error:
        assert error.reason and "\n" not in error.reason
        return
    assert isinstance(forms, list)


@pytest.mark.parametrize("kind", sorted(SOURCES))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutation=MUTATIONS)
def test_a_damaged_file_is_read_or_refused_never_crashes(kind, mutation):
    read_or_reason(mutate(DATA[kind], *mutation), kind)


@pytest.mark.parametrize("kind", sorted(SOURCES))
def test_the_undamaged_sources_read(kind):
    assert read_bytes(DATA[kind], SOURCES[kind].name, f".{kind}")


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
def test_a_zip_asking_for_a_version_python_cannot_read_is_refused(kind):
    # Found by bench_mutations: zipfile raises NotImplementedError for it.
    data = bytearray(DATA[kind])
    entry = data.index(b"PK\x01\x02")  # the first central directory entry
    data[entry + 6] = 250  # "version needed to extract": 25.0
    with pytest.raises(ReadError, match="损坏"):
        read_bytes(bytes(data), f"damaged.{kind}", f".{kind}")
