"""Address book rules (services) and pages (ownership, forms, defaults)."""

from __future__ import annotations

import pytest

from tridex.accounts import selectors, services
from tridex.accounts.models import Address
from tridex.core.errors import Conflict, NotFound, ValidationFailed

pytestmark = pytest.mark.django_db

THAI = {
    "full_name": "สมชาย ใจดี",
    "phone": "081 234 5678",
    "country": "TH",
    "line1": "99/1 ถนนสุขุมวิท",
    "subdistrict": "คลองตันเหนือ",
    "district": "วัฒนา",
    "province": "TH-10",
    "postcode": "10110",
}
LONDON = {
    "full_name": "Jane Doe",
    "country": "GB",
    "line1": "10 Downing Street",
    "city": "London",
    "postcode": "sw1a 2aa",
}


def field_of(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> str | None:
    return excinfo.value.field


def test_first_thai_address_becomes_both_defaults(customer):
    address = services.address_create(user=customer, **THAI)
    assert address.is_default_shipping and address.is_default_billing
    assert address.province == "TH-10"
    assert address.city == ""


@pytest.mark.parametrize("name", ["กรุงเทพมหานคร", "Bangkok", "bangkok", "จังหวัดกรุงเทพมหานคร"])
def test_province_names_in_either_language_resolve_to_the_code(customer, name):
    address = services.address_create(user=customer, **{**THAI, "province": name})
    assert address.province == "TH-10"


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("postcode", "postcode"),
        ("province", "province"),
        ("district", "district"),
        ("subdistrict", "subdistrict"),
        ("line1", "line1"),
        ("full_name", "full_name"),
    ],
)
def test_thai_address_missing_field_names_the_field(customer, missing, field):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**THAI, missing: "  "})
    assert field_of(excinfo) == field
    assert excinfo.value.code == "required"
    assert not Address.objects.exists()


@pytest.mark.parametrize("postcode", ["1011", "101100", "1O110", "01234", "10 110x"])
def test_bad_thai_postcode(customer, postcode):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**THAI, "postcode": postcode})
    assert field_of(excinfo) == "postcode"
    assert excinfo.value.code == "invalid_postcode"


def test_unknown_province_is_refused(customer):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**THAI, "province": "Atlantis"})
    assert field_of(excinfo) == "province"


def test_international_address_requires_city(customer):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**LONDON, "city": ""})
    assert field_of(excinfo) == "city"


def test_international_address_checks_known_postcode_formats(customer):
    address = services.address_create(user=customer, **LONDON)
    assert address.postcode == "SW1A 2AA"
    assert address.province == ""
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**LONDON, "country": "US", "region": "NY"})
    assert field_of(excinfo) == "postcode"
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**LONDON, "country": "US", "postcode": "10001"})
    assert field_of(excinfo) == "region"


def test_country_without_a_postcode_rule_needs_only_city(customer):
    address = services.address_create(
        user=customer, full_name="A", country="AE", line1="Tower 1", city="Dubai"
    )
    assert address.country.code == "AE"


@pytest.mark.parametrize(
    ("field", "value"),
    [("country", "XX"), ("phone", "call me"), ("phone", "12"), ("line1", "x" * 300)],
)
def test_other_bad_input_names_the_field(customer, field, value):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **{**THAI, field: value})
    assert field_of(excinfo) == field


def test_unknown_field_is_refused(customer):
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_create(user=customer, **THAI, colour="red")
    assert field_of(excinfo) == "colour"


def test_update_revalidates_the_whole_address(customer):
    address = services.address_create(user=customer, **THAI)
    updated = services.address_update(user=customer, address_id=address.pk, line2="ชั้น 5")
    assert updated.line2 == "ชั้น 5"
    with pytest.raises(ValidationFailed) as excinfo:
        services.address_update(user=customer, address_id=address.pk, country="GB")
    assert field_of(excinfo) == "city"
    address.refresh_from_db()
    assert address.country.code == "TH"


def test_defaults_move_and_stay_unique(customer):
    first = services.address_create(user=customer, **THAI)
    second = services.address_create(user=customer, **LONDON, is_default_billing=True)
    first.refresh_from_db()
    assert first.is_default_shipping and not first.is_default_billing
    assert second.is_default_billing and not second.is_default_shipping

    services.address_set_default(user=customer, address_id=second.pk, kind="shipping")
    assert selectors.address_default(user=customer, kind="shipping") == second
    assert Address.objects.filter(user=customer, is_default_shipping=True).count() == 1

    with pytest.raises(ValidationFailed):
        services.address_set_default(user=customer, address_id=second.pk, kind="gift")


