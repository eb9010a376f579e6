"""Who is calling, on the server side: API keys, the request guard that turns a bearer token
into a caller, and the settings UI's users, sessions and sign-in throttling."""

from hookwire.identity.api_keys import (
    Caller,
    IssuedKey,
    is_expired,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)
from hookwire.identity.key_usage import last_uses
from hookwire.identity.sessions import SignedIn, end_session, load_session, start_session
from hookwire.identity.throttle import (
    SignInThrottled,
    record_failure,
    record_success,
    reserve_attempt,
    throttle_keys,
)
from hookwire.identity.users import (
    check_credentials,
    create_user,
    find_user,
    generate_password,
    set_password,
)

__all__ = [
    "Caller",
    "IssuedKey",
    "SignInThrottled",
    "SignedIn",
    "check_credentials",
    "create_user",
    "end_session",
    "find_user",
    "generate_password",
    "is_expired",
    "issue_api_key",
    "last_uses",
    "list_api_keys",
    "load_session",
    "record_failure",
    "record_success",
    "reserve_attempt",
    "revoke_api_key",
    "set_password",
    "start_session",
    "throttle_keys",
    "verify_api_key",
]
