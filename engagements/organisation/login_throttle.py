"""Login throttling for the agents' login and the admin (django-axes).

After `AXES_FAILURE_LIMIT` (10) failures for one account from one address (the address
from `engagements.antibot.client_ip`, so `TRUSTED_PROXIES` applies) within
`AXES_COOLOFF_TIME` (15 minutes), that account is locked for that address for 15 minutes:
even the right password opens no session. Other addresses and other accounts are not
affected. An administrator unlocks in the admin ("Tentatives d'accès": delete the line) or
with `manage.py axes_reset_username USERNAME` / `axes_reset_ip_username IP USERNAME`.

Both login forms below turn axes' lock into a French message on the login page itself;
the middleware then only changes the status to 429 (`lockout_response`).
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

LOCKED_MESSAGE = (
    "Trop d'essais infructueux pour ce compte depuis cette adresse : la connexion est "
    "bloquée. Réessayez dans 15 minutes ou demandez à un administrateur de débloquer le "
    "compte."
)
INVALID_MESSAGE = (
    "Identifiant ou mot de passe incorrect. Vérifiez votre saisie ; les majuscules comptent."
)


def is_locked(request) -> bool:
    return bool(request is not None and getattr(request, "axes_locked_out", False))


class _ThrottledMixin:
    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if is_locked(self.request):
                raise ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise


class ThrottledAuthenticationForm(_ThrottledMixin, AuthenticationForm):
    error_messages = {**AuthenticationForm.error_messages, "invalid_login": INVALID_MESSAGE}


class ThrottledAdminAuthenticationForm(_ThrottledMixin, AdminAuthenticationForm):
    pass


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: keep the login page the view rendered (with the message), 429."""
    if original_response is None:
        from django.http import HttpResponse

        return HttpResponse(LOCKED_MESSAGE, status=429, content_type="text/plain; charset=utf-8")
    original_response.status_code = 429
    return original_response
