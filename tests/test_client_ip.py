"""The client's address behind proxies: X-Forwarded-For only counts when the peer is one of
the TRUSTED_PROXIES, and is then read from the right, so a client cannot choose its address
(and so escape rate limits or login throttling) by writing the header itself."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from engagements.antibot import client_ip
from engagements.surveys.models import Response
from tests.surveys.factories import CampaignFactory


def _ip(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(RequestFactory().get("/", **meta))


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"
    assert _ip("203.0.113.9") == "203.0.113.9"


def test_a_peer_that_is_not_a_trusted_proxy_cannot_forward(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert _ip("203.0.113.9", "198.51.100.1") == "203.0.113.9"


def test_spoofed_first_hop_is_not_the_client(settings):
    """The client writes `X-Forwarded-For: 1.2.3.4`; our proxy appends the real peer."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip("10.0.0.1", "1.2.3.4, 203.0.113.9") == "203.0.113.9"
    assert _ip("10.0.0.1", "203.0.113.9") == "203.0.113.9"


def test_trusted_hops_are_skipped_from_the_right(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.7", "2001:db8::/32"]
    assert _ip("10.0.0.1", "1.2.3.4, 203.0.113.9, 192.0.2.7, 10.1.2.3") == "203.0.113.9"
    assert _ip("2001:db8::1", "2001:db8::2, [2001:db8:ffff::5]:443") == "2001:db8::2"
    assert _ip("10.0.0.1", "1.2.3.4, 2a01:cb00::7") == "2a01:cb00::7"
    assert _ip("10.0.0.1", "203.0.113.9:51234") == "203.0.113.9"


def test_garbage_or_missing_header_falls_back_to_the_last_trusted_hop(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _ip("10.0.0.1") == "10.0.0.1"
    assert _ip("10.0.0.1", "") == "10.0.0.1"
    assert _ip("10.0.0.1", "203.0.113.9, not-an-address") == "10.0.0.1"
    assert _ip("10.0.0.1", "10.0.0.2, 10.0.0.3") == "10.0.0.2"


def test_the_setting_refuses_what_is_not_an_address():
    from django.core.exceptions import ImproperlyConfigured

    from engagements.settings import _trusted_proxies

    assert _trusted_proxies(" 10.0.0.0/8, 192.0.2.7 ,") == ["10.0.0.0/8", "192.0.2.7"]
    assert _trusted_proxies("") == []
    with pytest.raises(ImproperlyConfigured):
        _trusted_proxies("proxy.example")


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [[], ["10.0.0.0/8"]])
def test_rate_limit_is_not_bypassed_by_a_forged_header(client, site, service, settings, trusted):
    """21 answers from one client, each with another forged first hop: the 21st is refused."""
    cache.clear()
    settings.TRUSTED_PROXIES = trusted
    peer = "10.0.0.1" if trusted else "203.0.113.9"
    campaigns = [CampaignFactory(site=site, services=[service]) for _ in range(21)]
    statuses = [
        client.post(
            reverse("surveys:answer", args=[c.token, service.slug]),
            {"q_global": "4"},
            REMOTE_ADDR=peer,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.9",
        ).status_code
        for n, c in enumerate(campaigns)
    ]
    assert statuses[:20] == [302] * 20
    assert statuses[20] == 429
    assert Response.objects.count() == 20
    # Another client behind the same proxy is not affected.
    other = CampaignFactory(site=site, services=[service])
    response = client.post(
        reverse("surveys:answer", args=[other.token, service.slug]),
        {"q_global": "4"},
        REMOTE_ADDR=peer if trusted else "203.0.113.10",
        HTTP_X_FORWARDED_FOR="203.0.113.10",
    )
    assert response.status_code == 302
