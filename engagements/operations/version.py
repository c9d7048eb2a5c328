"""The product's version (pyproject.toml, as installed), for backups and error reports."""

from __future__ import annotations


def product_version() -> str:
    from importlib import metadata

    try:
        return metadata.version("engagements")
    except metadata.PackageNotFoundError:  # running from a checkout that was not installed
        return "unknown"