def test_deleting_a_default_passes_it_on(customer):
    first = services.address_create(user=customer, **THAI)
    second = services.address_create(user=customer, **LONDON)
    services.address_delete(user=customer, address_id=first.pk)
    second.refresh_from_db()
    assert second.is_default_shipping and second.is_default_billing


def test_services_refuse_another_users_address(customer, make_user):
    other = make_user(email="other@example.com")
    theirs = services.address_create(user=other, **THAI)
    for call in (
        lambda: services.address_update(user=customer, address_id=theirs.pk, line2="x"),
        lambda: services.address_delete(user=customer, address_id=theirs.pk),
        lambda: services.address_set_default(user=customer, address_id=theirs.pk, kind="billing"),
        lambda: selectors.address_get(user=customer, address_id=theirs.pk),
    ):
        with pytest.raises(NotFound):
            call()
    assert Address.objects.filter(pk=theirs.pk).exists()


def test_address_book_has_a_limit(customer, monkeypatch):
    monkeypatch.setattr(services, "MAX_ADDRESSES_PER_USER", 2)
    services.address_create(user=customer, **THAI)
    services.address_create(user=customer, **LONDON)
    with pytest.raises(Conflict):
        services.address_create(user=customer, **THAI)


def test_address_lines_in_each_language(customer):
    from django.utils import translation

    address = services.address_create(user=customer, **THAI)
    with translation.override("th"):
        assert "กรุงเทพมหานคร 10110" in address.lines()
    with translation.override("en"):
        assert "Bangkok 10110" in address.lines()


# --- pages ---------------------------------------------------------------------------------


def test_add_address_through_the_form(customer_client, customer):
    response = customer_client.post("/en/account/addresses/add/", THAI)
    assert response.status_code == 302
    assert response["Location"] == "/en/account/addresses/"
    page = customer_client.get("/en/account/addresses/")
    assert "Bangkok 10110" in page.text
    assert Address.objects.get(user=customer).is_default_shipping


def test_form_shows_the_service_error_next_to_the_field(customer_client):
    response = customer_client.post("/th/account/addresses/add/", {**THAI, "postcode": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["postcode"]
    assert 'id="id_postcode_error"' in response.text
    assert not Address.objects.exists()


def test_edit_and_delete_through_the_pages(customer_client, customer):
    address = services.address_create(user=customer, **THAI)
    edit = f"/en/account/addresses/{address.pk}/edit/"
    assert customer_client.get(edit).context["form"].initial["province"] == "TH-10"
    response = customer_client.post(edit, {**THAI, "line2": "Floor 5", "is_default_shipping": "on"})
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.line2 == "Floor 5"

    delete = f"/en/account/addresses/{address.pk}/delete/"
    assert customer_client.get(delete).status_code == 200
    assert Address.objects.filter(pk=address.pk).exists()
    assert customer_client.post(delete).status_code == 302
    assert not Address.objects.filter(pk=address.pk).exists()


def test_set_default_through_the_page(customer_client, customer):
    services.address_create(user=customer, **THAI)
    second = services.address_create(user=customer, **LONDON)
    url = f"/en/account/addresses/{second.pk}/default/"
    assert customer_client.post(url, {"kind": "billing"}).status_code == 302
    second.refresh_from_db()
    assert second.is_default_billing
    assert customer_client.post(url, {"kind": "nonsense"}).status_code == 422
    assert customer_client.get(url).status_code == 405


def test_another_users_address_is_404_on_every_page(customer_client, make_user):
    other = make_user(email="other@example.com")
    theirs = services.address_create(user=other, **THAI)
    base = f"/en/account/addresses/{theirs.pk}"
    assert customer_client.get(f"{base}/edit/").status_code == 404
    assert customer_client.post(f"{base}/edit/", THAI).status_code == 404
    assert customer_client.get(f"{base}/delete/").status_code == 404
    assert customer_client.post(f"{base}/delete/").status_code == 404
    assert customer_client.post(f"{base}/default/", {"kind": "shipping"}).status_code == 404
    assert "99/1" not in customer_client.get("/en/account/addresses/").text
    theirs.refresh_from_db()
    assert theirs.line2 == ""


def test_address_pages_need_a_login(client):
    response = client.get("/en/account/addresses/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/account/login/")
