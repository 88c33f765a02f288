"""The public JSON of ``jixiao import/score/check --json`` is what it was: every
form of the samples, the reader fixtures and the seeds, pinned by hash (see
tests/json_golden.py; regenerate with ``python -m tests.json_golden``)."""

from __future__ import annotations

import json

import pytest

from tests import json_golden
from tests.conftest import SEEDS


def _golden(part: str) -> dict:
    return json.loads(json_golden.GOLDEN.read_text(encoding="utf-8"))[part]


def _assert_same(part: str, found: dict) -> None:
    pinned = _golden(part)
    assert found.keys() == pinned.keys(), "other forms than pinned"
    for key, answer in pinned.items():
        for command in json_golden.COMMANDS:
            keys = found[key][f"{command}-keys"]
            changed = sorted(
                k
                for k in keys.keys() | answer[f"{command}-keys"].keys()
                if keys.get(k) != answer[f"{command}-keys"].get(k)
            )
            assert not changed, f"{command} --json of {key}: changed {changed}"
            assert found[key][command] == answer[command]


@pytest.mark.parametrize("part", ["samples", "files"])
def test_the_json_of_samples_and_reader_fixtures_is_unchanged(part):
    files = json_golden.corpus(None)[part]
    assert files
    _assert_same(part, json_golden.pinned(files))


def test_the_json_of_the_seed_forms_is_unchanged():
    if not SEEDS.is_dir():
        pytest.skip(f"seed forms not found at {SEEDS} (CI has ../shared/seeds; set JIXIAO_SEEDS)")
    _assert_same("seeds", json_golden.pinned(json_golden.corpus(SEEDS)["seeds"]))
