"""Workspace members: roles (admin, member), the roster, and invitations."""

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
from hookwire.members.roster import (
    change_role,
    check_role,
    get_member,
    list_members,
    remove_member,
)

__all__ = [
    "ACCEPT_PATH",
    "INVITATION_LIFETIME",
    "InvitationUnusable",
    "Inviter",
    "accept",
    "change_role",
    "check_role",
    "find_usable",
    "get_invitation",
    "get_member",
    "invite",
    "list_invitations",
    "list_members",
    "remove_member",
    "resend",
    "revoke",
    "status",
]
