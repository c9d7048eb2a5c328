"""What the FAQ shows on other apps' pages (filled into the shell's page slots)."""

from django.template.loader import render_to_string


def suggestions(request, prefecture, fields: str = "") -> str:
    """ "public-form-help": answers matching what the person types in `fields`
    (space-separated input ids of the page's form), or in a search box of its own when
    `fields` is empty; without JavaScript, a link (or the box's button) to the FAQ."""
    return render_to_string(
        "faq/public/_suggest_box.html",
        {"prefecture": prefecture, "fields": fields, "own_input": not fields},
        request=request,
    )


def answer_picker(request, prefecture, target: str) -> str:
    """ "answer-help": a search box inserting a FAQ answer into the textarea `target`."""
    return render_to_string(
        "faq/agents/_picker.html",
        {"prefecture": prefecture, "target": target},
        request=request,
    )
