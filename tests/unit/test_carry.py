from decimal import Decimal

from jixiao import samples
from jixiao.domain.carry import next_year
from jixiao.readers import read_path


def test_next_year_keeps_the_project_and_the_indicator_table_and_empties_the_results():
    last = read_path(next(p for p in samples.paths() if p.name == "national-2023-slips.txt"))[0]
    new = next_year(last)
    assert new.year == 2024 and new.template == last.template and new.project == last.project
    assert [(i.name, i.target, i.points) for i in new.indicators] == [
        (i.name, i.target, i.points) for i in last.indicators
    ]
    assert all(i.actual is None and i.score is None and i.deviation is None for i in new.indicators)
    assert new.funding.total.points == Decimal("10.00") and new.funding.total.executed is None
    assert set(new.funding.parts()) == set(last.funding.parts())
    assert all(line.annual_budget is None for line in new.funding.parts().values())
    assert new.funding.unit == last.funding.unit
    assert (new.total, new.grade, new.goals.actual, new.problems) == (None, None, None, ())
