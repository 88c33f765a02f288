"""schemathesis against ``/api/openapi.json``: requests generated from the API's
own OpenAPI document (a bounded number per operation, valid and invalid), sent
to the WSGI app in-process as three accounts (a unit's filler, its department's
reviewer, the bureau admin), on a tree with a form in every workflow state.
Whatever they send, the app never answers with a server error (5xx)."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.domain.workflow import Action
from jixiao.web.evaluations import actions
from jixiao.web.evaluations.models import Evaluation, Project
from jixiao.web.orgs.models import ApiToken
from jixiao.web.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = 25  # per operation: ~20 operations × 3 accounts, well under a minute


@pytest.fixture
def keep_connection():
    """As Django's test client does: the app must not close the test's database
    connection (inside the test's transaction) when a request ends."""
    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def tokens(tree, project_a1, forms):
    """Forms of 甲一中心 in draft, submitted and approved."""
    filler, reviewer = tree.users["filler_a1"], tree.users["reviewer_a"]
    for form, steps in (
        (forms[0], []),
        (forms[2], [Action.SUBMIT]),
        (forms[4], [Action.SUBMIT, Action.APPROVE]),
    ):
        project = Project.objects.create(
            code=f"S-{form.year}-{len(form.indicators)}", name="模糊测试", unit=tree.unit_a1
        )
        ev = actions.forms.create(user=filler, project=project, form=form)
        for action in steps:
            actions.workflow.step(
                user=reviewer if action is Action.APPROVE else filler, pk=ev.pk, action=action
            )
    return {name: ApiToken.issue(tree.users[name]) for name in ("filler_a1", "reviewer_a", "admin")}


def _aimed(case, pk: int | None, code: str | None):
    """Most generated ids exist nowhere; aim part of the cases at real forms and projects."""
    params = case.path_parameters or {}
    if pk is not None and "pk" in params:
        params["pk"] = pk
    if code is not None and "code" in params:
        params["code"] = code
    return case


REVOKING = {"DELETE /api/auth/token", "DELETE /api/auth/tokens/{token_id}"}


def test_no_server_errors_on_any_operation(tokens, keep_connection):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    pks = st.sampled_from([None, *Evaluation.objects.values_list("pk", flat=True)])
    codes = st.sampled_from([None, *Project.objects.values_list("code", flat=True)])
    failures, answers = [], Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in REVOKING:
            continue  # would revoke the tokens the rest is called with (test_accounts.py)

        @given(case=st.builds(_aimed, operation.as_strategy(), pks, codes))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):  # called at once below, so the loop variable is current
            for name, token in tokens.items():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                answers[operation.label, response.status_code] += 1  # noqa: B023 (run() is called at once)
                if response.status_code >= 500:
                    failures.append(
                        (
                            operation.label,  # noqa: B023
                            name,
                            response.status_code,
                            case.path_parameters,
                            case.query,
                            str(case.body)[:200],
                        )
                    )

        run()
    assert failures == []
    labels = {label for label, _ in answers}
    assert (
        len(labels) >= 19 and sum(answers.values()) >= 19 * len(tokens) * 5
    )  # every operation was exercised
    assert {status for _, status in answers} >= {200, 403, 404, 422}


FIGURES = [
    "total",
    "total_points",
    "funding.executed",
    "funding.annual_budget",
    "funding.initial_budget",
    "funding.points",
    "funding.execution_rate",
    "funding.score",
    "indicators.0.points",
    "indicators.0.score",
    "indicators.1.points",
    "indicators.1.score",
]
NUMBERS = st.one_of(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, min_value=-(10**12), max_value=10**12
    ),
    st.decimals(allow_nan=False, allow_infinity=False),
).map(str)


def test_saving_any_figures_is_never_a_server_error(tree, draft, keep_connection):
    """Valid contract JSON with odd figures (what schemathesis cannot build):
    the audit runs on every save, and must answer 200 or 422."""
    from django.test import Client

    client = Client()
    client.force_login(tree.users["filler_a1"])
    answers = Counter()

    @given(changes=st.dictionaries(st.sampled_from(FIGURES), NUMBERS, min_size=1, max_size=4))
    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def save(changes):
        draft.refresh_from_db()
        form = json.loads(json.dumps(draft.data))
        for path, value in changes.items():
            *parents, last = path.split(".")
            node = form
            for part in parents:
                node = node[int(part)] if part.isdigit() else node[part]
            node[last] = value
        answer = client.put(
            f"/api/evaluations/{draft.pk}",
            json.dumps({"version": draft.version, "form": form}),
            content_type="application/json",
        )
        assert answer.status_code in (200, 422), (changes, answer.content[:300])
        answers[answer.status_code] += 1

    save()
    assert answers[200] >= 10  # most odd figures are stored, with findings
