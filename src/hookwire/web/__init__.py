"""The settings UI: sign-in, the APIs and Webhooks pages, the playground and the guide."""

from flask import Blueprint, Flask

from hookwire.web.account import account_link_pages, account_pages
from hookwire.web.accounts import account_connection_pages
from hookwire.web.apis import api_pages
from hookwire.web.consent import consent_pages
from hookwire.web.email_preferences import preference_pages, unsubscribe_pages
from hookwire.web.emails import email_pages
from hookwire.web.guide import guide_pages
from hookwire.web.invitations import invitation_pages
from hookwire.web.members import member_pages
from hookwire.web.pages import is_admin
from hookwire.web.playground import playground_pages
from hookwire.web.provider_accounts import provider_account_pages
from hookwire.web.sdk import sdk_pages
from hookwire.web.signin import sign_in_pages
from hookwire.web.webhooks import webhook_pages

__all__ = ["register_web"]


def register_web(app: Flask) -> None:
    """Add the settings pages and their static files (``/web-static``) to ``app``."""
    app.register_blueprint(
        Blueprint("web", __name__, static_folder="static", static_url_path="/web-static")
    )
    app.add_template_global(is_admin)
    for blueprint in (
        sign_in_pages,
        api_pages,
        consent_pages,
        playground_pages,
        webhook_pages,
        preference_pages,
        email_pages,
        member_pages,
        account_pages,
        account_connection_pages,
        provider_account_pages,
        account_link_pages,
        unsubscribe_pages,
        invitation_pages,
        guide_pages,
        sdk_pages,
    ):
        app.register_blueprint(blueprint)
