"""A staff member who signs in through the app API without a second factor is refused by
every staff operation: the back office's middleware cannot see a session token, so the staff
API's own authentication asks the same question."""

from __future__ import annotations

import pytest

from tests.api.staff_helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/staff/orders", "/api/v1/staff/audit"])
def test_a_token_of_staff_without_a_factor_is_refused(client, staff_without_factor, path):
    _owner, headers = signed_in(client, "owner")
    response = client.get(path, headers={**headers, "Accept-Language": "en"})
    assert response.status_code == 403
    assert response.json()["code"] == "mfa_enrolment_required"


def test_the_setting_off_lets_the_same_token_in(client, staff_without_factor, settings):
    settings.TRIDEX_STAFF_MFA_REQUIRED = False
    _owner, headers = signed_in(client, "owner")
    assert client.get("/api/v1/staff/orders", headers=headers).status_code == 200
