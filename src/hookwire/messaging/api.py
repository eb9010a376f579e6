"""Sending mail from a connected account, over REST
(``POST /rest/metadata/connectedAccounts/<id>/send``) and as the ``sendEmail`` mutation on
``/metadata``. Like managing accounts, it takes an API key (the ``credentials`` scope)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.connected_accounts import accounts_context
from hookwire.crm import UUIDScalar, json_object, require_caller, require_scopes, requiring
from hookwire.identity.scopes import CREDENTIALS
from hookwire.messaging.drafts import DRAFT_FIELDS, OutgoingDraft, check_draft
from hookwire.messaging.sending import SentMessage, send_message
from hookwire.services import services

sending_api = Blueprint(
    "messaging_sending_api", __name__, url_prefix="/rest/metadata/connectedAccounts"
)
sending_api.before_request(require_caller)
sending_api.before_request(require_scopes(CREDENTIALS))


def _send(workspace_id: str, account_id: str, draft: OutgoingDraft) -> SentMessage:
    context, app_services = accounts_context(), services()
    return send_message(
        app_services.engine,
        context.settings,
        context.sealer,
        app_services.change_sink,
        workspace_id,
        account_id,
        draft,
    )


@sending_api.post("/<account_id>/send")
def send(account_id: str) -> tuple[dict[str, Any], int]:
    """Send a message from the account; its record, Message-ID and thread."""
    draft = check_draft(json_object(DRAFT_FIELDS))
    sent = _send(g.caller.workspace_id, account_id, draft)
    return {"data": {"sendEmail": sent.output()}}, 201


SendEmailResultType = GraphQLObjectType(
    "SendEmailResult",
    {
        "success": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "messageId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "headerMessageId": GraphQLField(GraphQLNonNull(GraphQLString)),
        "messageThreadId": GraphQLField(GraphQLNonNull(UUIDScalar)),
    },
)


def _send_email(
    _root: Any, info: GraphQLResolveInfo, connectedAccountId: str, **fields: Any
) -> dict[str, Any]:
    """Sends outside the mutation's transaction, which it leaves untouched: the mail is
    gone once the server took it, so its record is committed whatever else the operation
    does."""
    draft = check_draft({name: value for name, value in fields.items() if value is not None})
    sent = _send(info.context.caller.workspace_id, connectedAccountId, draft)
    return {"success": True, **sent.output()}


def messaging_mutations() -> dict[str, GraphQLField]:
    addresses = GraphQLList(GraphQLNonNull(GraphQLString))
    return requiring(
        CREDENTIALS,
        {
            "sendEmail": GraphQLField(
                GraphQLNonNull(SendEmailResultType),
                args={
                    "connectedAccountId": GraphQLArgument(GraphQLNonNull(UUIDScalar)),
                    "to": GraphQLArgument(GraphQLNonNull(addresses)),
                    "cc": GraphQLArgument(addresses),
                    "bcc": GraphQLArgument(addresses),
                    "subject": GraphQLArgument(GraphQLNonNull(GraphQLString)),
                    "text": GraphQLArgument(GraphQLNonNull(GraphQLString)),
                    "html": GraphQLArgument(GraphQLString),
                    "inReplyToMessageId": GraphQLArgument(UUIDScalar),
                },
                resolve=_send_email,
            )
        },
    )
