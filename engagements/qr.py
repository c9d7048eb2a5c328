"""QR codes as inline SVG (segno, pure Python): no image request, works in PDFs too."""

from __future__ import annotations

import base64

import segno


def qr_svg(data: str, *, scale: int = 4, title: str | None = None) -> str:
    """An <svg> element for inline HTML (no XML declaration)."""
    qr = segno.make(data, error="m")
    return qr.svg_inline(scale=scale, title=title, dark="#000", light="#fff")


def qr_data_uri(data: str, *, scale: int = 4) -> str:
    """A data: URI of the SVG, for <img src> in PDFs and e-mails."""
    qr = segno.make(data, error="m")
    svg = qr.svg_inline(scale=scale, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
