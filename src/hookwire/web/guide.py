"""``/docs/api-and-webhooks``: the "API & Webhooks" guide (``docs/api-and-webhooks.md``)."""

from __future__ import annotations

from pathlib import Path

import markdown
from flask import render_template, request
from markupsafe import Markup

from hookwire.web.pages import pages

guide_pages = pages("guide_pages", public=True)
GUIDE = Path(__file__).parent / "guide" / "api-and-webhooks.md"
EXAMPLE_BASE_URL = "http://localhost:3000"


@guide_pages.get("/docs/api-and-webhooks")
def api_and_webhooks() -> str:
    """The guide, with its examples pointed at this server."""
    converter = markdown.Markdown(extensions=["fenced_code", "tables", "toc"])
    source = GUIDE.read_text(encoding="utf-8").replace(EXAMPLE_BASE_URL, request.host_url[:-1])
    html = converter.convert(source)
    return render_template("guide.html", body=Markup(html), toc=Markup(converter.toc))
