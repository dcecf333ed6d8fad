"""Device, browser, system and country from a user agent and an address, with no network."""

from __future__ import annotations

import pytest
from django.utils import translation

from tridex.accounts import devices
from tridex.accounts.devices import LOCAL_NETWORK, country_code, device_describe, place_label

ANDROID = (
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Mobile Safari/537.36"
)
FIREFOX_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:133.0) Gecko/20100101 Firefox/133.0"


def test_user_agents_are_named_by_browser_system_and_device():
    phone = device_describe(user_agent=ANDROID, ip="1.0.128.1")
    assert (phone.browser, phone.os, phone.kind, phone.country) == (
        "Chrome Mobile 130",
        "Android 14",
        "Samsung SM-S918B",
        "TH",
    )
    mac = device_describe(user_agent=FIREFOX_MAC, ip="8.8.8.8")
    assert (mac.browser, mac.os_family, mac.kind) == ("Firefox 133", "Mac OS X", "Mac")
    assert mac.country == "US"


def test_unknown_agents_and_addresses_say_so():
    unknown = device_describe(user_agent="", ip=None)
    assert (unknown.browser, unknown.os, unknown.kind, unknown.country) == ("", "", "", "")
    with translation.override("en"):
        assert devices.device_label(unknown.browser, unknown.os) == "Unknown browser"
        assert place_label(unknown.country) == "Unknown place"


@pytest.mark.parametrize(
    "ip", ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.5", "::1", "fe80::1", "fd00::7"]
)
def test_private_and_loopback_addresses_are_the_local_network(ip):
    assert country_code(ip) == LOCAL_NETWORK
    with translation.override("th"):
        assert place_label(LOCAL_NETWORK) == "เครือข่ายภายใน"


def test_ipv6_and_garbage():
    assert country_code("2001:4860:4860::8888") == "US"
    assert country_code("not an address") == ""


def test_the_fingerprint_ignores_versions_but_not_country():
    old = device_describe(user_agent=FIREFOX_MAC, ip="8.8.8.8")
    new = device_describe(user_agent=FIREFOX_MAC.replace("133.0", "134.0"), ip="8.8.4.4")
    abroad = device_describe(user_agent=FIREFOX_MAC, ip="1.0.128.1")
    assert old.fingerprint == new.fingerprint != abroad.fingerprint


def test_a_missing_country_table_leaves_the_place_unknown(settings, tmp_path):
    settings.TRIDEX_GEOIP_DATA_FILE = str(tmp_path / "missing.dat.gz")
    devices._geoip.cache_clear()
    try:
        assert country_code("8.8.8.8") == ""
    finally:
        devices._geoip.cache_clear()
