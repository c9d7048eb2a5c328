"""ProConnect login: an agent is matched by e-mail (case-insensitive) to an existing, active
account holding at least one role. Nobody is ever created; an unknown address is refused."""

from __future__ import annotations

import logging

import jwt
import requests
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from . import config

logger = logging.getLogger(__name__)
REFUSAL_KEY = "proconnect_refusal"


class ProConnectBackend(OIDCAuthenticationBackend):
    def __init__(self, *args, **kwargs):
        # Django builds backends on every request (get_user): read the provider settings
        # only when a ProConnect login actually happens.
        self.UserModel = get_user_model()

    @staticmethod
    def get_settings(attr, *args):
        return config.get_setting(attr, *args)

    def authenticate(self, request, **kwargs):
        if request is None or not config.enabled() or "nonce" not in kwargs:
            return None  # password logins and anything else: not ours
        super().__init__()
        try:
            return super().authenticate(request, **kwargs)
        except requests.RequestException as exc:
            logger.warning("proconnect token or userinfo refused", extra={"error": str(exc)})
            self._refuse("provider")
        except SuspiciousOperation as exc:
            logger.warning("proconnect token invalid", extra={"error": str(exc)})
            self._refuse("provider")
        return None

    def retrieve_matching_jwk(self, token):
        """The provider's signing key: by `kid` (ProConnect sets it); a token without `kid`
        is accepted only when the provider publishes a single key for its algorithm."""
        header = jwt.get_unverified_header(token)
        if "kid" in header:
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            self.OIDC_OP_JWKS_ENDPOINT,
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
            timeout=self.get_settings("OIDC_TIMEOUT", None),
        )
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("alg", header.get("alg")) == header.get("alg")
            and key.get("use", "sig") == "sig"
        ]
        if len(keys) != 1:
            raise SuspiciousOperation("No single signing key for a token without kid")
        return jwt.PyJWK(keys[0])

    def _refuse(self, reason: str, email: str = "") -> None:
        self.request.session[REFUSAL_KEY] = {"reason": reason, "email": email[:254]}

    def verify_claims(self, claims):
        return bool(claims.get("email"))

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(
            email__iexact=email, is_active=True, roles__isnull=False
        ).distinct()

    def get_or_create_user(self, access_token, id_token, payload):
        user_info = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(user_info):
            self._refuse("claims")
            return None
        users = list(self.filter_users_by_claims(user_info)[:2])
        if len(users) == 1:
            logger.info("proconnect login", extra={"user": users[0].pk})
            return users[0]
        self._refuse("ambiguous" if users else "unknown", user_info.get("email", ""))
        return None

    def create_user(self, claims):  # never: accounts and roles are given by a référent
        raise SuspiciousOperation("ProConnect never creates accounts")
