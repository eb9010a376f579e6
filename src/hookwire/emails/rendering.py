"""Rendering: Jinja2 fills a template's values, mjml-python turns its MJML into HTML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from mjml import mjml2html

from hookwire.emails.catalog import TEMPLATES, EmailTemplate

TEMPLATE_DIR = Path(__file__).parent / "templates"


class EmailTemplateError(ValueError):
    """An unknown template, or values that do not fit it; the message says which."""


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


@cache
def _environment(html: bool) -> jinja2.Environment:
    # StrictUndefined: a value the template uses but nobody gave raises instead of printing "".
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=False,
    )


def template_named(name: str) -> EmailTemplate:
    template = TEMPLATES.get(name)
    if template is None:
        raise EmailTemplateError(
            f"template: unknown email {name!r}; expected one of {', '.join(sorted(TEMPLATES))}"
        )
    return template


def check_values(name: str, values: Mapping[str, Any]) -> EmailTemplate:
    """The template ``name``, once ``values`` has every value it needs and nothing else."""
    template = template_named(name)
    missing = [key for key in template.required if values.get(key) is None]
    if missing:
        raise EmailTemplateError(f"values: {name} needs {', '.join(missing)}")
    unknown = sorted(set(values) - set(template.required))
    if unknown:
        raise EmailTemplateError(f"values: {name} takes no {', '.join(unknown)}")
    for key, allowed in template.choices.items():
        if values[key] not in allowed:
            raise EmailTemplateError(
                f"values: {key} of {name} must be one of {', '.join(allowed)}, got {values[key]!r}"
            )
    try:
        json.dumps(dict(values))
    except (TypeError, ValueError) as error:
        raise EmailTemplateError(f"values: {name} needs JSON values ({error})") from None
    return template


def render_email(
    name: str,
    values: Mapping[str, Any],
    *,
    preferences_url: str | None = None,
    unsubscribe_url: str | None = None,
) -> RenderedEmail:
    """Subject, HTML and text of the email ``name``; raises ``EmailTemplateError`` on missing
    or unexpected values. ``preferences_url`` adds the footer of an operational email, and
    ``unsubscribe_url`` its recipient's one-click link."""
    check_values(name, values)
    template = template_named(name)
    context = {**values}
    if preferences_url is not None:
        context["preferences_url"] = preferences_url
        if unsubscribe_url is not None:
            context["unsubscribe_url"] = unsubscribe_url
    try:
        subject = _environment(False).from_string(template.subject).render(context)
        mjml = _environment(True).get_template(f"{name}.mjml").render(context, subject=subject)
        text = _environment(False).get_template(f"{name}.txt").render(context)
    except jinja2.UndefinedError as error:
        raise EmailTemplateError(
            f"values: {name} needs a value it was not given ({error})"
        ) from None
    return RenderedEmail(
        subject=" ".join(subject.split()),
        html=mjml2html(mjml, disable_comments=True),
        text=text.strip() + "\n",
    )
