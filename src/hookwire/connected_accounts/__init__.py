"""Connected accounts: mailboxes and calendars that workspace users link to Hookwire.

``parameters`` checks Twenty's ``connectionParameters``, ``sealing`` keeps credentials
encrypted at rest under ENCRYPTION_KEY, ``probes`` logs in to each service to test a
connection, ``accounts`` connects, edits and disconnects, and ``rest`` is the API.
"""

from flask import Flask

from hookwire.config import Config
from hookwire.connected_accounts.accounts import (
    ACTIVE,
    FAILED,
    IMAP_SMTP_CALDAV,
    NEEDS_REAUTHENTICATION,
    AccountDraft,
    account_output,
    channels_of,
    disconnect,
    draft_account,
    get_account,
    list_accounts,
    record_probe,
    save_account,
    services_of,
)
from hookwire.connected_accounts.graphql import (
    connected_account_mutations,
    connected_account_queries,
)
from hookwire.connected_accounts.parameters import SERVICES, ServiceParameters
from hookwire.connected_accounts.probes import ProbeResult, ServiceUnreachable, probe_all
from hookwire.connected_accounts.rest import (
    EXTENSION_KEY,
    AccountsContext,
    accounts_api,
    accounts_context,
)
from hookwire.connected_accounts.sealing import CredentialSealer, SealBroken


def register_connected_accounts(app: Flask, config: Config) -> None:
    """The credentials sealer (on ``app.extensions``) and the REST routes."""
    app.extensions[EXTENSION_KEY] = AccountsContext(config.accounts, config.app_secret)
    app.register_blueprint(accounts_api)


__all__ = [
    "ACTIVE",
    "FAILED",
    "IMAP_SMTP_CALDAV",
    "NEEDS_REAUTHENTICATION",
    "SERVICES",
    "AccountDraft",
    "AccountsContext",
    "CredentialSealer",
    "ProbeResult",
    "SealBroken",
    "ServiceParameters",
    "ServiceUnreachable",
    "account_output",
    "accounts_context",
    "channels_of",
    "connected_account_mutations",
    "connected_account_queries",
    "disconnect",
    "draft_account",
    "get_account",
    "list_accounts",
    "probe_all",
    "record_probe",
    "register_connected_accounts",
    "save_account",
    "services_of",
]
