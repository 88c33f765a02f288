"""Damaged forms never crash the audit: whatever the reader makes of damaged
text, the audit returns findings, each pointing at a field with a message."""

from hypothesis import HealthCheck, given, settings

from jixiao import templates
from jixiao.domain.audit import RULES, audit
from jixiao.readers import ReadError
from jixiao.readers.text import read_text
from tests.integration.test_text_reader_robust import damaged


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_the_audit_of_a_damaged_form_is_findings_not_a_crash(text):
    try:
        forms = read_text(text, "damaged.txt")
    except ReadError:
        return
    for form in forms:
        for finding in audit(form, templates.load(form.template)):
            assert finding.code in RULES and finding.field and finding.message
        # every problem the reader recorded is said by the audit too
        said = {f.field for f in audit(form, templates.load(form.template))}
        assert {p.field for p in form.problems} <= said
