"""Django admin for bureau admins, and migrations that match the models."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_migrations_are_committed_for_every_model_change():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)  # exits non-zero if missing


@pytest.mark.parametrize("page", ["orgs/organisation/", "orgs/membership/", "evaluations/project/",
                                  "evaluations/evaluation/", "evaluations/event/",
                                  "evaluations/approvedtargets/"])
def test_staff_see_admin_lists_and_others_are_sent_to_login(tree, draft, client, page):
    client.force_login(tree.users["filler_a1"])
    assert client.get(f"/admin/{page}").status_code == 302
    admin = tree.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/{page}").status_code == 200


def test_forms_and_events_cannot_be_changed_in_admin(tree, draft, client):
    admin = tree.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    assert client.get(f"/admin/evaluations/evaluation/{draft.pk}/delete/").status_code == 403
    event = draft.events.get()
    answer = client.post(f"/admin/evaluations/event/{event.pk}/change/", {"actor_name": "someone"})
    assert answer.status_code == 403
    event.refresh_from_db()
    assert event.actor_name == "filler_a1"
