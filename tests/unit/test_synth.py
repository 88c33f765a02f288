"""The generator of correct forms: valid by construction, and readable back."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao import templates
from jixiao.domain.audit import Severity, audit
from jixiao.domain.recompute import Status, recompute
from jixiao.readers.text import read_text
from jixiao.testing import synth
from jixiao.writers.json import evaluation_dict

NATIONAL = templates.load("national-2020")


@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_forms_have_no_error(seed):
    form = synth.form(random.Random(seed), NATIONAL)
    errors = [(f.code, f.field, f.message) for f in audit(form, NATIONAL) if f.severity is Severity.ERROR]
    assert errors == []


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_generated_figures_are_the_rules_figures(seed):
    form = synth.form(random.Random(seed), NATIONAL)
    assert all(c.status is Status.MATCH for c in recompute(form, NATIONAL))
    assert sum((i.points for i in form.indicators), NATIONAL.execution_points) == NATIONAL.total_points


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=2**32))
def test_rendered_text_reads_back_to_the_same_form(seed):
    forms = list(synth.forms(3, NATIONAL, seed=seed))
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


def test_templates_without_a_scored_funding_block_are_refused():
    with pytest.raises(ValueError, match="shanghai-2019"):
        synth.form(random.Random(0), templates.load("shanghai-2019"))
