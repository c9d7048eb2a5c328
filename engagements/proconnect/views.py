"""ProConnect endpoints: start the login, the provider's callback, the refusal page and the
logout that also ends the session at the provider (id_token_hint)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import auth
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.crypto import get_random_string
from django.views import View
from django.views.decorators.http import require_POST
from mozilla_django_oidc import views as oidc_views

from . import config
from .backends import REFUSAL_KEY

ID_TOKEN = "oidc_id_token"
PROVIDER_LOGOUT = "proconnect_logout_url"


class _Enabled:
    def dispatch(self, request, *args, **kwargs):
        if not config.enabled():
            raise Http404("ProConnect n'est pas activé")
        return super().dispatch(request, *args, **kwargs)


class LoginView(_Enabled, oidc_views.OIDCAuthenticationRequestView):
    get_settings = staticmethod(config.get_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the provider's settings are read per login, not here

    def get(self, request):
        self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(_Enabled, oidc_views.OIDCAuthenticationCallbackView):
    get_settings = staticmethod(config.get_setting)

    def get(self, request):
        states = request.session.get("oidc_states") or {}
        if request.GET.get("error"):
            request.session[REFUSAL_KEY] = {"reason": "denied", "email": ""}
        elif request.GET.get("state") not in states:
            # Forged, replayed or stale callback: never a 500, never a login.
            request.session[REFUSAL_KEY] = {"reason": "state", "email": ""}
            return HttpResponseRedirect(self.failure_url)
        return super().get(request)

    @property
    def failure_url(self):
        return reverse("proconnect:refused")


def refused(request):
    if not config.enabled():
        raise Http404("ProConnect n'est pas activé")
    refusal = request.session.pop(REFUSAL_KEY, None) or {"reason": "", "email": ""}
    return render(request, "proconnect/refused.html", {"refusal": refusal}, status=403)


@require_POST
def logout(request):
    """Log out here, then at the provider when the session came from ProConnect.

    The page's CSP (form-action 'self') forbids the logout form to lead to the provider, so
    the provider's end-session address is opened from a page of ours."""
    id_token = request.session.get(ID_TOKEN)
    target = reverse(settings.LOGOUT_REDIRECT_URL)
    endpoint = config.get_setting("OIDC_OP_LOGOUT_ENDPOINT", "") if config.enabled() else ""
    auth.logout(request)
    if not (id_token and endpoint):
        return HttpResponseRedirect(target)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(target),
        }
    )
    request.session[PROVIDER_LOGOUT] = f"{endpoint}?{query}"
    return HttpResponseRedirect(reverse("proconnect:logged-out"))


def logged_out(request):
    provider_url = request.session.pop(PROVIDER_LOGOUT, None)
    if not provider_url:
        return HttpResponseRedirect(reverse(settings.LOGOUT_REDIRECT_URL))
    return render(request, "proconnect/logout.html", {"provider_url": provider_url})
