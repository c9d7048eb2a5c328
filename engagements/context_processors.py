from django.conf import settings
from django.utils.translation import get_language

from engagements.middleware import is_agents_page, is_flow_page, page_in_language


def shell(request):
    """What every page's shell needs: the language switch keeps the current page.

    The public flows (booking, contact form, survey, FAQ) offer every language; the other
    pages French and English only; the agents' space, in French only, none."""
    current = get_language() or settings.LANGUAGE_CODE
    flow = is_flow_page(request)
    languages = [] if is_agents_page(request) else settings.LANGUAGES
    switch = []
    for code, name in languages:
        if code in settings.FLOW_LANGUAGES and not flow:
            continue
        switch.append(
            {
                "code": code,
                "name": name,
                "url": page_in_language(request, code),
                "current": code == current,
            }
        )
    return {"language_switch": switch, "SITE_URL": settings.SITE_URL}
