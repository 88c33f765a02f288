"""The generator of correct forms: valid by construction, and readable back."""

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import templates
from jixiao.contract.json import evaluation_dict
from jixiao.domain.audit import Severity, audit
from jixiao.domain.recompute import Status, recompute
from jixiao.readers.text import read_text
from jixiao.testing import synth

NATIONAL = templates.load("national-2020")
OLD = templates.load("shanghai-2019")
TEMPLATES = st.sampled_from([NATIONAL, OLD])


@settings(max_examples=150, deadline=None)
@given(TEMPLATES, st.integers(min_value=0, max_value=2**32))
def test_generated_forms_have_no_error(template, seed):
    form = synth.form(random.Random(seed), template)
    errors = [
        (f.code, f.field, f.message) for f in audit(form, template) if f.severity is Severity.ERROR
    ]
    assert errors == []


@settings(max_examples=100, deadline=None)
@given(TEMPLATES, st.integers(min_value=0, max_value=2**32))
def test_generated_figures_are_the_rules_figures(template, seed):
    form = synth.form(random.Random(seed), template)
    # every printed figure is the rules' figure (group sums are not printed on the form)
    assert all(
        c.status is Status.MATCH or c.field.startswith("groups[") for c in recompute(form, template)
    )
    execution = template.execution_points or 0
    assert sum((i.points for i in form.indicators), execution) == template.total_points


@settings(max_examples=30, deadline=None)
@given(TEMPLATES, st.integers(min_value=0, max_value=2**32))
def test_rendered_text_reads_back_to_the_same_form(template, seed):
    forms = list(synth.forms(3, template, seed=seed))
    back = read_text(synth.render_text(forms), "synth")
    assert [b.problems for b in back] == [(), (), ()]

    def comparable(ev):
        d = evaluation_dict(ev)
        return {k: v for k, v in d.items() if k not in ("source", "sources")}

    assert [comparable(b) for b in back] == [comparable(f) for f in forms]


def test_generator_varies_what_a_reviewer_sees():
    forms = list(synth.forms(400, NATIONAL, seed=7))
    assert len({f.project.name for f in forms}) > 200
    assert {f.funding.unit.value for f in forms} == {"万元", "元"}
    assert any(i.score < i.points and i.deviation for f in forms for i in f.indicators)
    assert len({f.grade for f in forms}) >= 2
    assert all(f.goals.expected != f.goals.actual for f in forms)


def test_same_seed_same_forms():
    assert list(synth.forms(5, NATIONAL, seed=1)) == list(synth.forms(5, NATIONAL, seed=1))


def test_old_template_forms_have_groups_and_a_band_scored_execution_row():
    forms = list(synth.forms(200, OLD, seed=3))
    for form in forms:
        by_group = {}
        for ind in form.indicators:
            by_group[ind.level1] = by_group.get(ind.level1, 0) + ind.points
        assert by_group == {g.name: g.points for g in OLD.groups}
        assert sum(ind.name == "预算执行率" for ind in form.indicators) == 1
    assert {f.grade for f in forms} >= {"优秀", "良好"}


def test_a_template_with_neither_groups_nor_a_scored_funding_block_is_refused():
    bare = replace(NATIONAL, id="bare", execution_points=None)
    with pytest.raises(ValueError, match="bare"):
        synth.form(random.Random(0), bare)
