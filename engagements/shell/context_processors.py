from .addresses import Addresses


def addresses(request):
    """`shell_urls`: the addresses the shared templates link to (see addresses.py)."""
    return {"shell_urls": Addresses(request)}
