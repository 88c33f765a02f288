"""The audit trail (审计留痕): field-level diffs and the hash chain of events.

Every saved edit and state change becomes an event. Each event's hash covers
the previous event's hash and the event's own content, so changing, removing or
reordering any stored event breaks the chain from there on (``verify_chain``).
Pure functions over plain JSON values; storage is the web layer's.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first event."""


_MISSING = object()


def field_diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    """What changed from ``old`` to ``new`` (nested dicts and lists of JSON
    values), one ``{"path", "old", "new"}`` per changed leaf, with the contract's
    field paths (``funding.executed``, ``indicators[3].score``). A key or list
    item that is added has no ``old``; one that is removed has no ``new``; both
    are reported whole."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        changes = []
        for key in list(old) + [k for k in new if k not in old]:
            sub = f"{path}.{key}" if path else str(key)
            changes += field_diff(old.get(key, _MISSING), new.get(key, _MISSING), sub)
        return changes
    if isinstance(old, list) and isinstance(new, list):
        changes = []
        for i in range(max(len(old), len(new))):
            changes += field_diff(
                old[i] if i < len(old) else _MISSING,
                new[i] if i < len(new) else _MISSING,
                f"{path}[{i}]",
            )
        return changes
    if old is not _MISSING and new is not _MISSING and old == new:
        return []
    change: dict[str, Any] = {"path": path}
    if old is not _MISSING:
        change["old"] = old
    if new is not _MISSING:
        change["new"] = new
    return [change]


def canonical(content: Mapping[str, Any]) -> bytes:
    """The bytes an event's hash is taken over: sorted keys, no spaces, UTF-8."""
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """sha256 over the previous hash and the event's canonical content."""
    return hashlib.sha256(prev_hash.encode() + canonical(content)).hexdigest()


@dataclass(frozen=True, slots=True)
class Link:
    """One stored event as the chain sees it."""

    id: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Break:
    """Where the chain does not hold, and why (Chinese, for the console)."""

    id: int
    reason: str


def verify_chain(links: Iterable[Link]) -> Iterator[Break]:
    """The breaks in a chain; none when it is intact.

    The chain is walked from :data:`GENESIS` by ``prev_hash``, not by row id:
    concurrent writers may commit in another order than their ids. An event the
    walk does not reach hangs off a removed or altered event. (Cutting events
    off the end leaves a shorter valid chain: compare the head hash with one
    recorded elsewhere.)"""
    by_prev = {link.prev_hash: link for link in links}
    prev = GENESIS
    while prev in by_prev:
        link = by_prev.pop(prev)
        if event_hash(link.prev_hash, link.content) != link.hash:
            yield Break(link.id, "内容与哈希不符（事件被修改）")
        prev = link.hash
    for link in sorted(by_prev.values(), key=lambda link: link.id):
        yield Break(link.id, "不在链上（之前的事件被删除或修改）")


def head(links: Iterable[Link]) -> str:
    """The hash of the last event reached from :data:`GENESIS` (the chain's head)."""
    by_prev = {link.prev_hash: link.hash for link in links}
    prev = GENESIS
    while prev in by_prev:
        prev = by_prev.pop(prev)
    return prev
