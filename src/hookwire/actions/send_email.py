"""The action: send an e-mail from a connected account of the workspace (its SMTP server);
the sent message becomes a message record at once, in the answered thread for a reply.

Sending takes the ``credentials`` scope: an API key connection, not an OAuth one.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hookwire.connector import Bundle, ConnectorError, Requester
from hookwire.triggers.crm_api import api_url

KEY = "send_email"
BODY_FIELDS = ("to", "cc", "bcc", "subject", "text", "inReplyToMessageId")


def perform(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """POST the message to the account's send route; the sent message's ids."""
    inputs = bundle.input_data
    account_id = inputs.get("connectedAccountId")
    if not isinstance(account_id, str) or not account_id.strip():
        raise ConnectorError("inputData.connectedAccountId: required, the id of the account")
    body = {key: inputs[key] for key in BODY_FIELDS if inputs.get(key) not in (None, "", [])}
    response = z.request(
        f"{api_url(bundle)}/rest/metadata/connectedAccounts/{quote(account_id.strip(), safe='')}"
        "/send",
        method="POST",
        body=body,
    )
    return response.json()["data"]["sendEmail"]


ACTION: dict[str, Any] = {
    "key": KEY,
    "noun": "Email",
    "display": {
        "label": "Send Email",
        "description": "Sends an e-mail from a connected account and records it in the CRM.",
    },
    "operation": {
        "inputFields": [
            {
                "key": "connectedAccountId",
                "label": "Connected account",
                "required": True,
                "helpText": "The id of the connected account (with an SMTP server) to send from.",
            },
            {"key": "to", "label": "To", "required": True, "list": True},
            {"key": "cc", "label": "Cc", "list": True},
            {"key": "bcc", "label": "Bcc", "list": True},
            {"key": "subject", "label": "Subject"},
            {"key": "text", "label": "Text", "type": "text", "required": True},
            {
                "key": "inReplyToMessageId",
                "label": "In reply to",
                "helpText": "The id of a message record this answers: the reply joins its thread.",
            },
        ],
        "perform": perform,
        "sample": {
            "messageId": "20202020-0000-4000-8000-000000000001",
            "headerMessageId": "<4f1c2e9a-7d3b-4c61-9a0e-5b8d2f6e1c3a@example.com>",
            "messageThreadId": "20202020-0000-4000-8000-000000000002",
        },
        "outputFields": [
            {"key": "messageId", "label": "Message ID"},
            {"key": "headerMessageId", "label": "Message-ID header"},
            {"key": "messageThreadId", "label": "Thread ID"},
        ],
    },
}
