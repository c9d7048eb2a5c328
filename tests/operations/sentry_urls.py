"""A URL map for the error-tracking test: one view that fails with the person's details
in its error message (as a careless `raise` would)."""

from django.urls import path


def fails(request):
    email, phone = request.POST.get("email", ""), request.POST.get("telephone", "")
    raise ValueError(f"cannot register the request of {email} ({phone})")


urlpatterns = [path("boom/", fails)]
