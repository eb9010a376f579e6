"""An example connector: new releases of a repository, from a GitHub-style JSON API.

Validate it with ``hookwire connector validate docs/examples/release_feed.py``.
"""

from __future__ import annotations

from typing import Any

from hookwire.connector import Bundle, ConnectorError, Requester


def add_release_note(z: Requester, bundle: Bundle) -> dict[str, Any]:
    """An action as a callable: checks its input, then sends the request itself."""
    repo = bundle.input_data["repo"]
    if repo.count("/") != 1:
        raise ConnectorError(f"inputData.repo: expected owner/name, got {repo!r}")
    response = z.request(
        f"{bundle.auth_data['baseUrl']}/repos/{repo}/notes",
        method="POST",
        body={"release": bundle.input_data["release"], "text": bundle.input_data["text"]},
    )
    return response.json()


CONNECTOR: dict[str, Any] = {
    "key": "release_feed",
    "version": "1.0.0",
    "title": "Release Feed",
    "authentication": {
        "type": "bearer",
        "fields": [
            {"key": "access_token", "label": "Token", "type": "password", "required": True},
            {"key": "baseUrl", "label": "API URL", "default": "https://api.github.com"},
        ],
        "test": {"url": "{{bundle.authData.baseUrl}}/user"},
        "connectionLabel": "{{bundle.inputData.login}}",
    },
    "triggers": {
        "new_release": {
            "key": "new_release",
            "noun": "Release",
            "display": {
                "label": "New Release",
                "description": "Triggers when a repository publishes a release.",
            },
            "operation": {
                "type": "polling",
                "inputFields": [
                    {
                        "key": "repo",
                        "label": "Repository",
                        "required": True,
                        "helpText": "owner/name",
                    }
                ],
                "perform": {
                    "url": "{{bundle.authData.baseUrl}}/repos/{{bundle.inputData.repo}}/releases",
                    "params": {"per_page": "{{bundle.meta.limit}}"},
                },
                "sample": {"id": 1, "tag_name": "v1.0.0", "name": "First release"},
                "outputFields": [
                    {"key": "tag_name", "label": "Tag"},
                    {"key": "name", "label": "Title"},
                ],
            },
        }
    },
    "creates": {
        "add_release_note": {
            "key": "add_release_note",
            "noun": "Note",
            "display": {"label": "Add Release Note", "description": "Comments on a release."},
            "operation": {
                "inputFields": [
                    {"key": "repo", "label": "Repository", "required": True},
                    {
                        "key": "release",
                        "label": "Release",
                        "type": "integer",
                        "required": True,
                        "dynamic": "new_release.id.name",
                    },
                    {"key": "text", "label": "Note", "type": "text", "required": True},
                ],
                "perform": add_release_note,
                "sample": {"id": 1, "release": 1, "text": "Shipped!"},
            },
        }
    },
}
