"""The audit finds exactly what it found before it was made faster: every
finding (code, severity, field and a hash of its whole text) on the samples,
synthetic forms and slipped copies, and on the seed forms where present.
See tests/audit_golden.py; regenerate with ``python -m tests.audit_golden``."""

import json

import pytest

from tests import audit_golden
from tests.conftest import SEEDS


def golden(part: str) -> dict:
    return json.loads(audit_golden.GOLDEN.read_text(encoding="utf-8"))[part]


def assert_same(found: dict, pinned: dict) -> None:
    assert found.keys() == pinned.keys(), (
        "other forms than pinned: regenerate with `python -m tests.audit_golden`"
    )
    changed = [key for key in pinned if found[key] != pinned[key]]
    assert not changed, (
        f"{len(changed)} forms' findings changed, first {changed[0]}: now {found[changed[0]]}, pinned "
        f"{pinned[changed[0]]} (a change of the audit's findings or of jixiao.testing.synth on purpose: "
        "regenerate with `python -m tests.audit_golden`)"
    )


def test_findings_on_synthetic_and_slipped_forms_are_unchanged():
    pinned = golden("synthetic")
    assert sum(len(v) for v in pinned.values()) > 1000  # the slips do reach the checks
    assert_same(audit_golden.pinned(audit_golden.synthetic_forms()), pinned)


def test_findings_on_seed_forms_are_unchanged():
    if not SEEDS.is_dir():
        pytest.skip(f"seed forms not found at {SEEDS} (CI has ../shared/seeds; set JIXIAO_SEEDS)")
    assert_same(audit_golden.pinned(audit_golden.seed_forms(SEEDS)), golden("seeds"))
