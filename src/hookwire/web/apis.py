"""``/settings/apis``: the playground card, the workspace's API keys and OAuth applications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.errors import ApiError, BadRequest
from hookwire.identity import (
    IssuedApplication,
    IssuedKey,
    create_application,
    delete_application,
    is_expired,
    issue_api_key,
    last_uses,
    list_api_keys,
    list_applications,
    revoke_api_key,
    rotate_secret,
)
from hookwire.identity.scopes import SCOPES
from hookwire.models import ApiKey, OAuthApplication
from hookwire.services import services
from hookwire.web.consent import SCOPE_DESCRIPTIONS
from hookwire.web.pages import pages
from hookwire.web.playground import is_playground_key

api_pages = pages("api_pages", admin_writes=True)
EXPIRY_CHOICES = {"7": "7 days", "30": "30 days", "90": "90 days", "365": "1 year"}
DEFAULT_EXPIRY = "90"
MAX_NAME_LENGTH = 200
FORM_LABELS = {"name": "Application", "redirectUris": "Redirect URIs", "scopes": "Scopes"}


@dataclass
class ApplicationForm:
    """What the create-application form holds: kept when a submission is refused."""

    name: str = ""
    redirect_uris: str = ""
    scopes: list[str] = field(default_factory=lambda: list(SCOPES))
    public: bool = False

    @classmethod
    def submitted(cls) -> ApplicationForm:
        return cls(
            name=request.form.get("name", "").strip(),
            redirect_uris=request.form.get("redirect_uris", ""),
            scopes=request.form.getlist("scopes"),
            public=request.form.get("public") == "on",
        )

    def uri_list(self) -> list[str]:
        """One redirect URI per non-blank line."""
        return [line.strip() for line in self.redirect_uris.splitlines() if line.strip()]


@dataclass(frozen=True)
class ApplicationsView:
    """The applications section's state for one response."""

    issued: IssuedApplication | None = None
    rotated: bool = False
    error: str | None = None
    form: ApplicationForm = field(default_factory=ApplicationForm)


def _form_message(error: ApiError, uris: list[str]) -> str:
    """An identity error, its field named as the form labels it (the REST names otherwise)."""
    message = " ".join(error.messages)
    field_name, _, rest = message.partition(": ")
    if field_name.startswith("redirectUris[") and field_name.endswith("]"):
        index = field_name[len("redirectUris[") : -1]
        uri = uris[int(index)] if index.isdigit() and int(index) < len(uris) else ""
        return f"Redirect URIs: {uri} — {rest}" if uri else f"Redirect URIs: {rest}"
    label = FORM_LABELS.get(field_name)
    return f"{label}: {rest}" if label and rest else message


def key_status(key: ApiKey) -> str:
    if key.revoked_at is not None:
        return "revoked"
    return "expired" if is_expired(key) else "active"


def _listings() -> tuple[list[ApiKey], dict[str, datetime], list[OAuthApplication]]:
    """The workspace's keys (a playground's own only while they work), their last uses, and
    its OAuth applications: one transaction."""
    with transaction(services().engine) as session:
        keys = list_api_keys(session, g.workspace.id)
        keys = [k for k in keys if not is_playground_key(k.name) or key_status(k) == "active"]
        return (
            keys,
            last_uses(session, [k.id for k in keys]),
            list_applications(session, g.workspace.id),
        )


def _page(
    status: int = 200,
    created: IssuedKey | None = None,
    error: str | None = None,
    applications: ApplicationsView | None = None,
) -> tuple[str, int]:
    keys, used, oauth_apps = _listings()
    shows_secret = created is not None or (applications is not None and applications.issued)
    revoked_id = request.args.get("revoked")
    page = render_template(
        "settings/apis.html",
        keys=keys,
        last_used=used,
        key_status=key_status,
        is_playground_key=is_playground_key,
        expiry_choices=EXPIRY_CHOICES,
        default_expiry=DEFAULT_EXPIRY,
        created=created,
        error=error,
        revoked=next((k.name for k in keys if k.id == revoked_id), None),
        oauth_apps=oauth_apps,
        apps=applications or ApplicationsView(),
        app_deleted="application_deleted" in request.args,
        scope_choices=[(s, SCOPE_DESCRIPTIONS.get(s, s)) for s in SCOPES],
        # A page that shows a new secret answers a POST: its address becomes the plain page's,
        # so a reload shows that page (without the secret) instead of posting again.
        replace_url=url_for("api_pages.apis") if shows_secret else None,
    )
    return page, status


@api_pages.get("/settings")
def settings_home() -> Response:
    return redirect(url_for("api_pages.apis"))


@api_pages.get("/settings/apis")
def apis() -> tuple[str, int]:
    return _page()


@api_pages.post("/settings/apis/keys")
def create_key() -> tuple[str, int]:
    """Issue a key and show its token in this response only."""
    name = request.form.get("name", "").strip()
    days = request.form.get("expires_in", DEFAULT_EXPIRY)
    if not name or len(name) > MAX_NAME_LENGTH:
        return _page(400, error=f"Name: required, at most {MAX_NAME_LENGTH} characters.")
    if days not in EXPIRY_CHOICES:
        raise BadRequest(f"expires_in: expected one of {', '.join(EXPIRY_CHOICES)} (days)")
    with transaction(services().engine) as session:
        issued = issue_api_key(
            session, services().config.app_secret, g.workspace.id, name, timedelta(days=int(days))
        )
    return _page(201, created=issued)


@api_pages.post("/settings/apis/keys/<key_id>/revoke")
def revoke_key(key_id: str) -> Response:
    with transaction(services().engine) as session:
        key = revoke_api_key(session, key_id, g.workspace.id)
    return redirect(url_for("api_pages.apis", revoked=key.id), code=303)


@api_pages.post("/settings/apis/applications")
def create_oauth_application() -> tuple[str, int]:
    """Register an application and show its client secret in this response only."""
    form = ApplicationForm.submitted()
    if not form.scopes:
        return _page(
            400, applications=ApplicationsView(error="Scopes: choose at least one.", form=form)
        )
    try:
        with transaction(services().engine) as session:
            issued = create_application(
                session,
                g.workspace.id,
                form.name,
                form.uri_list(),
                form.scopes,
                public=form.public,
            )
    except ApiError as error:
        message = _form_message(error, form.uri_list())
        return _page(400, applications=ApplicationsView(error=message, form=form))
    return _page(201, applications=ApplicationsView(issued=issued))


@api_pages.post("/settings/apis/applications/<application_id>/rotate-secret")
def rotate_application_secret(application_id: str) -> tuple[str, int]:
    """A new client secret, shown in this response only; the old one stops working."""
    try:
        with transaction(services().engine) as session:
            issued = rotate_secret(session, g.workspace.id, application_id, g.signed_in.user.email)
    except BadRequest as error:
        return _page(400, applications=ApplicationsView(error=" ".join(error.messages)))
    return _page(200, applications=ApplicationsView(issued=issued, rotated=True))


@api_pages.post("/settings/apis/applications/<application_id>/delete")
def delete_oauth_application(application_id: str) -> Response:
    with transaction(services().engine) as session:
        delete_application(session, g.workspace.id, application_id)
    return redirect(
        url_for("api_pages.apis", application_deleted=1, _anchor="applications"), code=303
    )
