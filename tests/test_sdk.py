"""The Python client SDK: the base client (``clients/python``) and the per-workspace client
generated with ariadne-codegen and served at ``GET /sdk/python``.

Unit tests (no Hookwire server): the token resolution order; one refresh, whatever the
number of threads or tasks refused at once, against a stand-in GraphQL and OAuth2 token
endpoint over real sockets; a custom transport sees every request; refresh callables and
failures; the multipart upload request; typed errors.

Live tests, on SQLite and PostgreSQL: a workspace with a custom object; its wheel from
``/sdk/python`` (cached per metadata version, rebuilt after a change); installed into a fresh
virtual environment; a script there does typed CRUD with composites, enums, relations and
the async client; ``mypy --strict`` passes on typed code and fails where it must; refresh
against the real ``/oauth/token``; upload and download of a file; the CLI; the settings page.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import requests
import sqlalchemy as sa
from authlib.integrations.requests_client import OAuth2Session
from graphql import print_schema
from hookwire_client import (
    AsyncClient,
    BadUserInput,
    Forbidden,
    GraphQLError,
    HttpError,
    NotFound,
    RefreshFailed,
    Tokens,
    Unauthenticated,
    Upload,
    resolve_token,
)
from hookwire_client import Client as SdkClient

from browser.web import Admin, Browser
from conftest import Client, Server, new_workspace
from hookwire.config import sdk_settings
from hookwire.sdk import fetch_schema, toolchain
from hookwire.sdk.operations import operations_document
from metadata_support import add_fields, create_object
from oauth_support import REDIRECT_URI, admin_client, consent, query_of, register
from sdk_support import CLIENT_ID, CLIENT_SECRET, AsyncRecording, Recording, StandIn, running

SCRIPTS = Path(__file__).parent / "sdk_scripts"
CONCURRENT = 50

T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the browser tests' Playwright keeps an event
    loop running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- token resolution ------------------------------------------------------------------------

ALL_SOURCES = {
    "HOOKWIRE_ACCESS_TOKEN": "hookwire-access",
    "TWENTY_APP_ACCESS_TOKEN": "twenty-access",
    "HOOKWIRE_API_KEY": "hookwire-key",
    "TWENTY_API_KEY": "twenty-key",
}


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (list(ALL_SOURCES), "hookwire-access"),
        (["TWENTY_APP_ACCESS_TOKEN", "HOOKWIRE_API_KEY", "TWENTY_API_KEY"], "twenty-access"),
        (["HOOKWIRE_API_KEY", "TWENTY_API_KEY"], "hookwire-key"),
        (["TWENTY_API_KEY"], "twenty-key"),
        ([], None),
    ],
)
def test_token_comes_from_the_first_variable_set(present: list[str], expected: str | None) -> None:
    environ = {name: ALL_SOURCES[name] for name in present}
    assert resolve_token(environ=environ) == expected
    assert resolve_token("explicit", environ=environ) == "explicit"
    header = {"authorization": "Bearer from-header"}
    assert resolve_token(headers=header, environ=environ) == "from-header"


def test_the_client_sends_the_token_it_resolved() -> None:
    seen: list[str | None] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization"))
        return httpx.Response(200, json={"data": {"ok": True}})

    transport = httpx.MockTransport(answer)
    environ = {"HOOKWIRE_API_URL": "http://api.test", **ALL_SOURCES}
    SdkClient(transport=transport, environ=environ).graphql("{ ok }")
    SdkClient(transport=transport, environ=environ, token="given").graphql("{ ok }")
    headers = {"Authorization": "Bearer header-token", "X-Extra": "1"}
    SdkClient(headers=headers, transport=transport, environ=environ).graphql("{ ok }")
    SdkClient(transport=transport, environ={"TWENTY_API_URL": "http://api.test"}).graphql("{ ok }")
    assert seen == ["Bearer hookwire-access", "Bearer given", "Bearer header-token", None]


# --- one refresh for many callers ------------------------------------------------------------


def _stale_client(url: str, client_class: Any = SdkClient, **options: Any) -> Any:
    """A client (sync, or ``AsyncClient``) holding a token the server refuses."""
    return client_class(
        url,
        token="expired",
        refresh_token="refresh-0",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environ={},
        **options,
    )


@pytest.mark.parametrize("refused_status", [200, 401])
def test_threads_refused_together_share_one_refresh(refused_status: int) -> None:
    stand_in = StandIn(refused_status)
    renewed: list[Tokens] = []
    with running(stand_in) as url, _stale_client(url, on_tokens=renewed.append) as client:
        with ThreadPoolExecutor(CONCURRENT) as pool:
            answers = list(pool.map(lambda _: client.graphql("{ echo }"), range(CONCURRENT)))
        assert answers == [{"echo": "ok"}] * CONCURRENT
        assert stand_in.refreshes == 1
        assert stand_in.graphql_requests == 2 * CONCURRENT  # each refused once, then retried
        # The grant was the form the brief names, and the rotated refresh token was kept.
        assert stand_in.grant_forms == [
            {
                "grant_type": "refresh_token",
                "refresh_token": "refresh-0",
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
            }
        ]
        assert (client.access_token, client.refresh_token) == ("access-1", "refresh-1")
        assert renewed == [Tokens("access-1", "refresh-1", 900, "records:read")]

        stand_in.expire()  # later the new token expires too: the rotated refresh token works
        with ThreadPoolExecutor(CONCURRENT) as pool:
            list(pool.map(lambda _: client.graphql("{ echo }"), range(CONCURRENT)))
        assert stand_in.refreshes == 2
        assert stand_in.grant_forms[-1]["refresh_token"] == "refresh-1"


@pytest.mark.parametrize("refused_status", [200, 401])
def test_tasks_refused_together_share_one_refresh(refused_status: int) -> None:
    stand_in = StandIn(refused_status)

    async def run(url: str) -> list[dict[str, Any]]:
        async with _stale_client(url, AsyncClient) as client:
            answers = await asyncio.gather(*(client.graphql("{ echo }") for _ in range(CONCURRENT)))
            assert client.refresh_token == "refresh-1"
            return answers

    with running(stand_in) as url:
        assert run_coroutine(run(url)) == [{"echo": "ok"}] * CONCURRENT
    assert stand_in.refreshes == 1
    assert stand_in.graphql_requests == 2 * CONCURRENT


def test_a_failed_refresh_is_tried_once_and_raised_to_every_caller() -> None:
    stand_in = StandIn()
    with running(stand_in) as url:
        client = SdkClient(
            url,
            token="expired",
            refresh_token="not-the-one",
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            environ={},
        )
        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(client.graphql, "{ echo }") for _ in range(10)]
        errors = [future.exception() for future in futures]
        assert all(isinstance(error, RefreshFailed) for error in errors)
        assert "invalid_grant" in str(errors[0]) and errors[0].code == "UNAUTHENTICATED"
        assert len(stand_in.grant_forms) == 1
        with pytest.raises(RefreshFailed):  # a later call tries again (and fails again)
            client.graphql("{ echo }")
        assert len(stand_in.grant_forms) == 2


def test_without_a_way_to_refresh_a_refused_token_raises_unauthenticated() -> None:
    stand_in = StandIn()
    with running(stand_in) as url, pytest.raises(Unauthenticated) as raised:
        SdkClient(url, token="expired", environ={}).graphql("{ echo }")
    assert raised.value.codes == ["UNAUTHENTICATED"] and stand_in.graphql_requests == 1


def test_a_refresh_callable_is_used_once_for_concurrent_callers() -> None:
    stand_in = StandIn(refused_status=401)
    calls: list[int] = []

    def refresh() -> str:
        calls.append(1)
        with stand_in.lock:
            stand_in.access_token = "from-callable"
        return "from-callable"

    async def refresh_async() -> Tokens:
        calls.append(2)
        await asyncio.sleep(0.05)
        with stand_in.lock:
            stand_in.access_token = "from-coroutine"
        return Tokens("from-coroutine")

    async def run_async(url: str) -> None:
        async with AsyncClient(url, token="x", refresh=refresh_async, environ={}) as client:
            await asyncio.gather(*(client.graphql("{ echo }") for _ in range(20)))

    with running(stand_in) as url:
        client = SdkClient(url, token="expired", refresh=refresh, environ={})
        with client, ThreadPoolExecutor(20) as pool:
            list(pool.map(lambda _: client.graphql("{ echo }"), range(20)))
        run_coroutine(run_async(url))
    assert calls == [1, 2]


# --- transports ------------------------------------------------------------------------------


def test_a_custom_transport_sees_every_request() -> None:
    stand_in = StandIn(refused_status=401, refresh_delay=0)
    with running(stand_in) as url:
        recording = Recording(httpx.HTTPTransport())
        with _stale_client(url, transport=recording) as client:
            client.graphql("{ echo }")
            client.graphql("{ echo }")
        assert [(r.method, r.url.path) for r in recording.requests] == [
            ("POST", "/graphql"),  # refused
            ("POST", "/oauth/token"),  # the refresh goes through the transport too
            ("POST", "/graphql"),  # the retry
            ("POST", "/graphql"),
        ]
        assert recording.requests[-1].headers["Authorization"] == "Bearer access-1"

        stand_in.expire()
        recording_async = AsyncRecording(httpx.AsyncHTTPTransport())

        async def run() -> None:
            async with AsyncClient(
                url,
                token="expired",
                refresh_token=stand_in.refresh_token,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                transport=recording_async,
                environ={},
            ) as client:
                await client.graphql("{ echo }")

        run_coroutine(run())
        paths = [r.url.path for r in recording_async.requests]
        assert paths == ["/graphql", "/oauth/token", "/graphql"]


# --- requests and errors ---------------------------------------------------------------------


def test_an_upload_is_a_graphql_multipart_request() -> None:
    captured: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, json={"data": {"uploadFile": {"path": "a/b", "url": "u"}}})

    client = SdkClient("http://api.test", token="t", transport=httpx.MockTransport(answer))
    assert client.upload_file(b"hello", "hello.txt", "text/plain")["path"] == "a/b"
    request = captured[0]
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    body = request.content.decode()
    parts = body.split("--" + request.headers["Content-Type"].split("boundary=")[1])
    named = {part.split('name="')[1].split('"')[0]: part for part in parts if 'name="' in part}
    assert list(named) == ["operations", "map", "0"]
    operations = json.loads(named["operations"].split("\r\n\r\n", 1)[1].rsplit("\r\n", 1)[0])
    assert operations["variables"] == {"file": None, "fileFolder": None}
    assert "uploadFile(file: $file" in operations["query"]
    assert '{"0": ["variables.file"]}' in named["map"]
    assert 'filename="hello.txt"' in named["0"] and "Content-Type: text/plain" in named["0"]
    assert named["0"].split("\r\n\r\n", 1)[1].startswith("hello")


def test_errors_are_typed_by_their_code() -> None:
    answers = {
        "/graphql": httpx.Response(
            200,
            json={
                "errors": [
                    {"message": "no", "extensions": {"code": "FORBIDDEN"}, "path": ["a"]},
                    {"message": "other", "extensions": {"code": "NOT_FOUND"}},
                ],
                "data": None,
            },
        ),
        "/rest-shaped": httpx.Response(
            404, json={"statusCode": 404, "error": "NotFoundException", "messages": ["gone"]}
        ),
        "/bad": httpx.Response(200, json={"errors": [{"message": "x: expected Int"}]}),
        "/proxy": httpx.Response(502, text="<html>bad gateway</html>"),
    }
    client = SdkClient(
        "http://api.test",
        token="t",
        transport=httpx.MockTransport(lambda request: answers[request.url.path]),
    )
    with pytest.raises(Forbidden) as forbidden:
        client.graphql("{ a }")
    assert forbidden.value.codes == ["FORBIDDEN", "NOT_FOUND"]
    assert forbidden.value.errors[0].path == ("a",)
    for path, kind, code in (
        ("/rest-shaped", NotFound, "NOT_FOUND"),
        ("/bad", GraphQLError, None),
        ("/proxy", HttpError, None),
    ):
        with pytest.raises(kind) as raised:
            client.get_data(client.http_client.post(f"http://api.test{path}"))
        assert getattr(raised.value, "code", None) == code


# --- the generated client against a live server ----------------------------------------------


@pytest.fixture(scope="session")
def codegen_tools() -> Path:
    """ariadne-codegen's environment, made before any server is asked for a client (the
    first time on a machine it is installed from the package index: seconds, not a request's)."""
    return toolchain(sdk_settings(os.environ).tools_dir).root


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtual environment holding only the client's dependencies: the wheel from the
    server goes in with ``--no-deps``, then ``pip check`` holds its requirements to them."""
    root = tmp_path_factory.mktemp("sdk-venv")
    venv.EnvBuilder(with_pip=True).create(root)
    _run([str(root / "bin" / "python"), "-m", "pip", "install", "-q", "httpx", "pydantic"])
    return root


@pytest.fixture
def invoicing(client: Client) -> Client:
    """The client's workspace with a custom object: composite, enum, date, relation fields."""
    stages = [{"value": v, "label": v.title()} for v in ("DRAFT", "SENT", "PAID")]
    add_fields(
        client,
        create_object(client, "invoice"),
        [
            ("total", "NUMBER", {}),
            ("paid", "BOOLEAN", {}),
            ("stage", "SELECT", {"options": stages}),
            ("dueOn", "DATE", {}),
            ("contact", "EMAILS", {}),
            ("customer", "RELATION", {"settings": {"targetObject": "company"}}),
        ],
    )
    return client


