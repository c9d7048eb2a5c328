from django.shortcuts import render
from django.views.decorators.http import require_GET

from engagements.organisation.queries import public_prefectures


@require_GET
def home(request):
    return render(request, "home/home.html", {"prefectures": public_prefectures()})


@require_GET
def legal(request):
    return render(request, "home/legal.html")


@require_GET
def privacy(request):
    return render(request, "home/privacy.html")


@require_GET
def accessibility(request):
    return render(request, "home/accessibility.html")
