"""Connected accounts on ``/metadata``, in Twenty's shapes: ``saveImapSmtpCaldavAccount``,
``getConnectedImapSmtpCaldavAccount`` (passwords answered as null), ``connectedAccounts``
and ``deleteConnectedAccount``. Like the REST routes, they take an API key (the
``credentials`` scope)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from hookwire.connected_accounts.accounts import (
    IMAP_SMTP_CALDAV,
    account_output,
    channels_of,
    disconnect,
    draft_account,
    get_account,
    list_accounts,
    save_account,
)
from hookwire.connected_accounts.parameters import SERVICES
from hookwire.connected_accounts.probes import probe_all
from hookwire.connected_accounts.rest import accounts_context
from hookwire.crm import DateTimeScalar, UUIDScalar, requiring
from hookwire.database import after_commit
from hookwire.identity.scopes import CREDENTIALS
from hookwire.services import services

ConnectionParametersInput = GraphQLInputObjectType(
    "ConnectionParameters",
    {
        "host": GraphQLInputField(GraphQLNonNull(GraphQLString)),
        "port": GraphQLInputField(GraphQLFloat),
        "username": GraphQLInputField(GraphQLString),
        "password": GraphQLInputField(GraphQLString),
        "secure": GraphQLInputField(GraphQLBoolean),
    },
)
EmailAccountConnectionParametersInput = GraphQLInputObjectType(
    "EmailAccountConnectionParameters",
    {service: GraphQLInputField(ConnectionParametersInput) for service in SERVICES},
)
ConnectionParametersOutput = GraphQLObjectType(
    "ConnectionParametersOutput",
    {
        "host": GraphQLField(GraphQLNonNull(GraphQLString)),
        "port": GraphQLField(GraphQLFloat),
        "username": GraphQLField(GraphQLString),
        "password": GraphQLField(
            GraphQLString, description="Always null: passwords are never answered."
        ),
        "secure": GraphQLField(GraphQLBoolean),
    },
)
ChannelType = GraphQLObjectType(
    "ConnectedAccountChannel",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "type": GraphQLField(GraphQLNonNull(GraphQLString)),
        "status": GraphQLField(GraphQLNonNull(GraphQLString)),
        "statusReason": GraphQLField(GraphQLString),
        "lastSyncedAt": GraphQLField(DateTimeScalar),
    },
)
ConnectedAccountType = GraphQLObjectType(
    "ConnectedImapSmtpCaldavAccount",
    {
        "id": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "handle": GraphQLField(GraphQLNonNull(GraphQLString)),
        "provider": GraphQLField(GraphQLNonNull(GraphQLString)),
        "accountOwnerId": GraphQLField(GraphQLNonNull(UUIDScalar)),
        "connectionParameters": GraphQLField(
            GraphQLObjectType(
                "ImapSmtpCaldavConnectionParameters",
                {service: GraphQLField(ConnectionParametersOutput) for service in SERVICES},
            )
        ),
        "authFailedAt": GraphQLField(DateTimeScalar),
        "createdAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "updatedAt": GraphQLField(GraphQLNonNull(DateTimeScalar)),
        "channels": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(ChannelType)))),
    },
)
SaveResultType = GraphQLObjectType(
    "ImapSmtpCaldavConnectionSuccess",
    {
        "success": GraphQLField(GraphQLNonNull(GraphQLBoolean)),
        "connectedAccountId": GraphQLField(GraphQLNonNull(UUIDScalar)),
    },
)


def _output(info: GraphQLResolveInfo, account: Any) -> dict[str, Any]:
    return account_output(account, channels_of(info.context.session, account.id))


def _get(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    workspace_id = info.context.caller.workspace_id
    return _output(info, get_account(info.context.session, workspace_id, id))


def _list(_root: Any, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    session, workspace_id = info.context.session, info.context.caller.workspace_id
    return [_output(info, account) for account in list_accounts(session, workspace_id)]


def _save(
    _root: Any,
    info: GraphQLResolveInfo,
    accountOwnerId: str,
    handle: str,
    connectionParameters: dict[str, Any],
    id: str | None = None,
) -> dict[str, Any]:
    """Connect (or, with ``id``, edit) an account after testing every service. The test
    runs before anything is written, so the transaction holds no lock meanwhile."""
    session, workspace_id = info.context.session, info.context.caller.workspace_id
    context = accounts_context()
    existing = get_account(session, workspace_id, id) if id else None
    body = {
        "provider": IMAP_SMTP_CALDAV,
        "accountOwnerId": accountOwnerId,
        "handle": handle,
        "connectionParameters": {
            service: {key: _whole(value) for key, value in values.items() if value is not None}
            for service, values in connectionParameters.items()
            if values is not None
        },
    }
    draft = draft_account(session, workspace_id, body, context.sealer, existing)
    probe = probe_all(draft.services, context.settings)
    account = save_account(session, workspace_id, draft, probe, context.sealer, existing)
    after_commit(session, services().channel_work.sync_soon)
    return {"success": True, "connectedAccountId": account.id}


def _whole(value: Any) -> Any:
    """A port arrives as a Float (Twenty's type): a whole one is an int."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _delete(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any]:
    workspace_id = info.context.caller.workspace_id
    account = disconnect(info.context.session, workspace_id, id)
    clean_up = services().channel_work.clean_up
    after_commit(info.context.session, lambda: clean_up(workspace_id))
    return account_output(account, [])


def connected_account_queries() -> dict[str, GraphQLField]:
    by_id = {"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))}
    return requiring(
        CREDENTIALS,
        {
            "connectedAccounts": GraphQLField(
                GraphQLNonNull(GraphQLList(GraphQLNonNull(ConnectedAccountType))),
                resolve=_list,
            ),
            "getConnectedImapSmtpCaldavAccount": GraphQLField(
                ConnectedAccountType, args=by_id, resolve=_get
            ),
        },
    )


def connected_account_mutations() -> dict[str, GraphQLField]:
    return requiring(
        CREDENTIALS,
        {
            "saveImapSmtpCaldavAccount": GraphQLField(
                GraphQLNonNull(SaveResultType),
                args={
                    "accountOwnerId": GraphQLArgument(GraphQLNonNull(UUIDScalar)),
                    "handle": GraphQLArgument(GraphQLNonNull(GraphQLString)),
                    "connectionParameters": GraphQLArgument(
                        GraphQLNonNull(EmailAccountConnectionParametersInput)
                    ),
                    "id": GraphQLArgument(UUIDScalar),
                },
                resolve=_save,
            ),
            "deleteConnectedAccount": GraphQLField(
                GraphQLNonNull(ConnectedAccountType),
                args={"id": GraphQLArgument(GraphQLNonNull(UUIDScalar))},
                resolve=_delete,
            ),
        },
    )
