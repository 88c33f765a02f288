"""The audit trail (审计留痕): field-level diffs and the keyed chain of events.

Every saved edit and state change becomes an event. Each event's hash covers
the previous event's hash and the event's own content, so changing, removing or
reordering any stored event breaks the chain from there on (``verify_chain``).
Since epoch 1 the hash is an HMAC-SHA256 under a key kept outside the database
(:func:`event_mac`), so nobody who can only write the database can recompute
it; each event also carries the hashes of the state it produced
(:func:`state_hashes`), so the stored objects can be checked against the chain.
Events of epoch 0 (before keys) keep their plain sha256 (:func:`event_hash`).
Pure functions over plain JSON values; storage is the web layer's.
"""

from __future__ import annotations

import hashlib
import hmac
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


def event_mac(key: bytes, prev_hash: str, content: Mapping[str, Any]) -> str:
    """HMAC-SHA256 under ``key`` over the previous hash and the event's canonical content."""
    return hmac.new(key, prev_hash.encode() + canonical(content), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A key's public name (what the epoch event records): an HMAC of a fixed text under
    it, which says which key an epoch used without revealing anything of the key."""
    return hmac.new(key, b"jixiao trail key id", hashlib.sha256).hexdigest()[:16]


def value_hash(value: Any) -> str:
    """A stored value's hash (128 bits of sha256 over its canonical JSON)."""
    return hashlib.sha256(canonical({"v": value})).hexdigest()[:32]


def state_hashes(state: Mapping[str, Any]) -> dict[str, str]:
    """An object's state as one hash a field, so a check names the fields that differ."""
    return {name: value_hash(value) for name, value in state.items()}


def differing(recorded: Mapping[str, str], now: Mapping[str, str]) -> list[str]:
    """The fields whose hashes differ between a recorded state and the one stored now."""
    return sorted(k for k in set(recorded) | set(now) if recorded.get(k) != now.get(k))


@dataclass(frozen=True, slots=True)
class Link:
    """One stored event as the chain sees it (``epoch`` 0: plain sha256; from 1: HMAC
    under the key named by its epoch event, ``key`` in that event's content)."""

    id: int
    prev_hash: str
    hash: str
    content: Mapping[str, Any]
    epoch: int = 0


@dataclass(frozen=True, slots=True)
class Break:
    """Where the chain does not hold, and why (Chinese, for the console)."""

    id: int
    reason: str


EPOCH = "epoch"
"""The action of the event that starts an epoch (its content's ``diff`` names the key)."""


def epoch_key(content: Mapping[str, Any]) -> str | None:
    """The key id an epoch event records (``{"path": "key", "new": id}`` in its diff)."""
    for change in content.get("diff") or []:
        if isinstance(change, Mapping) and change.get("path") == "key":
            return str(change.get("new"))
    return None


def walk(links: Iterable[Link]) -> tuple[list[Link], list[Link]]:
    """The links reached from :data:`GENESIS` by ``prev_hash`` in chain order, and those
    not reached (hanging off a removed or altered event), by id."""
    by_prev = {link.prev_hash: link for link in links}
    prev, chain = GENESIS, []
    while prev in by_prev:
        link = by_prev.pop(prev)
        chain.append(link)
        prev = link.hash
    return chain, sorted(by_prev.values(), key=lambda link: link.id)


def verify_chain(
    links: Iterable[Link],
    keys: Mapping[str, bytes] | None = None,
    unverifiable: list[int] | None = None,
) -> Iterator[Break]:
    """The breaks in a chain; none when it is intact.

    The chain is walked from :data:`GENESIS` by ``prev_hash``, not by row id:
    concurrent writers may commit in another order than their ids. An event the
    walk does not reach hangs off a removed or altered event. (Cutting events
    off the end leaves a shorter valid chain: compare the head hash with one
    recorded elsewhere, ``jixiao trail-anchor``.)

    ``keys`` (key id → key) are the keys of the epochs; an event of an epoch whose key
    is not among them cannot be checked: its id goes to ``unverifiable`` (a chain with
    any such event is not proved intact). Epochs follow each other by one; an event of
    epoch 0 after epoch 1 began, or of another epoch than the last epoch event, breaks."""
    keys = keys or {}
    chain, hanging = walk(links)
    epoch, key = 0, None
    for link in chain:
        if link.content.get("action") == EPOCH and link.epoch == epoch + 1:
            epoch, key = link.epoch, keys.get(epoch_key(link.content) or "")
        elif link.epoch != epoch:
            yield Break(link.id, f"纪元 {link.epoch} 与所在纪元 {epoch} 不符（事件被插入或修改）")
            continue
        if epoch == 0:
            if event_hash(link.prev_hash, link.content) != link.hash:
                yield Break(link.id, "内容与哈希不符（事件被修改）")
        elif key is None:
            if unverifiable is not None:
                unverifiable.append(link.id)
        elif not hmac.compare_digest(event_mac(key, link.prev_hash, link.content), link.hash):
            yield Break(link.id, "内容与密钥哈希不符（事件被修改或不是用本链的密钥写的）")
    for link in hanging:
        yield Break(link.id, "不在链上（之前的事件被删除或修改）")


def head(links: Iterable[Link]) -> str:
    """The hash of the last event reached from :data:`GENESIS` (the chain's head)."""
    by_prev = {link.prev_hash: link.hash for link in links}
    prev = GENESIS
    while prev in by_prev:
        prev = by_prev.pop(prev)
    return prev
