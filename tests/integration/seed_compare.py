"""Compare a reader's JSON with a hand-transcribed seed fixture, field by field.

The fixture drives the walk: only the fields it names are compared. A long text
is stored as {"sha256", "chars"} (its "from" note says which cells it came
from) and compared by hash; ``form_index`` is compared with ``source.form_index``;
``problems`` lists the expected problems by field (and raw text where given),
compared as a whole so that a missing or an extra problem both show.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any


def _digest(text: str | None) -> dict | None:
    if text is None:
        return None
    return {"sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "chars": len(text)}


def _problems(want: list[dict], got: list[dict]) -> list[str]:
    diffs = []
    fields = Counter(p["field"] for p in want)
    found = Counter(p["field"] for p in got)
    if fields != found:
        diffs.append(
            f"problems: expected fields {sorted(fields.elements())}, got {sorted(found.elements())}"
        )
    for p in want:
        if "raw" in p and not any(g["field"] == p["field"] and g["raw"] == p["raw"] for g in got):
            raws = [g["raw"] for g in got if g["field"] == p["field"]]
            diffs.append(f"problems[{p['field']}].raw: expected {p['raw']!r}, got {raws!r}")
    return diffs


def differences(want: Any, got: Any, path: str = "") -> list[str]:
    """Every place where ``got`` differs from the fixture ``want``."""
    if isinstance(want, dict) and "sha256" in want:
        digest = _digest(got) if isinstance(got, str) or got is None else got
        expected = {"sha256": want["sha256"], "chars": want["chars"]}
        return (
            []
            if digest == expected
            else [f"{path}: text differs (expected {want['chars']} chars, got {digest})"]
        )
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{path}: expected an object, got {got!r}"]
        diffs = []
        for key, value in want.items():
            if key == "form_index":
                actual = (got.get("source") or {}).get("form_index")
                diffs += (
                    []
                    if actual == value
                    else [f"{path}.form_index: expected {value}, got {actual}"]
                )
            elif key == "problems":
                diffs += [f"{path}.{d}" for d in _problems(value, got.get("problems", []))]
            else:
                diffs += differences(value, got.get(key), f"{path}.{key}" if path else key)
        return diffs
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [
                f"{path}: expected {len(want)} items, got {len(got) if isinstance(got, list) else got!r}"
            ]
        return [
            d for n, (w, g) in enumerate(zip(want, got)) for d in differences(w, g, f"{path}[{n}]")
        ]
    return [] if want == got else [f"{path}: expected {want!r}, got {got!r}"]