def _run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=240, **options)
    assert result.returncode == 0, f"{command}: {result.stdout}\n{result.stderr}"
    return result


def _download(client: Client, folder: Path) -> Path:
    answer = client.get("/sdk/python")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"] == "application/octet-stream"
    name = answer.headers["Content-Disposition"].split("filename=")[1].strip('"')
    assert name.startswith("hookwire_client-0.1.0+m") and name.endswith("-py3-none-any.whl")
    wheel = folder / name
    wheel.write_bytes(answer.content)
    return wheel


def test_generated_client_in_a_fresh_environment(
    codegen_tools: Path, fresh_venv: Path, invoicing: Client, tmp_path: Path
) -> None:
    client = invoicing
    wheel = _download(client, tmp_path)
    python = str(fresh_venv / "bin" / "python")
    _run([python, "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)])
    _run([python, "-m", "pip", "check"])
    env = {
        "PATH": os.environ["PATH"],
        "HOOKWIRE_API_URL": client.base_url,
        "HOOKWIRE_API_KEY": client.token,
    }
    out = json.loads(_run([python, str(SCRIPTS / "crud.py")], env=env).stdout)

    assert out["listed"] == [out["ada"]] and out["total"] == 1
    assert out["gone"] == ["NOT_FOUND"]
    assert out["not_found"] == ["NOT_FOUND"] and out["bad_input"] == ["BAD_USER_INPUT"]
    assert client.get(f"/rest/people/{out['ada']}").status_code == 404  # destroyed
    soft = client.get("/rest/people", params={"filter": "deletedAt[is]:NOT_NULL"}).json()
    assert [p["id"] for p in soft["data"]["people"]] == [out["grace"]]  # soft-deleted
    invoice = client.get(f"/rest/invoices/{out['invoice']}").json()["data"]["invoice"]
    assert (invoice["paid"], invoice["stage"], invoice["total"]) == (True, "PAID", 120.5)
    assert invoice["customerId"] == out["company"]
    assert invoice["contact"]["primaryEmail"] == "billing@acme.example"
    assert out["invoices"] == 1 and out["async_person"]

    mypy = [sys.executable, "-m", "mypy", "--strict", "--python-executable", python]
    mypy += ["--cache-dir", str(tmp_path / "mypy"), "--no-color-output"]
    _run([*mypy, str(SCRIPTS / "typed.py")])
    wrong = subprocess.run(
        [*mypy, str(SCRIPTS / "typed_wrong.py")], capture_output=True, text=True, timeout=240
    )
    lines = (SCRIPTS / "typed_wrong.py").read_text().splitlines()
    expected = {
        (number, line.split("# error: ")[1])
        for number, line in enumerate(lines, 1)
        if "# error: " in line
    }
    found = {
        (int(line.split(":")[1]), line.rsplit("[", 1)[1].rstrip("]"))
        for line in wrong.stdout.splitlines()
        if ": error:" in line
    }
    assert found == expected, wrong.stdout


def test_the_wheel_is_kept_per_metadata_version(codegen_tools: Path, client: Client) -> None:
    first = client.get("/sdk/python")
    again = client.get("/sdk/python")
    assert first.status_code == again.status_code == 200
    assert first.content == again.content  # built once, served twice
    add_fields(client, create_object(client, "gizmo"), [("weight", "NUMBER", {})])
    changed = client.get("/sdk/python")
    assert changed.status_code == 200
    old_name = first.headers["Content-Disposition"].split("filename=")[1]
    new_name = changed.headers["Content-Disposition"].split("filename=")[1]
    assert old_name != new_name
    with zipfile.ZipFile(io.BytesIO(changed.content)) as wheel:
        names = wheel.namelist()
        client_source = wheel.read("hookwire_client/generated/client.py").decode()
        metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
        requires = wheel.read(metadata).decode()
    assert "hookwire_client/generated/async_client.py" in names
    assert "hookwire_client/py.typed" in names and "hookwire_client/client.py" in names
    assert "def create_gizmo(" in client_source and "def list_gizmos(" in client_source
    assert "Requires-Dist: httpx" in requires and "Requires-Dist: pydantic" in requires


def test_a_metadata_change_rebuilds_a_used_client_in_the_background(
    codegen_tools: Path, server: Server, tmp_path: Path
) -> None:
    sdk_dir = tmp_path / "sdk"
    own = Server(server.database, tmp_path / "server.log", {"HOOKWIRE_SDK_DIR": str(sdk_dir)})
    try:
        workspace_id, token = new_workspace(server.database)
        client = Client(own.base_url, token, workspace_id)
        unused_id, unused_token = new_workspace(server.database)
        unused = Client(own.base_url, unused_token, unused_id)
        assert client.get("/sdk/python").status_code == 200  # the workspace uses the SDK
        create_object(client, "gadget")
        create_object(unused, "gadget")
        version = _metadata_version(server, workspace_id)
        deadline = time.monotonic() + 120
        while not list(sdk_dir.glob(f"{workspace_id}/m{version}-*/*.whl")):
            assert time.monotonic() < deadline, "no rebuild after the metadata change"
            time.sleep(0.2)
        ready = client.get("/sdk/python")
        assert f"+m{version}-" in ready.headers["Content-Disposition"]
        assert not (sdk_dir / unused_id).exists()  # never downloaded: never built
    finally:
        own.stop()


def _metadata_version(server: Server, workspace_id: str) -> int:
    with server.database.engine.connect() as connection:
        return connection.execute(
            sa.text("SELECT metadata_version FROM workspace WHERE id = :id"), {"id": workspace_id}
        ).scalar_one()


def test_the_wheel_needs_a_token_with_metadata_read(server: Server, client: Client) -> None:
    assert requests.get(f"{server.base_url}/sdk/python", timeout=30).status_code == 401
    app = register(client, ["records:read"])
    token = requests.post(
        f"{server.base_url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(app.client_id, app.client_secret),
        timeout=30,
    ).json()["access_token"]
    refused = requests.get(
        f"{server.base_url}/sdk/python", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert refused.status_code == 403 and "metadata:read" in refused.text


def test_refresh_against_the_real_token_endpoint(server: Server, admin: Admin) -> None:
    """A stale access token, the refresh token of a real grant: one refresh through
    ``/oauth/token`` (client_secret in the form), the rotated refresh token kept."""
    owner = admin_client(server, admin)
    app = register(owner, ["records:read", "records:write"])
    session = OAuth2Session(
        app.client_id,
        app.client_secret,
        scope="records:read records:write",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    verifier = "v" * 64
    url, _state = session.create_authorization_url(
        f"{server.base_url}/oauth/authorize", code_verifier=verifier
    )
    back = consent(server.base_url, admin, url)
    assert query_of(back).get("code")
    grant = session.fetch_token(
        f"{server.base_url}/oauth/token", authorization_response=back, code_verifier=verifier
    )
    renewed: list[Tokens] = []
    with SdkClient(
        server.base_url,
        token="stale-access-token",
        refresh_token=grant["refresh_token"],
        client_id=app.client_id,
        client_secret=app.client_secret,
        on_tokens=renewed.append,
        environ={},
    ) as sdk:
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda _: sdk.graphql("{ people { totalCount } }"), range(10)))
        assert answers == [{"people": {"totalCount": 0}}] * 10
        assert len(renewed) == 1 and renewed[0].refresh_token != grant["refresh_token"]
        assert sdk.refresh_token == renewed[0].refresh_token
        assert renewed[0].token_type == "Bearer" and renewed[0].expires_in
    # The old refresh token was rotated away: using it again ends the grant (reuse detection).
    reused = requests.post(
        f"{server.base_url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": grant["refresh_token"]},
        auth=(app.client_id, app.client_secret),
        timeout=30,
    )
    assert reused.status_code == 400


def test_upload_then_download(client: Client) -> None:
    with SdkClient(client.base_url, token=client.token, environ={}) as sdk:
        stored = sdk.upload_file(Upload("notes.txt", b"one\ntwo\n", "text/plain"))
        assert stored["path"].startswith("attachment/") and stored["path"].endswith(".txt")
        assert sdk.download_file(stored["url"]) == b"one\ntwo\n"
        with pytest.raises(BadUserInput):
            sdk.upload_file(b"x", "x.txt", folder="NoSuchFolder")

    async def run() -> bytes:
        async with AsyncClient(client.base_url, token=client.token, environ={}) as sdk:
            stored = await sdk.upload_file(b"\x00\x01binary", "blob.bin")
            return await sdk.download_file(stored["url"])

    assert run_coroutine(run()) == b"\x00\x01binary"


def test_cli_generates_the_wheel(codegen_tools: Path, server: Server, tmp_path: Path) -> None:
    _, token = new_workspace(server.database)
    generate = [sys.executable, "-m", "hookwire.cli", "sdk", "generate", "--url", server.base_url]
    result = _run([*generate, "--key", token, "--out", str(tmp_path)])
    wheel = Path(result.stdout.strip())
    assert wheel.parent == tmp_path and wheel.name.startswith("hookwire_client-0.1.0+s")
    with zipfile.ZipFile(wheel) as archive:
        assert "hookwire_client/generated/client.py" in archive.namelist()
    refused = subprocess.run(
        [*generate, "--key", "not-a-key", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1 and "UNAUTHENTICATED" in refused.stderr
    # From a schema file instead of the server: the same client, no key needed.
    sdl = tmp_path / "schema.graphql"
    sdl.write_text(print_schema(fetch_schema(server.base_url, token)))
    offline = _run([*generate, "--schema", str(sdl), "--out", str(tmp_path / "offline")])
    offline_wheel = Path(offline.stdout.strip())
    assert offline_wheel.parent == tmp_path / "offline"
    with zipfile.ZipFile(offline_wheel) as archive:
        assert "hookwire_client/generated/async_client.py" in archive.namelist()


def test_settings_page_links_the_wheel(codegen_tools: Path, server: Server, admin: Admin) -> None:
    browser = Browser(server.base_url)
    assert browser.sign_in(admin.email, admin.password).status_code in (302, 303)
    page = browser.http.get(f"{server.base_url}/settings/apis", timeout=30)
    assert 'id="python-client"' in page.text
    assert f"{server.base_url}/sdk/python" in page.text and "pip install" in page.text
    wheel = browser.http.get(f"{server.base_url}/settings/apis/sdk/python", timeout=60)
    assert wheel.status_code == 200 and wheel.content[:2] == b"PK"
    assert "hookwire_client-0.1.0+m" in wheel.headers["Content-Disposition"]


def test_operations_cover_every_record_object(server: Server, invoicing: Client) -> None:
    """The documents the client is generated from name each object's six operations."""
    document = operations_document(fetch_schema(invoicing.base_url, invoicing.token))
    for name in ("ListInvoices", "GetInvoice", "CreateInvoice", "UpdateInvoice"):
        assert f"query {name}(" in document or f"mutation {name}(" in document
    assert "DeleteInvoice(" in document and "DestroyInvoice(" in document
    assert "fragment InvoiceFields on Invoice" in document
    assert "contact { primaryEmail additionalEmails }" in document


@pytest.fixture(autouse=True)
def _no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """httpx reads proxy variables; the stand-in and the server are on loopback."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    yield
