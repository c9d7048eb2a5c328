from django.urls import path

from .views import public

app_name = "home"
urlpatterns = [
    path("", public.home, name="home"),
    path("mentions-legales/", public.legal, name="legal"),
    path("donnees-personnelles/", public.privacy, name="privacy"),
    path("accessibilite/", public.accessibility, name="accessibility"),
]
