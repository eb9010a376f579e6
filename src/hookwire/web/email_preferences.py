"""Which operational emails an admin gets: ``/settings/emails/preferences`` for a signed-in
admin, and the one-click unsubscribe link (RFC 8058) every operational email carries."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hookwire.database import transaction
from hookwire.emails import (
    EMAIL_PREFERENCES_PATH,
    TOPICS,
    UNSUBSCRIBE_PATH,
    BadUnsubscribeLink,
    read_unsubscribe_token,
)
from hookwire.identity import find_user
from hookwire.notices import opt_in, opt_out, opted_out_topics
from hookwire.services import services
from hookwire.web.pages import pages

preference_pages = pages("preference_pages", admin_only=True)
unsubscribe_pages = pages("unsubscribe_pages", public=True)


@preference_pages.get(EMAIL_PREFERENCES_PATH)
def preferences() -> str:
    with transaction(services().engine, write=False) as session:
        off = opted_out_topics(session, g.signed_in.user.id)
    return render_template(
        "settings/email_preferences.html",
        topics=TOPICS,
        off=off,
        saved=request.args.get("saved") == "1",
    )


@preference_pages.post(EMAIL_PREFERENCES_PATH)
def save_preferences() -> Response:
    wanted = set(request.form.getlist("topic"))
    with transaction(services().engine) as session:
        for topic in TOPICS:
            if topic in wanted:
                opt_in(session, g.signed_in.user.id, topic)
            else:
                opt_out(session, g.signed_in.user.id, topic)
    return redirect(url_for("preference_pages.preferences", saved=1), code=303)


@unsubscribe_pages.get(UNSUBSCRIBE_PATH)
def unsubscribe_form() -> tuple[str, int]:
    """A page with a button: mail scanners follow links, and must not unsubscribe anyone."""
    try:
        link = read_unsubscribe_token(services().config.app_secret, request.args.get("token", ""))
    except BadUnsubscribeLink as bad:
        return render_template("link_unusable.html", message=str(bad)), 400
    page = render_template(
        "unsubscribe.html", token=request.args["token"], topic=TOPICS[link.topic], email=link.email
    )
    return page, 200


@unsubscribe_pages.post(UNSUBSCRIBE_PATH)
def unsubscribe() -> tuple[str, int]:
    """The one-click POST (``List-Unsubscribe=One-Click``) a mail client sends, or the
    button. No CSRF token: neither has a session, and the signed link is the authority."""
    token = request.values.get("token", "")
    try:
        link = read_unsubscribe_token(services().config.app_secret, token)
    except BadUnsubscribeLink as bad:
        return render_template("link_unusable.html", message=str(bad)), 400
    with transaction(services().engine) as session:
        user = find_user(session, link.email)
        if user is not None:
            opt_out(session, user.id, link.topic)
    return render_template("unsubscribe.html", done=True, topic=TOPICS[link.topic]), 200
