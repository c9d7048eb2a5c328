from django.urls import path

from . import views

app_name = "proconnect"

urlpatterns = [
    path("agents/proconnect/connexion/", views.LoginView.as_view(), name="login"),
    path("agents/proconnect/retour/", views.CallbackView.as_view(), name="callback"),
    path("agents/proconnect/refus/", views.refused, name="refused"),
    path("agents/proconnect/deconnexion/", views.logout, name="logout"),
    path("agents/proconnect/deconnexion/fin/", views.logged_out, name="logged-out"),
]
