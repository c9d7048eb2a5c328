import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _french():
    """Service messages are translated: start each test in French, whatever ran before."""
    with translation.override("fr"):
        yield
