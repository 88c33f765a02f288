"""Limits in the actions (#21): text by kind, indicator rows, evidence files per indicator
and per form and their bytes, each a 422 naming what is over; a PDF drawn in a process of
its own, stopped after JIXIAO_RENDER_SECONDS, and 503 while every render slot is taken."""

from __future__ import annotations

import json
import multiprocessing
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jixiao.web import render
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.actions import checks
from jixiao.web.evaluations.actions import evidence as evidence_actions
from jixiao.web.evaluations.models import Event
from jixiao.web.orgs.models import ApiToken

from .conftest import edited
from .evidence_samples import PDF, pdf_bytes


def _save(tree, draft, data: dict):
    client = Client()
    headers = {"Authorization": f"Bearer {ApiToken.issue(tree.users['filler_a1'])}"}
    return client.put(
        f"/api/evaluations/{draft.pk}",
        json.dumps({"version": draft.version, "form": data}),
        content_type="application/json",
        headers=headers,
    )


def test_a_100000_character_field_is_refused_with_422_naming_it(tree, draft):
    data = dict(draft.data, goals=dict(draft.data["goals"], actual="字" * 100_000))
    answer = _save(tree, draft, data)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "实际完成情况" in detail and "5000" in detail and "100000" in detail
    draft.refresh_from_db()
    assert len(draft.data["goals"]["actual"]) < 1000  # the stored form unchanged


def test_names_and_narratives_have_their_own_limits(tree, project_a1, forms):
    form = forms[0]
    first = form.indicators[0]

    def create(**changes):
        row = replace(first, **changes)
        return actions.forms.create(
            user=tree.users["filler_a1"],
            project=project_a1,
            form=replace(form, indicators=(row, *form.indicators[1:])),
        )

    with pytest.raises(actions.errors.Invalid) as caught:
        create(name="名" * (checks.NAME_CHARS + 1))
    assert "第 1 个指标的三级指标" in caught.value.message and caught.value.status == 422
    with pytest.raises(actions.errors.Invalid) as caught:
        create(deviation="因" * (checks.NARRATIVE_CHARS + 1))
    assert "偏差原因" in caught.value.message
    ev = create(deviation="因" * checks.NARRATIVE_CHARS)  # at the limit: kept
    assert len(ev.data["indicators"][0]["deviation"]) == checks.NARRATIVE_CHARS


def test_more_indicator_rows_than_the_limit_are_refused(tree, project_a1, forms):
    form = forms[0]
    rows = tuple(
        replace(form.indicators[n % len(form.indicators)], name=f"指标{n}")
        for n in range(checks.MAX_INDICATORS + 1)
    )
    with pytest.raises(actions.errors.Invalid) as caught:
        actions.forms.create(
            user=tree.users["filler_a1"], project=project_a1, form=edited(form, indicators=rows)
        )
    assert str(checks.MAX_INDICATORS) in caught.value.message
    assert not project_a1.evaluations.exists()


def _upload(tree, draft, indicator: str, content: bytes = PDF, name: str = "a.pdf"):
    return actions.evidence.add(
        user=tree.users["filler_a1"],
        pk=draft.pk,
        indicator=indicator,
        upload=SimpleUploadedFile(name, content),
    )


def test_evidence_files_per_indicator_and_per_form_are_limited(tree, draft):
    names = [row["name"] for row in draft.data["indicators"]]
    for _ in range(evidence_actions.MAX_PER_INDICATOR):
        _upload(tree, draft, names[0])
    events = Event.objects.filter(evaluation=draft).count()
    with pytest.raises(actions.errors.Invalid) as caught:
        _upload(tree, draft, names[0])
    assert caught.value.status == 422 and str(evidence_actions.MAX_PER_INDICATOR) in (
        caught.value.message
    )
    assert draft.evidence.count() == evidence_actions.MAX_PER_INDICATOR
    assert Event.objects.filter(evaluation=draft).count() == events  # refused: no event

    left = evidence_actions.MAX_PER_FORM - evidence_actions.MAX_PER_INDICATOR
    others = [n for n in names[1:]]
    for n in range(left):
        _upload(tree, draft, others[n // evidence_actions.MAX_PER_INDICATOR % len(others)])
    assert draft.evidence.count() == evidence_actions.MAX_PER_FORM
    with pytest.raises(actions.errors.Invalid) as caught:
        _upload(tree, draft, others[-1])
    assert f"每张自评表最多 {evidence_actions.MAX_PER_FORM} 个" in caught.value.message


def test_evidence_bytes_per_form_are_limited(tree, draft, monkeypatch):
    """The limit (200 MB) lowered for the test, so three real files pass it."""
    big = pdf_bytes(marker="x" * 50_000)
    monkeypatch.setattr(evidence_actions, "MAX_FORM_BYTES", 2 * len(big) + 10)
    name = draft.data["indicators"][0]["name"]
    _upload(tree, draft, name, big)
    _upload(tree, draft, name, big)
    with pytest.raises(actions.errors.Invalid) as caught:
        _upload(tree, draft, name, big)
    assert "合计不能超过" in caught.value.message and draft.evidence.count() == 2


def _pdf_page(tree, draft):
    client = Client()
    client.force_login(tree.users["filler_a1"])
    return client.get(f"/forms/{draft.pk}/download/pdf/")


def test_a_pdf_is_drawn_in_another_process_and_stopped_past_its_time(tree, draft, monkeypatch):
    drawn = _pdf_page(tree, draft)
    assert drawn.status_code == 200
    assert b"".join(drawn.streaming_content).startswith(b"%PDF-")

    monkeypatch.setenv("JIXIAO_RENDER_SECONDS", "0.05")  # no PDF is drawn that fast
    stopped = _pdf_page(tree, draft)
    assert stopped.status_code == 422 and "已停止" in stopped.content.decode()
    assert multiprocessing.active_children() == []  # the child was killed and reaped
    api = Client().get(
        f"/api/evaluations/{draft.pk}/export?format=pdf",
        headers={"Authorization": f"Bearer {ApiToken.issue(tree.users['filler_a1'])}"},
    )
    assert api.status_code == 422 and "已停止" in api.json()["detail"]


def test_while_every_render_slot_is_taken_a_pdf_is_a_503(tree, draft, monkeypatch):
    monkeypatch.setenv("JIXIAO_RENDER_SECONDS", "0.2")
    taken = [render._slots.acquire(timeout=5) for _ in range(render.AT_ONCE)]
    try:
        assert all(taken)
        answer = _pdf_page(tree, draft)
    finally:
        for _ in taken:
            render._slots.release()
    assert answer.status_code == 503 and "请稍后再试" in answer.content.decode()


def test_a_render_whose_client_left_is_stopped_and_its_child_reaped(tmp_path, forms):
    """``gone`` is what waitress gives as ``waitress.client_disconnected``."""
    import time

    from jixiao.writers import Format

    started = time.monotonic()
    with pytest.raises(render.Abandoned):
        render.write(forms[0], Format.PDF, tmp_path / "a.pdf", limit=30, gone=lambda: True)
    assert time.monotonic() - started < 15  # long before the 30 s limit
    assert multiprocessing.active_children() == []
    render.write(forms[0], Format.PDF, tmp_path / "b.pdf", limit=60, gone=lambda: False)
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF-")
