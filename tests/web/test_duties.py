"""职责分离 (#22): whoever filled or submitted a form never approves or 复核s it, whatever
roles they hold, now or later — through the actions and the API."""

from __future__ import annotations

import pytest

from jixiao.domain.workflow import Action, State
from jixiao.web.evaluations import actions
from jixiao.web.orgs.models import Membership

pytestmark = pytest.mark.django_db


def _become_reviewer(user, org):
    place = Membership.objects.get(user=user)
    place.role, place.organisation = "reviewer", org
    place.save()
    user.refresh_from_db()
    return user


def test_a_filler_made_reviewer_cannot_approve_or_review_its_own_form(tree, draft):
    filler = tree.users["filler_a1"]
    actions.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT)
    clerk = _become_reviewer(filler, tree.dept_a)
    ev = actions.access.get(clerk, draft.pk)
    assert Action.APPROVE not in actions.access.steps(clerk, ev)
    with pytest.raises(actions.errors.Forbidden, match="职责分离"):
        actions.workflow.step(user=clerk, pk=draft.pk, action=Action.APPROVE)
    with pytest.raises(actions.errors.Forbidden, match="职责分离"):
        actions.review.set_scores(
            user=clerk, pk=draft.pk, version=2, scores={"indicators[0].score": "1"}
        )
    other = tree.users["reviewer_a"]  # another reviewer still may
    assert Action.APPROVE in actions.access.steps(other, ev)
    assert actions.workflow.step(user=other, pk=draft.pk, action=Action.APPROVE).state == (
        State.APPROVED
    )


def test_the_api_refuses_the_submitter_403(tree, draft, client):
    filler = tree.users["filler_a1"]
    actions.workflow.step(user=filler, pk=draft.pk, action=Action.SUBMIT)
    _become_reviewer(filler, tree.dept_a)
    from jixiao.web.orgs.models import ApiToken

    token = ApiToken.issue(filler)
    answer = client.post(
        f"/api/evaluations/{draft.pk}/approve",
        {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 403 and "职责分离" in answer.json()["detail"]
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
