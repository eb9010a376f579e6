"""Files against live servers: uploads over REST and the GraphQL multipart request spec,
signed downloads, limits, workspace isolation, FILES fields and attachments, the upload's
webhook event; on local disk (SQLite and PostgreSQL) and on S3 (a real ``moto_server``)."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session

from conftest import APP_SECRET, Client, Database, Server, empty_database, new_workspace
from graphql_support import create_field, ok
from hooks_support import subscribe
from hookwire.crm.catalog import load_catalog
from hookwire.crm.records import RecordStore
from hookwire.crm.workspaces import create_workspace
from hookwire.database import MIGRATIONS_DIR, create_db_engine, transaction
from hookwire.files.links import sign
from oauth_support import register
from processes import MotoServer
from receiver import Receiver

LIMIT_MB = 1
LIMIT = LIMIT_MB * 1024 * 1024
BODY_LIMIT = LIMIT // 5
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
UPLOAD_FILE = (
    "mutation UploadFile($file: Upload!, $fileFolder: FileFolder) "
    "{ uploadFile(file: $file, fileFolder: $fileFolder) { path token url } }"
)
UPLOAD_FILES_FIELD_FILE = (
    "mutation Upload($file: Upload!, $fieldMetadataId: String!) "
    "{ uploadFilesFieldFile(file: $file, fieldMetadataId: $fieldMetadataId) "
    "{ id path size createdAt url } }"
)


# servers


@pytest.fixture(scope="module")
def storage_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storage")


@pytest.fixture(scope="module")
def files_server(
    database: Database, storage_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server keeping files on local disk in ``storage_dir``, with a 1 MB limit, and
    request bodies other than uploads held to a fifth of it."""
    env = {
        "STORAGE_LOCAL_PATH": str(storage_dir),
        "FILE_MAX_SIZE_MB": str(LIMIT_MB),
        "HOOKWIRE_MAX_BODY_BYTES": str(BODY_LIMIT),
    }
    log = tmp_path_factory.mktemp("files") / f"{database.backend}.log"
    running = Server(database, log, env)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    running = MotoServer(tmp_path_factory.mktemp("moto") / "moto.log")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def bucket(moto: MotoServer, database: Database) -> str:
    name = f"hookwire-{database.backend}-{secrets.token_hex(4)}"
    moto.s3().create_bucket(Bucket=name)
    return name


