"""Sample URL arguments for every agent URL of the FAQ app (cross-prefecture test)."""

from tests.faq.factories import EntryFactory, SearchMissFactory, SheetFactory


def cases(prefecture, site, service) -> dict[str, dict]:
    entry = EntryFactory(service=service)
    miss = SearchMissFactory(service=service)
    sheet = SheetFactory(service=service)
    return {
        "faq:agents-list": {},
        "faq:agents-new": {},
        "faq:agents-edit": {"pk": entry.pk},
        "faq:agents-review": {"pk": entry.pk},
        "faq:agents-misses": {},
        "faq:agents-miss-dismiss": {"pk": miss.pk},
        "faq:agents-insert": {},
        "faq:agents-sheets": {},
        "faq:agents-sheet-new": {},
        "faq:agents-sheet": {"pk": sheet.pk},
        "faq:agents-sheet-edit": {"pk": sheet.pk},
        "faq:agents-sheet-review": {"pk": sheet.pk},
    }
