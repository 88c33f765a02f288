import pytest

from jixiao.writers.cells import defuse


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+1", "'=1+1"),
        ("+86", "'+86"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("项目", "项目"),
        ("", ""),
        (None, ""),
        ("1=1", "1=1"),
    ],
)
def test_defuse(text, safe):
    assert defuse(text) == safe
