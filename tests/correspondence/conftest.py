import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def french_by_default():
    """A request under /en/ leaves English active in the thread; URLs reversed by the next
    test would then start with /en/."""
    translation.activate("fr")
    yield
    translation.activate("fr")