@pytest.fixture(scope="module")
def s3_server(
    database: Database, moto: MotoServer, bucket: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server keeping files in ``bucket`` of the moto server (Twenty's variable names)."""
    env = {
        "STORAGE_TYPE": "s3",
        "STORAGE_S3_NAME": bucket,
        "STORAGE_S3_REGION": MotoServer.REGION,
        "STORAGE_S3_ENDPOINT": moto.url,
        "FILE_MAX_SIZE_MB": str(LIMIT_MB),
        **MotoServer.CREDENTIALS,
    }
    log = tmp_path_factory.mktemp("s3") / f"{database.backend}.log"
    running = Server(database, log, env)
    yield running
    running.stop()


def client_of(server: Server) -> Client:
    workspace_id, token = new_workspace(server.database)
    return Client(server.base_url, token, workspace_id)


@pytest.fixture
def api(files_server: Server) -> Client:
    return client_of(files_server)


@pytest.fixture
def other_api(files_server: Server) -> Client:
    return client_of(files_server)


# helpers


def upload(
    api: Client, content: bytes = PDF, name: str = "report.pdf", media_type: str = "application/pdf"
) -> requests.Response:
    return api.post("/rest/files", files={"file": (name, content, media_type)})


def uploaded(api: Client, **kwargs: Any) -> dict[str, Any]:
    response = upload(api, **kwargs)
    assert response.status_code == 201, response.text
    return response.json()["data"]["uploadFile"]


def download(url: str) -> requests.Response:
    """A signed URL fetched as a browser would: no Authorization header."""
    return requests.get(url, timeout=30)


def multipart_graphql(
    api: Client, path: str, query: str, variables: dict[str, Any], file: tuple[str, bytes, str]
) -> dict[str, Any]:
    """The GraphQL multipart request spec, by hand: ``operations`` (the file's variable
    null), ``map`` (part 0 fills it), then part ``0``, in that order."""
    operations = {"query": query, "variables": {**variables, "file": None}}
    response = api.post(
        path,
        files=[
            ("operations", (None, json.dumps(operations), "application/json")),
            ("map", (None, json.dumps({"0": ["variables.file"]}), "application/json")),
            ("0", file),
        ],
    )
    assert response.status_code == 200, response.text
    return response.json()


def file_rows(database: Database, workspace_id: str) -> int:
    with database.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT count(*) FROM file WHERE workspace_id = :w"), {"w": workspace_id}
        ).scalar_one()


def stored_files(storage_dir: Path, workspace_id: str) -> list[Path]:
    return [p for p in (storage_dir / f"workspace-{workspace_id}").rglob("*") if p.is_file()]


def token_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["token"][0]


def with_token(url: str, token: str) -> str:
    return url.split("?", 1)[0] + "?token=" + quote(token)


def tampered_claims(token: str, **changes: Any) -> str:
    """``token`` with its claims changed and its signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    encoded = base64.urlsafe_b64encode(json.dumps({**claims, **changes}).encode()).rstrip(b"=")
    return f"{header}.{encoded.decode()}.{signature}"


# uploads and downloads


def test_rest_upload_then_signed_download(api: Client, storage_dir: Path) -> None:
    name = "Résumé final.pdf"
    file = uploaded(api, name=name)
    assert file["name"] == name and file["size"] == len(PDF)
    assert file["mimeType"] == "application/pdf" and file["folder"] == "attachment"
    assert file["path"] == f"attachment/{file['id']}.pdf"
    assert file["createdAt"].endswith("Z") and file["createdBy"]["source"] == "API"
    assert urlsplit(file["url"]).path == f"/files/{file['path']}"

    got = download(file["url"])
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Length"] == str(len(PDF))
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"Resume_final.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%20final.pdf"
    )
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    # The bytes sit under the workspace's own prefix.
    assert [p.name for p in stored_files(storage_dir, api.workspace_id)] == [f"{file['id']}.pdf"]

    again = api.get(f"/rest/files/{file['id']}")
    assert again.status_code == 200
    fresh = again.json()["data"]["file"]
    assert {k: v for k, v in fresh.items() if k not in ("url", "urlExpiresAt")} == {
        k: v for k, v in file.items() if k not in ("url", "urlExpiresAt")
    }
    assert download(fresh["url"]).content == PDF


def test_a_name_that_is_a_path_or_has_control_characters_is_cleaned(api: Client) -> None:
    file = uploaded(api, name="../../etc/pass\x07wd.txt", content=b"x", media_type="text/plain")
    assert file["name"] == "passwd.txt"
    got = download(file["url"])
    assert got.headers["Content-Type"] == "text/plain"  # as declared: no charset added
    assert 'filename="passwd.txt"' in got.headers["Content-Disposition"]


def test_the_type_comes_from_the_name_when_the_sender_declares_none(api: Client) -> None:
    file = uploaded(
        api, name="photo.PNG", content=b"\x89PNG", media_type="application/octet-stream"
    )
    assert file["mimeType"] == "image/png" and file["path"].endswith(".png")
    assert download(file["url"]).headers["Content-Type"] == "image/png"


def test_expired_tampered_and_misdirected_links_are_refused(api: Client) -> None:
    file, other = uploaded(api), uploaded(api, name="other.pdf")
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    expired = sign(APP_SECRET, api.workspace_id, file["id"], timedelta(minutes=15), an_hour_ago)
    refused = download(with_token(file["url"], expired.token))
    assert refused.status_code == 403
    assert "expired" in refused.json()["messages"][0]
    assert PDF not in refused.content

    token = token_of(file["url"])
    header, payload, signature = token.split(".")
    altered_signature = (
        f"{header}.{payload}.{signature[:-4]}{'AAAA' if signature[-4:] != 'AAAA' else 'BBBB'}"
    )
    longer_life = tampered_claims(token, exp=int(datetime.now(UTC).timestamp()) + 10**6)
    for bad in (altered_signature, longer_life, "not-a-token", token + "x"):
        answer = download(with_token(file["url"], bad))
        assert answer.status_code == 403, bad
        assert answer.json()["messages"] == ["file link: the token is not valid for this file"]

    # A good token opens its own file only.
    assert download(with_token(other["url"], token)).status_code == 403
    assert download(file["url"].split("?", 1)[0]).status_code == 403  # no token at all
    wrong_folder = file["url"].replace("/files/attachment/", "/files/workspace-logo/")
    assert download(wrong_folder).status_code == 404
    assert download(file["url"]).content == PDF


# limits


def test_a_file_over_the_size_limit_is_413_and_stores_nothing(
    api: Client, files_server: Server, storage_dir: Path
) -> None:
    response = upload(api, content=b"\0" * (LIMIT + 1), name="big.bin")
    assert response.status_code == 413
    assert response.json() == {
        "statusCode": 413,
        "error": "PayloadTooLargeException",
        "messages": [
            f"file: {LIMIT + 1:,} bytes; the limit is {LIMIT:,} bytes (1 MB, FILE_MAX_SIZE_MB)"
        ],
    }
    assert file_rows(files_server.database, api.workspace_id) == 0
    assert stored_files(storage_dir, api.workspace_id) == []
    assert upload(api, content=b"\0" * LIMIT, name="exact.bin").status_code == 201


def test_an_upload_may_pass_the_body_limit_that_other_requests_keep(api: Client) -> None:
    content = b"%PDF-1.4\n" + b"x" * (BODY_LIMIT * 3)  # over the body limit, under the file's
    assert uploaded(api, content=content)["size"] == len(content)
    answer = multipart_graphql(
        api, "/graphql", UPLOAD_FILE, {"fileFolder": "Attachment"},
        ("big.pdf", content, "application/pdf"),
    )  # fmt: skip
    assert "errors" not in answer, answer
    person = {"name": {"firstName": "x" * (BODY_LIMIT + 10), "lastName": "y"}}
    refused = api.post("/rest/people", json=person)
    assert refused.status_code == 413
    assert "HOOKWIRE_MAX_BODY_BYTES" in refused.json()["messages"][0]


@pytest.mark.parametrize(
    ("name", "media_type", "named"),
    [
        ("setup.exe", "application/octet-stream", "application/vnd.microsoft.portable-executable"),
        ("setup.exe", "image/png", "application/vnd.microsoft.portable-executable"),
        ("install.sh", "application/x-sh", "application/x-sh"),
        ("tool", "application/x-msdownload", "application/x-msdownload"),
    ],
)
def test_a_denied_type_is_400_and_stores_nothing(
    api: Client, files_server: Server, storage_dir: Path, name: str, media_type: str, named: str
) -> None:
    response = upload(api, content=b"MZ\x90\x00", name=name, media_type=media_type)
    assert response.status_code == 400
    assert response.json()["messages"] == [
        f"file: files of type {named} are not accepted (FILE_DENIED_TYPES)"
    ]
    assert file_rows(files_server.database, api.workspace_id) == 0
    assert stored_files(storage_dir, api.workspace_id) == []


def test_allowed_types_narrow_what_is_accepted(
    database: Database, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("allowed")
    env = {"STORAGE_LOCAL_PATH": str(directory), "FILE_ALLOWED_TYPES": "image/*, application/pdf"}
    server = Server(database, directory / "server.log", env)
    try:
        api = client_of(server)
        assert upload(api).status_code == 201
        assert upload(api, content=b"GIF8", name="a.gif", media_type="image/gif").status_code == 201
        refused = upload(api, content=b"a,b", name="a.csv", media_type="text/csv")
        assert refused.status_code == 400
        assert refused.json()["messages"] == [
            "file: files of type text/csv are not accepted; the allowed types are image/*, "
            "application/pdf (FILE_ALLOWED_TYPES)"
        ]
    finally:
        server.stop()


def test_bad_upload_requests_are_400_naming_the_part(api: Client) -> None:
    no_file = api.post("/rest/files", files={"other": ("a.txt", b"x", "text/plain")})
    assert no_file.status_code == 400
    assert no_file.json()["messages"][0].startswith("file: expected a multipart/form-data part")
    as_json = api.post("/rest/files", json={"file": "x"})
    assert as_json.status_code == 400
    folder = api.post(
        "/rest/files", files={"file": ("a.txt", b"x", "text/plain")}, data={"folder": "Secrets"}
    )
    assert folder.status_code == 400
    assert folder.json()["messages"][0].startswith("folder: expected one of Attachment, ")
    named = api.post(
        "/rest/files",
        files={"file": ("logo.png", b"\x89PNG", "image/png")},
        data={"folder": "WorkspaceLogo"},
    )
    assert named.status_code == 201
    assert named.json()["data"]["uploadFile"]["path"].startswith("workspace-logo/")
    assert api.get("/rest/files/not-a-uuid").status_code == 404


# who may reach a file


def test_another_workspace_cannot_reach_a_file(api: Client, other_api: Client) -> None:
    file = uploaded(api)
    assert other_api.get(f"/rest/files/{file['id']}").status_code == 404
    # Its own, valid signature on the other workspace's file id: not its file.
    own = sign(APP_SECRET, other_api.workspace_id, file["id"], timedelta(minutes=5))
    assert download(with_token(file["url"], own.token)).status_code == 404
    # The file's token, claiming the other workspace: the signature no longer holds.
    moved = tampered_claims(token_of(file["url"]), sub=other_api.workspace_id)
    assert download(with_token(file["url"], moved)).status_code == 403


def test_uploads_need_the_files_scope(files_server: Server, api: Client) -> None:
    def token_for(scopes: list[str]) -> dict[str, str]:
        app = register(api, scopes)
        token = requests.post(
            f"{files_server.base_url}/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(app.client_id, app.client_secret),
            timeout=30,
        ).json()
        return {"Authorization": f"Bearer {token['access_token']}"}

    base, part = files_server.base_url, {"file": ("a.txt", b"x", "text/plain")}
    reader = token_for(["records:read", "records:write"])
    refused = requests.post(f"{base}/rest/files", files=part, headers=reader, timeout=30)
    assert refused.status_code == 403 and "'files'" in refused.json()["messages"][0]
    operations = {"query": UPLOAD_FILE, "variables": {"file": None}}
    form = [
        ("operations", (None, json.dumps(operations))),
        ("map", (None, json.dumps({"0": ["variables.file"]}))),
        ("0", ("a.txt", b"x", "text/plain")),
    ]
    for path in ("/graphql", "/metadata"):
        answer = requests.post(f"{base}{path}", files=form, headers=reader, timeout=30).json()
        assert answer["errors"][0]["extensions"]["code"] == "FORBIDDEN", answer
    uploader = token_for(["files"])
    accepted = requests.post(f"{base}/rest/files", files=part, headers=uploader, timeout=30)
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["data"]["uploadFile"]["createdBy"]["source"] == "APPLICATION"


# GraphQL


@pytest.mark.parametrize("path", ["/graphql", "/metadata"])
def test_graphql_multipart_upload_file(api: Client, path: str) -> None:
    body = multipart_graphql(
        api, path, UPLOAD_FILE, {"fileFolder": "Attachment"}, ("notes.txt", b"hello", "text/plain")
    )
    assert "errors" not in body, body
    signed = body["data"]["uploadFile"]
    assert signed["path"].startswith("attachment/") and signed["path"].endswith(".txt")
    # Twenty's clients build the download from path and token.
    got = download(f"{api.base_url}/files/{signed['path']}?token={signed['token']}")
    assert got.status_code == 200 and got.content == b"hello"
    assert download(signed["url"]).content == b"hello"


def test_graphql_multipart_errors_are_named(api: Client) -> None:
    operations = {"query": UPLOAD_FILE, "variables": {"file": None}}
    missing_part = api.post(
        "/graphql",
        files=[
            ("operations", (None, json.dumps(operations))),
            ("map", (None, json.dumps({"0": ["variables.file"]}))),
        ],
    )
    assert missing_part.status_code == 400
    assert "map: names the part '0'" in missing_part.json()["errors"][0]["message"]
    batch = api.post(
        "/graphql",
        files=[
            ("operations", (None, json.dumps([operations]))),
            ("map", (None, json.dumps({"0": ["0.variables.file"]}))),
            ("0", ("a.txt", b"x", "text/plain")),
        ],
    )
    assert batch.status_code == 400
    assert "batch" in batch.json()["errors"][0]["message"]
    bad_path = api.post(
        "/graphql",
        files=[
            ("operations", (None, json.dumps(operations))),
            ("map", (None, json.dumps({"0": ["query"]}))),
            ("0", ("a.txt", b"x", "text/plain")),
        ],
    )
    assert bad_path.status_code == 400
    as_text = api.post(
        "/graphql", json={"query": UPLOAD_FILE, "variables": {"file": "not a file"}}
    ).json()
    assert as_text["errors"][0]["message"].startswith("Variable '$file' has invalid value: ")
    assert "multipart/form-data" in as_text["errors"][0]["message"]
    too_big = multipart_graphql(
        api, "/graphql", UPLOAD_FILE, {}, ("big.bin", b"\0" * (LIMIT + 1), "application/zip")
    )
    assert too_big["data"] is None
    assert "FILE_MAX_SIZE_MB" in too_big["errors"][0]["message"]


def test_files_field_upload_then_record(api: Client) -> None:
    field = create_field(api, "company", name="contracts", label="Contracts", type="FILES")
    body = multipart_graphql(
        api,
        "/metadata",
        UPLOAD_FILES_FIELD_FILE,
        {"fieldMetadataId": field["id"]},
        ("contract.pdf", PDF, "application/pdf"),
    )
    assert "errors" not in body, body
    file = body["data"]["uploadFilesFieldFile"]
    assert file["path"] == f"files-field/{file['id']}.pdf" and file["size"] == len(PDF)
    assert download(file["url"]).content == PDF
    made = ok(
        api,
        "mutation New($data: CompanyCreateInput!) "
        "{ createCompany(data: $data) { id contracts { fileId label extension } } }",
        {"data": {"name": "Acme", "contracts": [{"fileId": file["id"], "label": "contract.pdf"}]}},
    )["createCompany"]
    assert made["contracts"] == [
        {"fileId": file["id"], "label": "contract.pdf", "extension": ".pdf"}
    ]
    objects = api.get("/rest/metadata/objects").json()["data"]["objects"]
    company = next(o for o in objects if o["nameSingular"] == "company")
    name_field = next(f["id"] for f in company["fields"] if f["name"] == "name")
    refused = multipart_graphql(
        api,
        "/metadata",
        UPLOAD_FILES_FIELD_FILE,
        {"fieldMetadataId": name_field},
        ("contract.pdf", PDF, "application/pdf"),
    )
    assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "no FILES field" in refused["errors"][0]["message"]


def test_an_attachment_holds_an_uploaded_file_for_a_person(api: Client) -> None:
    objects = api.get("/rest/metadata/objects").json()["data"]["objects"]
    attachment = next(o for o in objects if o["nameSingular"] == "attachment")
    fields = {f["name"]: f for f in attachment["fields"]}
    assert fields["file"]["type"] == "FILES" and fields["fullPath"]["type"] == "TEXT"
    assert {"person", "company", "opportunity", "note", "task"} <= set(fields)
    body = multipart_graphql(
        api,
        "/graphql",
        UPLOAD_FILES_FIELD_FILE,
        {"fieldMetadataId": fields["file"]["id"]},
        ("cv.pdf", PDF, "application/pdf"),
    )
    file = body["data"]["uploadFilesFieldFile"]
    person = api.post("/rest/people", json={"name": {"firstName": "Ada"}}).json()
    person_id = person["data"]["createPerson"]["id"]
    created = api.post(
        "/rest/attachments",
        json={
            "name": "cv.pdf",
            "fullPath": file["path"],
            "fileCategory": "TEXT_DOCUMENT",
            "file": [{"fileId": file["id"], "label": "cv.pdf"}],
            "personId": person_id,
        },
    )
    assert created.status_code == 201, created.text
    record = created.json()["data"]["createAttachment"]
    assert record["createdBy"]["source"] == "API"
    listed = api.get(f"/rest/people/{person_id}?depth=1").json()["data"]["person"]
    assert [a["id"] for a in listed["attachments"]] == [record["id"]]
    assert listed["attachments"][0]["file"][0]["fileId"] == file["id"]


# the webhook event


def test_an_upload_sends_file_created_to_webhooks(api: Client, receiver: Receiver) -> None:
    subscribe(api, receiver, operations=["file.created"])
    file = uploaded(api)
    (delivery,) = receiver.wait_for(1, path="/hook")
    body = delivery.json
    assert body["eventName"] == "file.created"
    assert body["workspaceId"] == api.workspace_id
    assert body["objectMetadata"]["nameSingular"] == "file"
    assert body["record"] == {k: v for k, v in file.items() if k not in ("url", "urlExpiresAt")}
    assert "token" not in json.dumps(body)


def test_an_upload_rolled_back_leaves_no_bytes_and_no_event(
    api: Client, receiver: Receiver, storage_dir: Path, files_server: Server
) -> None:
    """Two uploads in one mutation, the second over the limit: all or nothing."""
    subscribe(api, receiver, operations=["file.created"])
    query = (
        "mutation Two($a: Upload!, $b: Upload!) "
        "{ first: uploadFile(file: $a) { path } second: uploadFile(file: $b) { path } }"
    )
    operations = {"query": query, "variables": {"a": None, "b": None}}
    answer = api.post(
        "/graphql",
        files=[
            ("operations", (None, json.dumps(operations))),
            ("map", (None, json.dumps({"0": ["variables.a"], "1": ["variables.b"]}))),
            ("0", ("small.txt", b"small", "text/plain")),
            ("1", ("big.bin", b"\0" * (LIMIT + 1), "application/zip")),
        ],
    ).json()
    assert answer["data"] is None and "FILE_MAX_SIZE_MB" in answer["errors"][0]["message"]
    assert file_rows(files_server.database, api.workspace_id) == 0
    assert stored_files(storage_dir, api.workspace_id) == []
    uploaded(api)  # the next event is this one's
    (delivery,) = receiver.wait_for(1, path="/hook")
    assert delivery.json["record"]["name"] == "report.pdf"


# S3


def test_s3_upload_then_download(s3_server: Server, moto: MotoServer, bucket: str) -> None:
    api = client_of(s3_server)
    content = os.urandom(300_000)
    file = uploaded(api, content=content, name="data.bin", media_type="application/zip")
    key = f"workspace-{api.workspace_id}/attachment/{file['id']}.bin"
    stored = moto.s3().get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == content
    assert stored["ContentType"] == "application/zip"
    got = download(file["url"])
    assert got.status_code == 200 and got.content == content
    assert got.headers["Content-Type"] == "application/zip"
    assert got.headers["Content-Disposition"].startswith('attachment; filename="data.bin"')

    body = multipart_graphql(api, "/graphql", UPLOAD_FILE, {}, ("a.txt", b"over s3", "text/plain"))
    assert download(body["data"]["uploadFile"]["url"]).content == b"over s3"

    other = client_of(s3_server)
    assert other.get(f"/rest/files/{file['id']}").status_code == 404
    expired = sign(
        APP_SECRET,
        api.workspace_id,
        file["id"],
        timedelta(minutes=1),
        datetime(2020, 1, 1, tzinfo=UTC),
    )
    assert download(with_token(file["url"], expired.token)).status_code == 403


def test_s3_limits_store_nothing(s3_server: Server, moto: MotoServer, bucket: str) -> None:
    api = client_of(s3_server)
    assert upload(api, content=b"\0" * (LIMIT + 1), name="big.bin").status_code == 413
    assert upload(api, content=b"MZ", name="x.exe").status_code == 400
    listed = moto.s3().list_objects_v2(Bucket=bucket, Prefix=f"workspace-{api.workspace_id}/")
    assert listed.get("KeyCount", 0) == 0
    assert file_rows(s3_server.database, api.workspace_id) == 0


# the migration


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    with empty_database(request.param, tmp_path_factory) as url:
        engine = create_db_engine(url)
        yield engine
        engine.dispose()


def migrate_to(engine: Engine, revision: str) -> None:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        current = MigrationContext.configure(connection).get_current_revision()
        if current is not None and revision != "head" and current > revision:
            command.downgrade(config, revision)
        else:
            command.upgrade(config, revision)


def field_shapes(engine: Engine, workspace_id: str) -> dict[str, list[tuple]]:
    """The attachment object's fields and the other sides on its targets, as compared."""
    with Session(engine) as session:
        catalog = load_catalog(session, workspace_id)
    shapes: dict[str, list[tuple]] = {}
    for spec in catalog.objects:
        shapes[spec.name_singular] = [
            (f.name, f.label, f.type, f.is_system, f.is_nullable, f.default_value, f.options,
             f.settings, f.description)
            for f in spec.fields
            if spec.name_singular == "attachment" or f.name == "attachments"
        ]  # fmt: skip
    return shapes


def metadata_version(engine: Engine, workspace_id: str) -> int:
    with engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT metadata_version FROM workspace WHERE id = :id"), {"id": workspace_id}
        ).scalar_one()


