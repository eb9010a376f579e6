"""``/settings/emails``: the workspace's outbox, the log driver's emails, template previews."""

from __future__ import annotations

from flask import abort, g, render_template
from sqlmodel import col, select
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.emails import TEMPLATES, RenderedEmail, preferences_url, render_email
from hookwire.models import EmailOutbox
from hookwire.services import services
from hookwire.web.pages import pages
from hookwire.web.security import add_security_headers

email_pages = pages("email_pages", admin_only=True)
LIST_SIZE = 100
# A rendered email is shown in a sandboxed frame: its own styles, no script, no request
# anywhere but data: images.
EMAIL_FRAME_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: https:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def _rendered(template: str, values: dict, operational: bool) -> RenderedEmail:
    settings = services().config.emails
    return render_email(
        template, values, preferences_url=preferences_url(settings) if operational else None
    )


def _sample(name: str) -> RenderedEmail:
    template = TEMPLATES.get(name)
    if template is None:
        abort(404, f"No email template is named {name!r}.")
    return _rendered(name, dict(template.sample), template.operational)


def _logged(email_id: str) -> tuple[EmailOutbox, RenderedEmail]:
    """An email of this workspace that the log driver sent: the only ones whose content is
    shown (an SMTP-sent email may hold a link meant for its recipient alone)."""
    with transaction(services().engine, write=False) as session:
        email = session.get(EmailOutbox, email_id)
    if email is None or email.workspace_id != g.workspace.id or email.driver != "log":
        abort(404, "No email of this workspace with that id was kept by the log driver.")
    if TEMPLATES[email.template].private:
        abort(404, "This email holds a link meant for its recipient alone; it is not shown.")
    return email, _rendered(email.template, email.values, email.operational)


def _email_html(rendered: RenderedEmail) -> Response:
    response = Response(rendered.html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = EMAIL_FRAME_POLICY
    return add_security_headers(response)


@email_pages.get("/settings/emails")
def emails() -> str:
    with transaction(services().engine, write=False) as session:
        rows = session.exec(
            select(EmailOutbox)
            .where(EmailOutbox.workspace_id == g.workspace.id)
            .order_by(col(EmailOutbox.created_at).desc())
            .limit(LIST_SIZE)
        ).all()
    return render_template(
        "settings/emails.html",
        emails=rows,
        templates=TEMPLATES.values(),
        templates_by_name=TEMPLATES,
        driver=services().config.emails.driver,
    )


@email_pages.get("/settings/emails/<email_id>")
def email(email_id: str) -> str:
    row, rendered = _logged(email_id)
    return render_template(
        "settings/email.html",
        title=rendered.subject,
        email=row,
        rendered=rendered,
        frame_url=f"/settings/emails/{row.id}/html",
    )


@email_pages.get("/settings/emails/<email_id>/html")
def email_html(email_id: str) -> Response:
    return _email_html(_logged(email_id)[1])


@email_pages.get("/settings/emails/preview/<name>")
def preview(name: str) -> str:
    rendered = _sample(name)
    return render_template(
        "settings/email.html",
        title=f"Preview: {name}",
        email=None,
        name=name,
        rendered=rendered,
        frame_url=f"/settings/emails/preview/{name}/html",
    )


@email_pages.get("/settings/emails/preview/<name>/html")
def preview_html(name: str) -> Response:
    return _email_html(_sample(name))
