"""The X12 file as one self-contained HTML page: `render_html(path)`."""

from __future__ import annotations

from edi.view.page import Redact, page, render_html

__all__ = ["Redact", "page", "render_html"]
