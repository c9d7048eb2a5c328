from django.urls import path

from . import views

app_name = "outbox"
P = "agents/<slug:prefecture>/envois"

urlpatterns = [
    path(f"{P}/en-echec/", views.failed, name="agents-failed"),
    path(f"{P}/<int:pk>/renvoyer/", views.resend, name="agents-resend"),
]
