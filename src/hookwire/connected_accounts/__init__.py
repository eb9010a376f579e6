"""Connected accounts: mailboxes and calendars that workspace users link to Hookwire.

``parameters`` checks Twenty's ``connectionParameters``, ``sealing`` keeps credentials
encrypted at rest under ENCRYPTION_KEY, ``connections`` logs in to each service, ``probes``
tests a connection, ``accounts`` connects, edits and disconnects, ``syncs`` holds a channel
for one sync at a time and schedules the next, ``providers`` connects Google and Microsoft
accounts with OAuth (``google_api`` and ``graph_api`` call their APIs), and ``rest`` is the
API.
"""

from flask import Flask

from hookwire.config import Config
from hookwire.connected_accounts.accounts import (
    ACTIVE,
    CONTACT_POLICIES,
    FAILED,
    IMAP_SMTP_CALDAV,
    NEEDS_REAUTHENTICATION,
    AccountDraft,
    account_output,
    channel_settings,
    channels_of,
    disconnect,
    draft_account,
    get_account,
    list_accounts,
    record_probe,
    request_sync,
    save_account,
    services_of,
    update_channel_settings,
)
from hookwire.connected_accounts.connections import (
    ServiceUnreachable,
    caldav_connection,
    imap_connection,
    server_text,
    smtp_connection,
)
from hookwire.connected_accounts.correspondents import Correspondents
from hookwire.connected_accounts.google_api import GoogleApi
from hookwire.connected_accounts.graph_api import GraphClient, GraphGone
from hookwire.connected_accounts.graphql import (
    connected_account_mutations,
    connected_account_queries,
)
from hookwire.connected_accounts.parameters import SERVICES, ServiceParameters
from hookwire.connected_accounts.probes import ProbeResult, probe_all
from hookwire.connected_accounts.providers import (
    PROVIDER_SPECS,
    Authorization,
    ProviderSpec,
    api_session,
    connect_oauth_account,
    enabled_providers,
    endpoint,
    finish_authorization,
    provider_settings,
    start_authorization,
    token_refused,
)
from hookwire.connected_accounts.rest import (
    EXTENSION_KEY,
    AccountsContext,
    accounts_api,
    accounts_context,
)
from hookwire.connected_accounts.sealing import CredentialSealer, SealBroken
from hookwire.connected_accounts.syncs import (
    SYNCED_KINDS,
    ChannelLease,
    ChannelSource,
    ChannelSync,
    ClientT,
    LeaseLost,
    SyncReporting,
    claim_due_channels,
    finish_sync,
    renew_lease,
    run_channel_sync,
    take_channel,
)


def register_connected_accounts(app: Flask, config: Config) -> None:
    """The credentials sealer (on ``app.extensions``) and the REST routes."""
    app.extensions[EXTENSION_KEY] = AccountsContext(config.accounts, config.app_secret)
    app.register_blueprint(accounts_api)


__all__ = [
    "ACTIVE",
    "CONTACT_POLICIES",
    "FAILED",
    "IMAP_SMTP_CALDAV",
    "NEEDS_REAUTHENTICATION",
    "PROVIDER_SPECS",
    "SERVICES",
    "SYNCED_KINDS",
    "AccountDraft",
    "AccountsContext",
    "Authorization",
    "ChannelLease",
    "ChannelSource",
    "ChannelSync",
    "ClientT",
    "Correspondents",
    "CredentialSealer",
    "GoogleApi",
    "GraphClient",
    "GraphGone",
    "LeaseLost",
    "ProbeResult",
    "ProviderSpec",
    "SealBroken",
    "ServiceParameters",
    "ServiceUnreachable",
    "SyncReporting",
    "account_output",
    "accounts_context",
    "api_session",
    "caldav_connection",
    "channel_settings",
    "channels_of",
    "claim_due_channels",
    "connect_oauth_account",
    "connected_account_mutations",
    "connected_account_queries",
    "disconnect",
    "draft_account",
    "enabled_providers",
    "endpoint",
    "finish_authorization",
    "finish_sync",
    "get_account",
    "imap_connection",
    "list_accounts",
    "probe_all",
    "provider_settings",
    "record_probe",
    "register_connected_accounts",
    "renew_lease",
    "request_sync",
    "run_channel_sync",
    "save_account",
    "server_text",
    "services_of",
    "smtp_connection",
    "start_authorization",
    "take_channel",
    "token_refused",
    "update_channel_settings",
]
