"""Who is calling, on the server side: API keys, the request guard that turns a bearer token
into a caller, and the settings UI's users, sessions, single-use links and
sign-in throttling."""

from hookwire.identity.api_keys import (
    Caller,
    IssuedKey,
    is_expired,
    issue_api_key,
    list_api_keys,
    revoke_api_key,
    verify_api_key,
)
from hookwire.identity.applications import (
    IssuedApplication,
    create_application,
    delete_application,
    get_application,
    list_applications,
    rotate_secret,
)
from hookwire.identity.key_usage import last_uses
from hookwire.identity.oauth_server import (
    ConsentRequest,
    Principal,
    authorization_response,
    consent_request,
    error_redirect,
    register_identity,
)
from hookwire.identity.sessions import SignedIn, end_session, load_session, start_session
from hookwire.identity.throttle import (
    SignInThrottled,
    record_failure,
    record_success,
    reserve_attempt,
    throttle_keys,
)
from hookwire.identity.user_tokens import (
    EMAIL_VERIFICATION,
    PASSWORD_RESET,
    LinkUnusable,
    find_user_token,
    issue_user_token,
    latest_user_token,
    link_digest,
    use_user_token,
)
from hookwire.identity.users import (
    MIN_PASSWORD_LENGTH,
    check_credentials,
    check_email,
    check_password,
    create_user,
    find_user,
    generate_password,
    set_password,
)

__all__ = [
    "EMAIL_VERIFICATION",
    "MIN_PASSWORD_LENGTH",
    "PASSWORD_RESET",
    "Caller",
    "ConsentRequest",
    "IssuedApplication",
    "IssuedKey",
    "LinkUnusable",
    "Principal",
    "SignInThrottled",
    "SignedIn",
    "authorization_response",
    "check_credentials",
    "check_email",
    "check_password",
    "consent_request",
    "create_application",
    "create_user",
    "delete_application",
    "end_session",
    "error_redirect",
    "find_user",
    "find_user_token",
    "generate_password",
    "get_application",
    "is_expired",
    "issue_api_key",
    "issue_user_token",
    "last_uses",
    "latest_user_token",
    "link_digest",
    "list_api_keys",
    "list_applications",
    "load_session",
    "record_failure",
    "record_success",
    "register_identity",
    "reserve_attempt",
    "revoke_api_key",
    "rotate_secret",
    "set_password",
    "start_session",
    "throttle_keys",
    "use_user_token",
    "verify_api_key",
]
