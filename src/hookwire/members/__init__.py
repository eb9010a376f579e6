"""Workspace members: roles (admin, member), the roster, invitations, and each user's own
account (password resets and changes, verified addresses)."""

from hookwire.members.account import (
    FORGOT_PASSWORD_PATH,
    RESET_PASSWORD_PATH,
    VERIFY_EMAIL_PATH,
    change_password,
    pending_email,
    replace_password,
    request_email_change,
    request_password_reset,
    reset_password,
    verify_email,
)
from hookwire.members.invitations import (
    ACCEPT_PATH,
    INVITATION_LIFETIME,
    InvitationUnusable,
    Inviter,
    accept,
    find_usable,
    get_invitation,
    invite,
    list_invitations,
    resend,
    revoke,
    status,
)
from hookwire.members.links import LinkSigner
from hookwire.members.roster import (
    change_role,
    check_role,
    get_member,
    list_members,
    remove_member,
)

__all__ = [
    "ACCEPT_PATH",
    "FORGOT_PASSWORD_PATH",
    "INVITATION_LIFETIME",
    "RESET_PASSWORD_PATH",
    "VERIFY_EMAIL_PATH",
    "InvitationUnusable",
    "Inviter",
    "LinkSigner",
    "accept",
    "change_password",
    "change_role",
    "check_role",
    "find_usable",
    "get_invitation",
    "get_member",
    "invite",
    "list_invitations",
    "list_members",
    "pending_email",
    "remove_member",
    "replace_password",
    "request_email_change",
    "request_password_reset",
    "resend",
    "reset_password",
    "revoke",
    "status",
    "verify_email",
]
