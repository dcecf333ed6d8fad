"""Staff handle privacy requests in the admin: due dates, an overdue filter, actions that run
the export or the erasure, and every step in the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.utils import timezone

from tridex.accounts.models import User
from tridex.accounts.roles import ROLES
from tridex.accounts.services import roles_sync
from tridex.audit.models import AuditEntry
from tridex.privacy.models import PrivacyRequest

URL = "/admin/privacy/privacyrequest/"


@pytest.fixture
def agent(db) -> Client:
    """A support agent (the role that answers privacy requests)."""
    roles_sync(reset=True)
    user = User.objects.create_user(
        email="agent@example.com", password="a-long-password-1", is_staff=True
    )
    user.groups.set([Group.objects.get(name=ROLES["support_agent"].group_name)])
    client = Client()
    client.force_login(user)
    return client


def make_request(user, kind="access", due_in_days=30) -> PrivacyRequest:
    now = timezone.now()
    return PrivacyRequest.objects.create(
        user=user, kind=kind, channel="staff", due_at=now + timedelta(days=due_in_days)
    )


def test_overdue_filter_lists_only_overdue_pending_requests(agent, customer, other):
    late = make_request(customer, due_in_days=-1)
    make_request(other, due_in_days=10)
    done = make_request(other, due_in_days=-5)
    PrivacyRequest.objects.filter(pk=done.pk).update(status="completed")
    response = agent.get(URL, {"due": "overdue"})
    assert response.status_code == 200
    shown = [obj.pk for obj in response.context["cl"].result_list]
    assert shown == [late.pk]


def test_staff_register_a_request_with_its_due_date_and_it_is_audited(agent, customer):
    response = agent.post(
        f"{URL}add/",
        {"user": customer.pk, "kind": "correction", "details": "Fix my name", "staff_note": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    request = PrivacyRequest.objects.get()
    assert request.channel == "staff" and request.status == "pending"
    assert timedelta(days=29, hours=23) < request.due_at - request.created_at <= timedelta(days=30)
    entries = AuditEntry.objects.filter(object_type="privacy.privacyrequest")
    assert entries.filter(action="create").exists()  # the admin's own entry
    assert entries.filter(data__privacy="received", actor_label="agent@example.com").exists()


def test_run_export_action_builds_and_emails_the_link(agent, customer):
    request = make_request(customer, kind="export")
    response = agent.post(URL, {"action": "run_export", "_selected_action": [request.pk]})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed" and request.export_file and request.export_emailed_at
    assert mail.outbox[-1].to == [customer.email]
    entries = AuditEntry.objects.filter(
        object_type="privacy.privacyrequest", object_id=str(request.pk)
    )
    admin_entry = entries.get(data__action="run_export")  # the admin site's, with the diff
    assert admin_entry.actor_label == "agent@example.com" and "status" in admin_entry.changes
    assert entries.filter(data__privacy="export_built").exists()  # the service's own


def test_run_erasure_action_erases_at_once(agent, customer):
    now = timezone.now()
    request = PrivacyRequest.objects.create(
        user=customer,
        kind="erasure",
        due_at=now + timedelta(days=30),
        erase_after=now + timedelta(days=30),
    )
    agent.post(URL, {"action": "run_erasure", "_selected_action": [request.pk]})
    customer.refresh_from_db()
    assert not customer.is_active and customer.email.endswith("@erased.invalid")
    assert AuditEntry.objects.filter(object_id=str(request.pk), data__privacy="erased").exists()


def test_an_action_on_the_wrong_kind_says_so_and_changes_nothing(agent, customer):
    request = make_request(customer, kind="access")
    response = agent.post(
        URL, {"action": "run_export", "_selected_action": [request.pk]}, follow=True
    )
    assert b"Only pending exports can be run." in response.content
    request.refresh_from_db()
    assert request.status == "pending"


def test_mark_completed_closes_access_requests_but_not_exports(agent, customer):
    access = make_request(customer, kind="access")
    export = make_request(customer, kind="export")
    agent.post(URL, {"action": "mark_completed", "_selected_action": [access.pk, export.pk]})
    access.refresh_from_db()
    export.refresh_from_db()
    assert access.status == "completed" and access.completed_at
    assert export.status == "pending"


def test_requests_cannot_be_deleted(agent, customer):
    request = make_request(customer)
    response = agent.post(f"{URL}{request.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert PrivacyRequest.objects.filter(pk=request.pk).exists()


def test_a_customer_cannot_reach_the_admin(customer):
    client = Client()
    client.force_login(customer)
    assert client.get(URL).status_code == 302
