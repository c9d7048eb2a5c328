"""The demo settings switch: `make demo` writes var/demo.env, manage.py reads it.

Only `KEY=VALUE` lines; a variable already set in the environment wins. Production never
has this file (it is created by `make demo` only and ignored by git), so nothing changes
there; the keys allowed are limited to the demo switch itself.
"""

import os
from pathlib import Path

DEMO_ENV = Path(__file__).resolve().parent.parent / "var" / "demo.env"
ALLOWED_KEYS = {"ENGAGEMENTS_DEMO"}


def load(path: Path = DEMO_ENV) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = (part.strip() for part in line.split("=", 1))
        if key in ALLOWED_KEYS:
            os.environ.setdefault(key, value)
