"""Anti-bot without a third party: ALTCHA proof-of-work (v1 protocol) and rate limits.

The page carries a signed challenge; `static/engagements/pow.js` finds the number whose
SHA-256 with the salt gives the challenge (a fraction of a second for a person, costly at
scale for a bot) and puts the base64 payload in the `altcha` field. The server checks the
signature, the expiry and that the challenge was not used before (replay).
Without JavaScript the form still shows, and says that the check needs JavaScript.
"""

from __future__ import annotations

import base64
import functools
import ipaddress
import json
from datetime import timedelta

from altcha import v1 as altcha
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHALLENGE_LIFETIME = timedelta(minutes=30)


def _key() -> str:
    return settings.SECRET_KEY + ":altcha"


def new_challenge() -> dict:
    challenge = altcha.create_challenge(
        hmac_key=_key(),
        max_number=settings.ALTCHA_MAX_NUMBER,
        expires=timezone.now() + CHALLENGE_LIFETIME,
    )
    return challenge.to_dict()


def verify(payload: str) -> bool:
    """True for a valid, unexpired, never-used solution."""
    if not payload:
        return False
    ok, _error = altcha.verify_solution(payload, _key(), check_expires=True)
    if not ok:
        return False
    try:
        signature = json.loads(base64.b64decode(payload))["signature"]
    except (ValueError, KeyError, TypeError):
        return False
    # cache.add is atomic on the database cache: the second use of a solution fails.
    return cache.add(f"altcha-used:{signature}", 1, timeout=CHALLENGE_LIFETIME.seconds + 60)


def solve(challenge: dict) -> str:
    """Solve a challenge server-side (tests and the benchmark's clients)."""
    solution = altcha.solve_challenge(
        challenge["challenge"],
        challenge["salt"],
        challenge["algorithm"],
        challenge["maxNumber"],
        0,
    )
    payload = {
        "algorithm": challenge["algorithm"],
        "challenge": challenge["challenge"],
        "number": solution.number,
        "salt": challenge["salt"],
        "signature": challenge["signature"],
    }
    return base64.b64encode(json.dumps(payload).encode()).decode()


class ProofOfWorkWidget(forms.Widget):
    template_name = "components/proof_of_work.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, None, attrs)
        context["challenge_json"] = json.dumps(new_challenge())
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name, "")


class ProofOfWorkField(forms.CharField):
    """A form field checked by the proof-of-work; add it as `altcha` to public forms."""

    widget = ProofOfWorkWidget
    default_error_messages = {
        "required": _(
            "La vérification anti-robot n'a pas abouti. Elle nécessite JavaScript : "
            "activez-le, patientez quelques secondes, puis envoyez à nouveau le formulaire."
        ),
        "invalid": _(
            "La vérification anti-robot a expiré ou n'est pas valide : envoyez à nouveau "
            "le formulaire."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Vérification anti-robot"))
        kwargs.setdefault("required", True)
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value and not verify(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


def rate_limited(key: str, *, limit: int, window: int) -> bool:
    """Count one hit for key; True when more than `limit` hits fell in the window (seconds).

    Fixed windows in the shared (database) cache: simple, and enough to slow a flood. One
    count for every thread, process and server: the database cache's `incr` is a read then
    a write (two hits at once both read 5 and write 6, and a flood spread over the servers
    passed the limit), so each hit counts under a transaction-scoped lock on its bucket.
    """
    bucket = f"rate:{key}:{int(timezone.now().timestamp()) // window}"
    return _hit(bucket, timeout=window + 5) > limit


def _hit(bucket: str, *, timeout: int) -> int:
    """One more hit in the bucket; the hits so far (this one included). The lock lasts
    the hit's own transaction (called inside a longer one, until that one ends)."""
    model = getattr(cache, "cache_model_class", None)  # the database cache's
    using = router.db_for_write(model) if model is not None else DEFAULT_DB_ALIAS
    with transaction.atomic(using=using):
        db = connections[using]
        if model is not None and db.vendor == "postgresql":
            with db.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(hashtext('engagements.rate'), hashtext(%s))",
                    [bucket],
                )
        if cache.add(bucket, 1, timeout=timeout):
            return 1
        try:
            return cache.incr(bucket)
        except ValueError:  # expired between add and incr
            cache.set(bucket, 1, timeout=timeout)
            return 1


def _address(text: str):
    """An IP address parsed from a header hop ("1.2.3.4", "[2001:db8::1]:443"), or None."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # IPv4 with a port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


@functools.lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The client's address, for rate limits and login throttling (the one place to ask).

    Without `TRUSTED_PROXIES` the peer (`REMOTE_ADDR`) is the client and `X-Forwarded-For`
    is ignored: anybody can write that header. When the peer is a trusted proxy, the header
    is walked from the right (the hop our proxy appended) past the trusted proxies, and the
    first address that is not one of them is the client.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(_address(remote), networks):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            # Not written by a proxy of ours: stop at the last address we can vouch for.
            break
        client = str(address)
        if not _trusted(address, networks):
            break
    return client
