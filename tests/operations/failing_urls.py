"""A URL map for the error-tracking and metrics tests: views that fail, one with the
person's details in its error message (as a careless `raise` would), one on a database
that does not answer."""

from django.db import OperationalError
from django.urls import path


def fails(request):
    email, phone = request.POST.get("email", ""), request.POST.get("telephone", "")
    raise ValueError(f"cannot register the request of {email} ({phone})")


def database_down(request):
    raise OperationalError("connection to server at 10.0.0.5, port 5432 failed")


urlpatterns = [path("boom/", fails), path("database-down/", database_down)]
