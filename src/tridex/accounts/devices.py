"""What a session's browser and address say about the device: browser, system, kind, country.

Both lookups run on data shipped inside installed packages, never over the network: the user
agent through ua-parser's bundled rules, the country through geoip2fast's bundled table
(MaxMind GeoLite2 country data; see docs/decisions/0008-sessions-and-devices.md for its age and
licence). Private, loopback and link-local addresses are the local network, not a country.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from ua_parser import parse as parse_user_agent

from tridex.accounts.countries import country_name

logger = logging.getLogger(__name__)

LOCAL_NETWORK = "local"  # the country code stored for private and loopback addresses
_UNKNOWN_FAMILIES = {"", "Other"}


@dataclass(frozen=True)
class Device:
    browser: str  # "Chrome 131", "" when unknown
    browser_family: str  # "Chrome"
    os: str  # "iOS 17.4"
    os_family: str  # "iOS"
    kind: str  # "iPhone", "Samsung SM-S918B"; "" for computers and unknown devices
    country: str  # ISO code, LOCAL_NETWORK, or "" when unknown

    @property
    def fingerprint(self) -> str:
        """A stable name of browser family, system family and country, for "seen before?"."""
        text = f"{self.browser_family}|{self.os_family}|{self.country}".lower()
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def device_describe(*, user_agent: str, ip: str | None) -> Device:
    """Parse the user agent and place the address; unknown parts are empty strings."""
    parsed = parse_user_agent(user_agent or "")
    browser_family = _family(parsed.user_agent)
    os_family = _family(parsed.os)
    return Device(
        browser=_with_version(browser_family, parsed.user_agent),
        browser_family=browser_family,
        os=_with_version(os_family, parsed.os),
        os_family=os_family,
        kind=_kind(parsed.device),
        country=country_code(ip),
    )


def country_code(ip: str | None) -> str:
    """The ISO code of the country the address is in, LOCAL_NETWORK, or "" if unknown."""
    if not ip:
        return ""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ""
    if address.is_private or address.is_loopback or address.is_link_local:
        return LOCAL_NETWORK
    try:
        code = str(_geoip().lookup(str(address)).country_code or "")
    except Exception:  # a damaged table must not stop a sign-in; the place is only a hint
        logger.exception("country lookup failed for %s", address)
        return ""
    return code.upper() if len(code) == 2 and code.isalpha() else ""


def place_label(country: str) -> str:
    """The country as shown to the person, in the active language."""
    if country == LOCAL_NETWORK:
        return _("Local network")
    if not country:
        return _("Unknown place")
    return country_name(country)


def device_label(browser: str, os: str) -> str:
    """ "Chrome 131 on Windows 10", or as much of it as is known."""
    browser = browser or _("Unknown browser")
    if not os:
        return browser
    return _("%(browser)s on %(os)s") % {"browser": browser, "os": os}


@cache
def _geoip() -> Any:
    """The country table, loaded once per process (0.2 s for IPv4 and IPv6): the one inside
    the package, or a newer one built with geoip2fast's ``geoip2dat`` (TRIDEX_GEOIP_DATA_FILE)."""
    from geoip2fast import GeoIP2Fast

    data_file = settings.TRIDEX_GEOIP_DATA_FILE or "geoip2fast-ipv6.dat.gz"
    return GeoIP2Fast(geoip2fast_data_file=str(data_file), verbose=False)


def _family(part: Any) -> str:
    family = str(getattr(part, "family", "") or "") if part is not None else ""
    return "" if family in _UNKNOWN_FAMILIES else family


def _with_version(family: str, part: Any) -> str:
    if not family:
        return ""
    major, minor = getattr(part, "major", None), getattr(part, "minor", None)
    if not major:
        return family
    # "Chrome 131", "Safari 17.4": a minor version of 0 says nothing.
    return f"{family} {major}.{minor}" if minor and minor != "0" else f"{family} {major}"


def _kind(device: Any) -> str:
    family = _family(device)
    return "" if family == "Spider" else family
