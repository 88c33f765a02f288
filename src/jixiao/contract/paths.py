"""Field paths: the public names of a form's values (``funding.execution_rate``,
``funding.breakdown.other_funds.score``, ``indicators[3].score``, ``total``).

The one place their grammar is known: dotted names, each name optionally with
an index (``name[3]``). A path names the same value in the JSON contract (the
object :mod:`jixiao.contract.json` writes) and in the model, where two
spellings differ: the 年度资金总额 row is ``funding.X`` in the JSON and
``funding.total.X`` on :class:`~jixiao.domain.model.Funding`, and the parts
nest under ``funding.breakdown`` in the JSON but sit on ``Funding`` itself.
Compiled with the domain core (setup.py): the audit asks it for every form.
"""

from __future__ import annotations

import re
from dataclasses import fields
from functools import lru_cache
from typing import Any, Final

from jixiao.domain.model import Evaluation, Funding, FundingLine

_STEP: Final = re.compile(r"([a-z_][a-z_0-9]*)(?:\[(\d+)\])?")
_LINE_KEYS: Final = frozenset(f.name for f in fields(FundingLine))


# The paths of the first rows made once: the audit names them on every form.
_ROWS: Final = tuple(f"indicators[{n}]" for n in range(64))
_SCORES: Final = tuple(f"{row}.score" for row in _ROWS)


def indicator(n: int) -> str:
    """The path of the ``n``-th indicator (0-based): ``indicators[3]``."""
    return _ROWS[n] if n < len(_ROWS) else f"indicators[{n}]"


def indicator_score(n: int) -> str:
    """The path of the ``n``-th indicator's score: ``indicators[3].score``."""
    return _SCORES[n] if n < len(_SCORES) else f"indicators[{n}].score"


@lru_cache(maxsize=4096)  # the same few hundred paths, form after form
def parse(path: str) -> tuple[tuple[str, int | None], ...] | None:
    """A path's steps, ``indicators[3].target`` → (("indicators", 3), ("target", None));
    None when ``path`` is not a field path."""
    if not path:
        return None
    steps: list[tuple[str, int | None]] = []
    for part in path.split("."):
        found = _STEP.fullmatch(part)
        if found is None:
            return None
        name, index = found.groups()
        steps.append((name, None if index is None else int(index)))
    return tuple(steps)


def is_path(path: str) -> bool:
    return parse(path) is not None


def indicator_of(path: str) -> tuple[int, str | None] | None:
    """(row, key) of an indicator's path: ``indicators[3].score`` → (3, "score"),
    ``indicators[3]`` → (3, None); None for any other path."""
    steps = parse(path)
    if not steps or steps[0][0] != "indicators" or steps[0][1] is None or len(steps) > 2:
        return None
    row = steps[0][1]
    if len(steps) == 1:
        return row, None
    key, index = steps[1]
    return (row, key) if index is None else None


def funding_of(path: str) -> tuple[str, str | None] | None:
    """(line, key) of a funding path: ``funding.executed`` → ("", "executed"),
    ``funding.breakdown.other_funds.score`` → ("other_funds", "score"),
    ``funding`` → ("", None); None for any other path. "" is the 年度资金总额 row."""
    steps = parse(path)
    if not steps or steps[0] != ("funding", None) or any(i is not None for _, i in steps):
        return None
    names = [name for name, _ in steps[1:]]
    if names[:1] == ["breakdown"]:
        if len(names) == 2:
            return names[1], None
        if len(names) == 3:
            return names[1], names[2]
        return None
    if not names:
        return "", None
    return ("", names[0]) if len(names) == 1 else None


def parent(path: str) -> str:
    """The path one step up: ``indicators[3].score`` → ``indicators[3]`` →
    ``indicators``; ``total`` → ""."""
    head, dot, last = path.rpartition(".")
    found = _STEP.fullmatch(last)
    if found is not None and found.group(2) is not None:
        return f"{head}{dot}{found.group(1)}"
    return head


# --- on the JSON ------------------------------------------------------------------------


def json_get(data: Any, path: str) -> Any:
    """The JSON value at ``path``; None where there is none."""
    steps = parse(path)
    if steps is None:
        return None
    node: Any = data
    for name, index in steps:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
        if index is not None:
            if not isinstance(node, list) or index >= len(node):
                return None
            node = node[index]
        if node is None:
            return None
    return node


def json_has(data: Any, path: str) -> bool:
    """Whether ``path`` names a place of this JSON object (its value may be null)."""
    steps = parse(path)
    if steps is None:
        return False
    node: Any = data
    for name, index in steps:
        if not isinstance(node, dict) or name not in node:
            return False
        node = node[name]
        if index is not None:
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
    return True


def json_set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at an existing place of the JSON object (KeyError, IndexError or
    TypeError where the path leads nowhere)."""
    steps = parse(path)
    if steps is None:
        raise KeyError(path)
    node: Any = data
    for n, (name, index) in enumerate(steps):
        last = n == len(steps) - 1
        if index is None:
            if last:
                node[name] = value
            else:
                node = node[name]
        else:
            items = node[name]
            if last:
                items[index] = value
            else:
                node = items[index]


# --- on the model -----------------------------------------------------------------------


def model_get(form: Evaluation, path: str) -> object:
    """The model's value at ``path`` (``funding.breakdown.other_funds.score``,
    ``indicators[3].target``); None where there is none."""
    steps = parse(path)
    if steps is None:
        return None
    obj: object = form
    in_breakdown = False
    for name, index in steps:
        if obj is None:
            return None
        if name == "breakdown" and isinstance(obj, Funding):
            in_breakdown = True  # the JSON nests the parts; the model keeps them on Funding
            continue
        if isinstance(obj, Funding) and in_breakdown:
            obj, in_breakdown = obj.part(name), False
            continue
        if isinstance(obj, Funding) and name in _LINE_KEYS:
            obj = obj.total  # funding.executed is the 年度资金总额 row's
        obj = getattr(obj, name, None)
        if index is not None:
            items = obj if isinstance(obj, tuple) else ()
            obj = items[index] if index < len(items) else None
    return obj


def model_attribute(path: str) -> str:
    """The dotted attributes :func:`model_get` follows for a path without indices
    (``funding.executed`` → ``funding.total.executed``), for ``operator.attrgetter``."""
    steps = parse(path)
    if steps is None or any(index is not None for _, index in steps):
        raise ValueError(f"not a field path without indices: {path}")
    chain: list[str] = []
    for name, _ in steps:
        if chain == ["funding"] and name == "breakdown":
            continue
        if chain == ["funding"] and name in _LINE_KEYS:
            chain.append("total")
        chain.append(name)
    return ".".join(chain)
