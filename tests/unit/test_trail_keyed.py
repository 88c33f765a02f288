"""The keyed chain of domain/trail.py (#22): HMAC links in epochs, the keys by their ids,
state hashes field by field."""

from __future__ import annotations

from jixiao.domain.trail import (
    EPOCH,
    GENESIS,
    Link,
    differing,
    event_hash,
    event_mac,
    key_id,
    state_hashes,
    verify_chain,
)

OLD, NEW = b"k" * 32, b"n" * 32


def _chain(spec):
    """Links from (epoch, key or None for sha256, content) in order."""
    links, prev = [], GENESIS
    for n, (epoch, key, content) in enumerate(spec, start=1):
        digest = event_mac(key, prev, content) if key else event_hash(prev, content)
        links.append(Link(n, prev, digest, content, epoch))
        prev = digest
    return links


def _epoch(key):
    return {"action": EPOCH, "diff": [{"path": "key", "new": key_id(key)}]}


def test_an_old_chain_then_two_keyed_epochs_verify_with_both_keys():
    links = _chain(
        [
            (0, None, {"action": "create"}),
            (1, OLD, _epoch(OLD)),
            (1, OLD, {"action": "save"}),
            (2, NEW, _epoch(NEW)),
            (2, NEW, {"action": "submit"}),
        ]
    )
    keys = {key_id(OLD): OLD, key_id(NEW): NEW}
    unverifiable: list[int] = []
    assert list(verify_chain(links, keys, unverifiable)) == [] and unverifiable == []
    assert not list(verify_chain(links, {key_id(NEW): NEW}, unverifiable))
    assert unverifiable == [2, 3]  # epoch 1's events: its key is missing


def test_a_keyed_event_rehashed_with_the_public_algorithm_breaks():
    links = _chain([(1, OLD, _epoch(OLD)), (1, None, {"action": "save"})])
    [broken] = verify_chain(links, {key_id(OLD): OLD})
    assert broken.id == 2 and "密钥" in broken.reason


def test_an_event_of_epoch_0_after_the_first_epoch_breaks():
    links = _chain([(1, OLD, _epoch(OLD)), (0, None, {"action": "save"})])
    [broken] = verify_chain(links, {key_id(OLD): OLD})
    assert broken.id == 2 and "纪元" in broken.reason


def test_key_ids_name_keys_without_revealing_them():
    assert key_id(OLD) != key_id(NEW) and len(key_id(OLD)) == 16
    assert OLD.decode() not in key_id(OLD)


def test_state_hashes_name_the_fields_that_differ():
    before = state_hashes({"grade": "良", "total": "85", "data": {"a": [1, 2]}})
    after = state_hashes({"grade": "优", "total": "85", "data": {"a": [1, 2]}})
    assert differing(before, after) == ["grade"]
    assert differing(before, {}) == ["data", "grade", "total"]
    assert state_hashes({"data": {"b": 1, "a": 2}}) == state_hashes({"data": {"a": 2, "b": 1}})
