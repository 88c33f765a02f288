"""A number cell read as Excel shows it: the format's places, rounded half away
from zero as Excel does, no binary noise, no places where the format has none."""

from __future__ import annotations

import pytest

from jixiao.readers.xlsx import shown_number


@pytest.mark.parametrize(
    ("value", "number_format", "shown"),
    [
        (2.345, "0.00", "2.35"),  # 2.345 is 2.34499… in binary; Excel shows 2.35
        (-2.345, "0.00", "-2.35"),  # away from zero, both ways
        (2.5, "0", "3"),  # not half-even's 2
        (0.1 + 0.2, "General", "0.3"),  # not 0.30000000000000004
        (3703.68, "0", "3704"),  # no decimal point: no places
        (3703.68, "#,##0", "3,704"),
        (1234.5, "#,##0.00", "1,234.50"),
        (15, "0.00", "15.00"),  # a score keeps its printed scale
        (15.0, "General", "15"),
        (12.5, "General", "12.5"),
        (0.155, "0%", "16%"),
        (0.1234, "0.00%", "12.34%"),
        (29465532.76, "General", "29465532.76"),
        (1 / 3, "General", "0.333333333333333"),  # Excel's 15 significant digits
    ],
)
def test_a_figure_reads_as_excel_shows_it(value, number_format, shown):
    assert shown_number(value, number_format) == shown
