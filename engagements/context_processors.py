from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def shell(request):
    """What every page's shell needs: the language switch keeps the current page."""
    current = get_language() or settings.LANGUAGE_CODE
    switch = []
    for code, name in settings.LANGUAGES:
        switch.append(
            {
                "code": code,
                "name": name,
                "url": translate_url(request.get_full_path(), code),
                "current": code == current,
            }
        )
    return {"language_switch": switch, "SITE_URL": settings.SITE_URL}
