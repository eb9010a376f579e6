"""Which admins hear about what: every admin gets every topic until they switch it off."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from hookwire.emails import TEMPLATES, TOPICS, enqueue_email
from hookwire.errors import BadRequest
from hookwire.models import ROLE_ADMIN, EmailOptOut, User


def check_topic(topic: object) -> str:
    if topic not in TOPICS:
        raise BadRequest(f"topic: expected one of {', '.join(TOPICS)}, got {topic!r}")
    return str(topic)


def opted_out_topics(session: Session, user_id: str) -> set[str]:
    return set(session.exec(select(EmailOptOut.topic).where(EmailOptOut.user_id == user_id)))


def opt_out(session: Session, user_id: str, topic: object) -> None:
    """Stop ``topic`` for ``user_id``; doing it twice (two clicks, two tabs) is no error."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(EmailOptOut)
        .values(user_id=user_id, topic=check_topic(topic))
        .on_conflict_do_nothing()
    )


def opt_in(session: Session, user_id: str, topic: object) -> None:
    session.execute(
        sa.delete(EmailOptOut).where(
            col(EmailOptOut.user_id) == user_id, col(EmailOptOut.topic) == check_topic(topic)
        )
    )


def admins_to_notify(session: Session, workspace_id: str, topic: str) -> list[User]:
    """The workspace's admins who have not switched ``topic`` off, by address."""
    opted_out = select(EmailOptOut.user_id).where(EmailOptOut.topic == topic)
    return list(
        session.exec(
            select(User)
            .where(
                User.workspace_id == workspace_id,
                User.role == ROLE_ADMIN,
                col(User.id).not_in(opted_out),
            )
            .order_by(col(User.email))
        )
    )


def notify_admins(
    session: Session, workspace_id: str, template: str, values: dict[str, object]
) -> None:
    """Write the email ``template`` to every admin who has not switched its topic off."""
    topic = TEMPLATES[template].topic
    assert topic is not None, f"{template} is no operational email"
    for admin in admins_to_notify(session, workspace_id, topic):
        enqueue_email(session, template, admin.email, values, workspace_id=workspace_id)