def test_0010_gives_existing_workspaces_the_attachment_object(fresh_engine: Engine) -> None:
    migrate_to(fresh_engine, "0009")
    with transaction(fresh_engine) as session:
        old, taken = (create_workspace(session, name).id for name in ("old", "taken"))
    # `old` as a workspace was before 0010; `taken` made an object named attachment itself.
    with fresh_engine.begin() as connection:
        for workspace_id in (old, taken):
            connection.execute(
                sa.text(
                    "DELETE FROM field_metadata WHERE workspace_id = :w AND name = 'attachments'"
                ),
                {"w": workspace_id},
            )
        attachment = sa.text(
            "SELECT id FROM object_metadata "
            "WHERE workspace_id = :w AND name_singular = 'attachment'"
        )
        old_attachment = connection.execute(attachment, {"w": old}).scalar_one()
        connection.execute(
            sa.text("DELETE FROM field_metadata WHERE object_id = :o"), {"o": old_attachment}
        )
        connection.execute(
            sa.text("DELETE FROM object_metadata WHERE id = :o"), {"o": old_attachment}
        )
        connection.execute(
            sa.text("UPDATE object_metadata SET is_custom = true WHERE id = :o"),
            {"o": connection.execute(attachment, {"w": taken}).scalar_one()},
        )
    before = {w: metadata_version(fresh_engine, w) for w in (old, taken)}

    migrate_to(fresh_engine, "head")
    with transaction(fresh_engine) as session:
        new = create_workspace(session, "new").id
    assert field_shapes(fresh_engine, old) == field_shapes(fresh_engine, new)
    assert len(field_shapes(fresh_engine, old)["attachment"]) == 17
    assert metadata_version(fresh_engine, old) == before[old] + 1
    assert metadata_version(fresh_engine, taken) == before[taken]
    assert field_shapes(fresh_engine, taken)["person"] == []  # left as it was
    with Session(fresh_engine) as session:
        kept = load_catalog(session, taken).object_by_singular("attachment")
    assert kept is not None and kept.is_custom

    with transaction(fresh_engine) as session:
        catalog = load_catalog(session, old)
        store = RecordStore(session, catalog)
        person = store.create(catalog.object_by_singular("person"), {"city": "London"})
        made = store.create(
            catalog.object_by_singular("attachment"),
            {"name": "cv.pdf", "personId": person["id"], "fileCategory": "TEXT_DOCUMENT"},
        )
    assert made["personId"] == person["id"] and made["fullPath"] == ""

    migrate_to(fresh_engine, "0009")
    assert "attachment" not in field_shapes(fresh_engine, old)
    assert "file" not in sa.inspect(fresh_engine).get_table_names()
    migrate_to(fresh_engine, "head")
    assert field_shapes(fresh_engine, old) == field_shapes(fresh_engine, new)
