"""Real mail and calendar servers on loopback for the connected-account tests.

- ``ImapServer``: Debian's Dovecot (``/usr/sbin/dovecot``) as a private, unprivileged instance
  with its own configuration in a temporary directory: users in a passwd-file (no system
  accounts), Maildir storage, plain IMAP without TLS and, optionally, implicit TLS (IMAPS) with
  a self-signed certificate. Started as root (CI) it runs as ``nobody``.
- ``CaldavServer``: Radicale in a subprocess, users in a plain-text htpasswd file.
- Seeding: ``build_thread_messages`` (deterministic RFC 5322 conversations),
  ``append_messages`` / ``move_messages`` / ``delete_messages`` over IMAP (imapclient), and
  ``build_events`` / ``create_calendar`` / ``put_events`` over CalDAV (caldav).

SMTP is ``smtp_server.SmtpServer``.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import grp
import ipaddress
import os
import pwd
import quopri
import random
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, parsedate_to_datetime
from html import escape
from pathlib import Path

import caldav
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

from conftest import free_port
from smtp_server import SmtpServer

DOVECOT = "/usr/sbin/dovecot"
DOMAIN = "example.test"
LOOPBACK = "127.0.0.1"


# --- processes -------------------------------------------------------------------------------


def _runner() -> tuple[str, str]:
    """The user and group the servers run as: ours, or ``nobody`` when we are root (Dovecot
    refuses to give mail access to UID 0, and an unprivileged master needs no setuid)."""
    user = pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    return user.pw_name, grp.getgrgid(user.pw_gid).gr_name


def _hand_over(path: Path) -> None:
    """Give ``path`` (and what is under it) to the runner user when that is not us."""
    if os.geteuid() != 0:
        return
    user, group = _runner()
    shutil.chown(path, user, group)
    if path.is_dir():
        for child in path.rglob("*"):
            shutil.chown(child, user, group)


def _write(path: Path, text: str, mode: int = 0o644, *, hand_over: bool = True) -> None:
    """Replace ``path`` atomically, so a server re-reading it never sees half a file."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    partial.chmod(mode)
    if hand_over:
        _hand_over(partial)
    partial.replace(path)


class _Process:
    """A server process in its own process group (so ``kill`` reaches its children), with
    its output in ``output.log`` in ``directory``; run as the runner user if ``unprivileged``
    (else as us)."""

    def __init__(self, name: str, *, unprivileged: bool) -> None:
        self.name = name
        self.unprivileged = unprivileged
        self.directory = Path(tempfile.mkdtemp(prefix=f"hookwire-{name}-"))
        if unprivileged:
            self.directory.chmod(0o755)
            _hand_over(self.directory)
        self.output_path = self.directory / "output.log"
        self.process: subprocess.Popen | None = None
        # A test run that dies without stopping it must not leave it running.
        atexit.register(self.kill)

    def spawn(self, command: list[str], env: dict[str, str] | None = None) -> None:
        user, group = _runner()
        as_other = self.unprivileged and os.geteuid() == 0
        with open(self.output_path, "ab") as output:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.directory,
                env=env,
                start_new_session=True,
                user=user if as_other else None,
                group=group if as_other else None,
                extra_groups=[] if as_other else None,
            )

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_until(self, ready, what: str, diagnostics: Path, timeout: float = 20) -> None:
        """Poll ``ready()`` until true; raise with the logs if the process dies or stalls."""
        deadline = time.monotonic() + timeout
        while not ready():
            if not self.running() or time.monotonic() > deadline:
                self.kill()
                logs = "\n".join(
                    path.read_text(errors="replace")[-4000:]
                    for path in dict.fromkeys((self.output_path, diagnostics))
                    if path.exists()
                )
                raise RuntimeError(f"{self.name} did not {what}:\n{logs}")
            time.sleep(0.05)

    def stop(self, grace: float = 10) -> None:
        """SIGTERM, then SIGKILL to whatever is left of the process group."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group: no chance to finish anything, connections drop."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        atexit.unregister(self.kill)
        shutil.rmtree(self.directory, ignore_errors=True)


def _answers(port: int, greeting: bytes | None = None) -> bool:
    """Whether ``port`` accepts a connection (and, if given, sends a line starting with
    ``greeting``)."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=1) as sock:
            if greeting is None:
                return True
            sock.settimeout(2)
            return sock.recv(1024).startswith(greeting)
    except OSError:
        return False


def self_signed_certificate(directory: Path, name: str = "localhost") -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` and 127.0.0.1 (EC P-256: instant to make);
    returns (certificate PEM, key PEM). Clients trust it with
    ``ssl.create_default_context(cafile=certificate)``."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address(LOOPBACK))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate_path = directory / "certificate.pem"
    key_path = directory / "key.pem"
    _write(certificate_path, certificate.public_bytes(serialization.Encoding.PEM).decode())
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write(key_path, key_pem.decode(), mode=0o600)
    return certificate_path, key_path


# --- IMAP: Dovecot ---------------------------------------------------------------------------


class ImapServer:
    """A private Dovecot on free loopback ports, in a temporary directory of its own.

    ``port`` is plain IMAP with plain-text logins allowed and, by default, no TLS at all
    (``ssl = no``). With ``tls=True``, ``tls_port`` is implicit-TLS IMAPS with the
    self-signed ``certificate`` (trust it with ``ssl_context()``); Dovecot then also offers
    STARTTLS on ``port`` (it has no way to enable TLS for one listener only), still without
    requiring it. Users are ``local@example.test``, each in a passwd-file of its own, so
    ``add_user`` needs no restart. ``stop()``/``start()`` (or ``kill()``/``start()``) take it
    down and back up on the same ports keeping the mailboxes; ``close()`` (or leaving the
    ``with`` block) kills it and deletes everything.
    """

    host = LOOPBACK

    def __init__(self, *, tls: bool = False) -> None:
        if not os.path.exists(DOVECOT):
            raise FileNotFoundError(f"{DOVECOT} is missing: apt-get install dovecot-imapd")
        self._process = _Process("dovecot", unprivileged=True)
        self.directory = self._process.directory
        self.port = free_port()
        self.tls_port: int | None = free_port() if tls else None
        self.log_path = self.directory / "dovecot.log"
        self.users_path = self.directory / "users"  # a passwd-file per address
        self.certificate: Path | None = None
        for name, mode in (("run", 0o755), ("state", 0o700), ("mail", 0o700)):
            (self.directory / name).mkdir()
            (self.directory / name).chmod(mode)
            _hand_over(self.directory / name)
        self.users_path.mkdir(mode=0o700)
        _hand_over(self.users_path)
        key = None
        if tls:
            self.certificate, key = self_signed_certificate(self.directory)
        self.config_path = self.directory / "dovecot.conf"
        _write(self.config_path, self._config(key))
        self.start()

    def _config(self, key: Path | None) -> str:
        user, group = _runner()
        root = self.directory
        if self.tls_port is not None:
            tls = f"""
ssl = yes
ssl_cert = <{self.certificate}
ssl_key = <{key}
"""
        else:
            tls = "ssl = no\n"
        imaps_port = self.tls_port if self.tls_port is not None else 0
        return f"""# A private test instance: nothing from /etc/dovecot.
instance_name = hookwire-test-{self.port}
base_dir = {root}/run
state_dir = {root}/state
log_path = {self.log_path}
auth_verbose = yes
protocols = imap
listen = {LOOPBACK}
{tls}
# Tests log in without TLS.
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# Unprivileged: every process and every mailbox belongs to {user}.
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_uid = {user}
mail_gid = {group}
first_valid_uid = 1
first_valid_gid = 1
mail_location = maildir:{root}/mail/%d/%n
mail_fsync = never
mail_max_userip_connections = 100
# A file per user: Dovecot re-reads a changed passwd-file at most once a second, a file it
# has not opened yet at once, so a user added a moment ago can log in.
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu {self.users_path}/%Lu
}}
userdb {{
  driver = passwd-file
  args = username_format=%Lu {self.users_path}/%Lu
  default_fields = home={root}/mail/%d/%n
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {LOOPBACK}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {LOOPBACK}
    port = {imaps_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No auth penalty: without it every login from 127.0.0.1 after a failed one waits 2-15 s.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service auth-worker {{
  user = $default_internal_user
}}
"""

    def add_user(self, local_part: str, password: str) -> str:
        """Add ``local_part@example.test`` (at once, no restart), or change its password
        (this waits up to a second: see below); returns the address."""
        address = f"{local_part}@{DOMAIN}".lower()
        if ":" in password or "\n" in password:
            raise ValueError("passwd-file passwords cannot hold ':' or newlines")
        if "/" in address:
            raise ValueError("addresses cannot hold '/'")
        path = self.users_path / address
        previous = path.stat().st_mtime if path.exists() else None
        _write(path, f"{address}:{{PLAIN}}{password}::::::\n", mode=0o600)
        if previous is not None:
            # Dovecot looks for changes to a passwd-file it has read at most once a second,
            # comparing its mtime (in seconds) and size: move the mtime on, let that second
            # pass, and the next login sees the new password.
            os.utime(path, (previous + 1, previous + 1))
            time.sleep(1.05 - time.time() % 1)
        return address

    def start(self) -> None:
        self._process.spawn([DOVECOT, "-F", "-c", str(self.config_path)])
        self._process.wait_until(lambda: _answers(self.port, b"* OK"), "answer IMAP", self.log_path)

    def stop(self) -> None:
        """SIGTERM: Dovecot drops its connections and exits (it takes about a second)."""
        self._process.stop()

    def kill(self) -> None:
        """SIGKILL Dovecot and all its processes, as when the mail host dies."""
        self._process.kill()

    def close(self) -> None:
        """Kill it (a graceful stop takes Dovecot a second; nothing here is kept) and delete
        its directory."""
        self.kill()
        self._process.remove()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        if self.certificate is None:
            raise RuntimeError("this ImapServer has no TLS port")
        return ssl.create_default_context(cafile=str(self.certificate))

    def __enter__(self) -> ImapServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def imap_session(
    server: ImapServer, address: str, password: str, *, tls: bool = False
) -> Iterator[IMAPClient]:
    """A logged-in imapclient connection (plain, or implicit TLS verifying the certificate)."""
    if tls:
        if server.tls_port is None:
            raise RuntimeError("this ImapServer has no TLS port: ImapServer(tls=True)")
        client = IMAPClient(
            server.host, server.tls_port, ssl=True, ssl_context=server.ssl_context(), timeout=30
        )
    else:
        client = IMAPClient(server.host, server.port, ssl=False, timeout=30)
    try:
        client.login(address, password)
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.logout()


# --- seeding mail ----------------------------------------------------------------------------

_TOPICS = [
    "Q3 renewal for {company}",
    "Onboarding plan",
    "Pricing question",
    "Intro: {company} x Hookwire",
    "Follow-up from our call",
    "Contract redlines",
    "Security questionnaire",
    "Invoice #{number}",
    "Demo next week?",
    "Pilot results",
    "Support escalation: sync delays",
    "Partnership proposal",
    "Team offsite logistics",
    "Data migration timeline",
]
_COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell"]
_SENTENCES = [
    "Thanks for the quick turnaround on this.",
    "Could you take a look at the attached figures before Thursday?",
    "We are aligned on the scope; the only open point is the start date.",
    "I have looped in our finance team so they can confirm the numbers.",
    "Happy to jump on a call if that is easier.",
    "The latest draft addresses the comments from legal.",
    "Let me check with the team and get back to you tomorrow.",
    "Our usage grew about 20% last month, so we may need a bigger plan.",
    "Can we move the meeting to the afternoon?",
    "Résumé of the discussion: ship the pilot, then revisit pricing in Q4.",
]


def _display_name(address: str) -> str:
    local = address.split("@", 1)[0]
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part)


def _mailbox(address: str) -> str:
    return f"{_display_name(address)} <{address}>"


def build_thread_messages(
    count: int,
    threads: int,
    *,
    owner: str,
    others: list[str],
    days: int = 30,
    seed: int = 0,
    now: dt.datetime | None = None,
) -> list[EmailMessage]:
    """``count`` messages in ``threads`` conversations between ``owner`` and ``others``, dated
    over the ``days`` before ``now``, oldest first.

    Each message has Message-ID, Date, From/To (sometimes Cc) and Subject; a reply has
    In-Reply-To its parent (usually the thread's latest message, sometimes an earlier one) and
    References the parent's References plus the parent, its Subject is "Re: " + the thread's
    and it quotes the parent. Bodies are quoted-printable UTF-8 text/plain; about a third are
    multipart/alternative with an HTML part. The same arguments give the same messages (pass
    ``now`` to pin the dates too).
    """
    if threads < 1 or count < threads:
        raise ValueError("need at least one message per thread")
    if not others:
        raise ValueError("others must name at least one address")
    rng = random.Random(seed)
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    sizes = [1] * threads
    for _ in range(count - threads):
        sizes[rng.randrange(threads)] += 1

    built: list[tuple[dt.datetime, int, bytes]] = []
    for thread, size in enumerate(sizes):
        topic = rng.choice(_TOPICS).format(
            company=rng.choice(_COMPANIES), number=rng.randint(1000, 9999)
        )
        subject = f"{topic} ({seed}-{thread + 1})"
        people = rng.sample(others, k=min(len(others), rng.randint(1, 3)))
        ages = sorted((rng.randrange(1, days * 86400) for _ in range(size)), reverse=True)
        sent: list[_Sent] = []
        for index, age in enumerate(ages):
            date = now - dt.timedelta(seconds=age)
            parent = None
            if sent:
                parent = sent[-1] if rng.random() < 0.8 else rng.choice(sent)
            sender = owner if rng.random() < 0.4 else rng.choice(people)
            recipients = [p for p in [owner, *people] if p != sender]
            to, cc = (recipients, []) if rng.random() < 0.5 else (recipients[:1], recipients[1:])
            message_id = (
                f"<{seed}.{thread + 1}.{index + 1}.{rng.getrandbits(40):010x}"
                f"@{sender.split('@', 1)[1]}>"
            )
            own = " ".join(rng.sample(_SENTENCES, k=rng.randint(1, 4)))
            text = f"Hi,\n\n{own}\n\nBest,\n{_display_name(sender)}\n"
            headers = [
                ("Message-ID", message_id),
                ("Date", format_datetime(date)),
                ("From", _mailbox(sender)),
                ("To", ",\r\n ".join(_mailbox(a) for a in to)),
            ]
            if cc:
                headers.append(("Cc", ",\r\n ".join(_mailbox(a) for a in cc)))
            headers.append(("Subject", subject if parent is None else f"Re: {subject}"))
            references = []
            if parent is not None:
                references = [*parent.references, parent.message_id]
                headers.append(("In-Reply-To", parent.message_id))
                headers.append(("References", "\r\n ".join(references)))
                quoted = "".join(f"> {line}\n" for line in parent.text.splitlines())
                text += f"\nOn {parent.date}, {parent.sender} wrote:\n{quoted}"
            html = None
            if rng.random() < 0.33:
                paragraphs = "".join(f"<p>{escape(chunk)}</p>" for chunk in text.split("\n\n"))
                html = f"<html><body>{paragraphs}</body></html>\n"
            headers.append(("MIME-Version", "1.0"))
            raw = _mime(headers, text, html, boundary=f"=_{seed}_{thread + 1}_{index + 1}")
            sent.append(_Sent(message_id, references, format_datetime(date), _mailbox(sender), own))
            built.append((date, thread, raw))
    built.sort(key=lambda item: (item[0], item[1]))
    return [
        message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
        for _, _, raw in built
    ]


@dataclass
class _Sent:
    message_id: str
    references: list[str]
    date: str
    sender: str
    text: str


def _text_part(subtype: str, text: str) -> str:
    body = quopri.encodestring(text.encode()).decode().replace("\n", "\r\n")
    return (
        f"Content-Type: text/{subtype}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        f"{body}"
    )


def _mime(headers: list[tuple[str, str]], text: str, html: str | None, boundary: str) -> bytes:
    """An RFC 5322 message with CRLF line ends: text/plain, or multipart/alternative."""
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    if html is None:
        return (head + _text_part("plain", text)).encode()
    return (
        f'{head}Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\n{_text_part('plain', text)}\r\n"
        f"--{boundary}\r\n{_text_part('html', html)}\r\n"
        f"--{boundary}--\r\n"
    ).encode()


def _ensure_folder(client: IMAPClient, folder: str) -> None:
    if folder.upper() != "INBOX" and not client.folder_exists(folder):
        client.create_folder(folder)


def append_messages(
    server: ImapServer,
    address: str,
    password: str,
    messages: Iterable[EmailMessage],
    folder: str = "INBOX",
    *,
    flags: tuple[str, ...] = (),
) -> list[int]:
    """APPEND ``messages`` to ``folder`` (created if missing) over one connection, each with
    its Date as the internal date; returns their UIDs (from UIDPLUS's APPENDUID)."""
    uids = []
    with imap_session(server, address, password) as client:
        _ensure_folder(client, folder)
        for message in messages:
            date = parsedate_to_datetime(str(message["Date"]))
            answer = client.append(
                folder, message.as_bytes(policy=policy.SMTP), flags=flags, msg_time=date
            )
            found = re.search(rb"APPENDUID \d+ (\d+)", answer)
            if found:
                uids.append(int(found.group(1)))
    return uids


def _message_ids_by_uid(client: IMAPClient) -> dict[int, str]:
    """UID -> Message-ID of every message in the selected folder."""
    uids = client.search("ALL")
    if not uids:
        return {}
    fetched = client.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
    found = {}
    for uid, data in fetched.items():
        header = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode(errors="replace")
        match = re.search(r"<[^>]*>", header)
        if match:
            found[uid] = match.group(0)
    return found


def _uids_by_message_id(client: IMAPClient, message_ids: Iterable[str]) -> list[int]:
    wanted = {m.strip() for m in message_ids}
    return sorted(uid for uid, mid in _message_ids_by_uid(client).items() if mid in wanted)


def message_ids(
    server: ImapServer, address: str, password: str, folder: str = "INBOX"
) -> list[str]:
    """The Message-IDs in ``folder``, in UID order."""
    with imap_session(server, address, password) as client:
        client.select_folder(folder, readonly=True)
        return [mid for _, mid in sorted(_message_ids_by_uid(client).items())]


def move_messages(
    server: ImapServer,
    address: str,
    password: str,
    message_ids: Iterable[str],
    source: str,
    destination: str,
) -> int:
    """MOVE the messages with these Message-IDs from ``source`` to ``destination`` (created if
    missing); returns how many moved."""
    with imap_session(server, address, password) as client:
        _ensure_folder(client, destination)
        client.select_folder(source)
        uids = _uids_by_message_id(client, message_ids)
        if uids:
            client.move(uids, destination)
    return len(uids)


def delete_messages(
    server: ImapServer,
    address: str,
    password: str,
    message_ids: Iterable[str],
    folder: str = "INBOX",
) -> int:
    """Flag the messages with these Message-IDs \\Deleted and UID EXPUNGE them; returns how
    many went."""
    with imap_session(server, address, password) as client:
        client.select_folder(folder)
        uids = _uids_by_message_id(client, message_ids)
        if uids:
            client.delete_messages(uids)
            client.uid_expunge(uids)
    return len(uids)


# --- CalDAV: Radicale ------------------------------------------------------------------------


class CaldavServer:
    """Radicale on a free loopback port (``url``), storage and plain-text htpasswd users in a
    temporary directory of its own, each user seeing only their own collections.
    ``add_user`` needs no restart (the htpasswd file is read on each login); ``stop()`` and
    ``start()`` keep the calendars; ``close()`` (or leaving the ``with`` block) deletes them."""

    host = LOOPBACK

    def __init__(self) -> None:
        self._process = _Process("radicale", unprivileged=False)
        self.directory = self._process.directory
        self.port = free_port()
        self.url = f"http://{self.host}:{self.port}/"
        self.users_path = self.directory / "htpasswd"
        self.log_path = self._process.output_path
        self._users: dict[str, str] = {}
        (self.directory / "collections").mkdir(mode=0o700)
        _write(self.users_path, "", hand_over=False)
        self.config_path = self.directory / "radicale.conf"
        _write(
            self.config_path,
            f"""[server]
hosts = {self.host}:{self.port}
delay_on_error = 0

[auth]
type = htpasswd
htpasswd_filename = {self.users_path}
htpasswd_encryption = plain
delay = 0

[rights]
type = owner_only

[storage]
filesystem_folder = {self.directory}/collections

[web]
type = none

[logging]
level = warning
""",
            hand_over=False,
        )
        self.start()

    def add_user(self, name: str, password: str) -> str:
        """Add (or re-password) ``name``; returns it (the login and the principal's path)."""
        if ":" in name or "\n" in name or "\n" in password:
            raise ValueError("htpasswd names cannot hold ':' or newlines")
        self._users[name] = password
        _write(
            self.users_path,
            "".join(f"{user}:{secret}\n" for user, secret in self._users.items()),
            mode=0o600,
            hand_over=False,
        )
        return name

    def start(self) -> None:
        env = {**os.environ, "HOME": str(self.directory)}
        self._process.spawn(
            [sys.executable, "-m", "radicale", "--config", str(self.config_path)], env=env
        )
        self._process.wait_until(self._answers, "answer HTTP", self.log_path)

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def stop(self) -> None:
        self._process.stop()

    def kill(self) -> None:
        """SIGKILL Radicale, as when the calendar host dies."""
        self._process.kill()

    def close(self) -> None:
        self.stop()
        self._process.remove()

    def client(self, user: str, password: str) -> caldav.DAVClient:
        """A caldav client logged in as ``user`` (no RFC 6764 discovery)."""
        return dav_client(self.url, user, password)

    def __enter__(self) -> CaldavServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dav_client(url: str, user: str, password: str) -> caldav.DAVClient:
    return caldav.DAVClient(url, username=user, password=password)


def create_calendar(server: CaldavServer, user: str, password: str, name: str) -> str:
    """MKCALENDAR ``name`` in ``user``'s home; returns the calendar's URL."""
    with server.client(user, password) as client:
        calendar = client.principal().make_calendar(name=name)
        return str(calendar.url)


def put_events(calendar_url: str, user: str, password: str, ics_list: Iterable[str]) -> list[str]:
    """PUT each iCalendar text into the calendar at ``calendar_url`` as it is (SEQUENCE left
    alone); returns the objects' URLs."""
    with dav_client(calendar_url, user, password) as client:
        calendar = client.calendar(url=calendar_url)
        return [str(calendar.save_event(ics).url) for ics in ics_list]


def calendar_events(calendar_url: str, user: str, password: str) -> list[str]:
    """The iCalendar text of every event in the calendar at ``calendar_url`` (a
    calendar-query REPORT; recurring events come back once, unexpanded)."""
    with dav_client(calendar_url, user, password) as client:
        return [str(event.data) for event in client.calendar(url=calendar_url).events()]


_EVENT_TITLES = [
    "Discovery call with {company}",
    "{company} quarterly review",
    "Contract walkthrough",
    "Product demo",
    "Lunch with {company}",
    "Pipeline review",
    "Onboarding kickoff",
    "Support sync",
]
_PLACES = ["Room 4.02", "Cafe Central, Vienna", "{company} HQ", "Online", "Office, 2nd floor"]


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def build_events(
    count: int,
    recurring: int,
    *,
    seed: int = 0,
    window_days: int = 30,
    owner: str = "owner@example.test",
    now: dt.datetime | None = None,
) -> list[str]:
    """``count`` VCALENDAR texts, one VEVENT each, within ``window_days`` either side of
    ``now``: UID, DTSTAMP, DTSTART/DTEND (about one in six all-day, the rest timed in UTC),
    SUMMARY, LOCATION, DESCRIPTION, a conference link (URL, or X-GOOGLE-CONFERENCE), ORGANIZER
    and ATTENDEEs with CN and PARTSTAT. The first ``recurring`` repeat weekly (RRULE
    FREQ=WEEKLY;COUNT=4). The same arguments, ``now`` included, give the same texts."""
    if not 0 <= recurring <= count:
        raise ValueError("recurring must be between 0 and count")
    rng = random.Random(seed)
    now = (now or dt.datetime.now(dt.UTC)).replace(second=0, microsecond=0)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    people = ["ada.lovelace", "grace.hopper", "alan.turing", "katherine.johnson", "linus.t"]
    events = []
    for index in range(count):
        company = rng.choice(_COMPANIES)
        summary = rng.choice(_EVENT_TITLES).format(company=company)
        location = rng.choice(_PLACES).format(company=company)
        day = (now + dt.timedelta(days=rng.randint(-window_days, window_days))).date()
        all_day = index >= recurring and rng.random() < 1 / 6
        if all_day:
            end_day = day + dt.timedelta(days=rng.randint(1, 2))
            when = [
                f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
                f"DTEND;VALUE=DATE:{end_day:%Y%m%d}",
            ]
        else:
            start = dt.datetime.combine(day, dt.time(rng.randint(7, 17), rng.choice([0, 30])))
            end = start + dt.timedelta(minutes=rng.choice([30, 45, 60, 90]))
            when = [f"DTSTART:{start:%Y%m%dT%H%M%S}Z", f"DTEND:{end:%Y%m%dT%H%M%S}Z"]
        uid = f"{seed}-{index + 1}-{rng.getrandbits(40):010x}@{DOMAIN}"
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Hookwire tests//mail_servers//EN",
            "BEGIN:VEVENT",
            f"UID:{uid}",
            f"DTSTAMP:{stamp}",
            *when,
            f"SUMMARY:{_ics_text(summary)}",
            f"LOCATION:{_ics_text(location)}",
            f"DESCRIPTION:{_ics_text(f'Agenda: {rng.choice(_SENTENCES)}')}",
        ]
        meeting = f"{rng.getrandbits(24):06x}"
        if rng.random() < 0.5:
            lines.append(f"URL:https://meet.example.test/{meeting}")
        else:
            lines.append(f"X-GOOGLE-CONFERENCE:https://meet.google.com/{meeting[:3]}-{meeting[3:]}")
        lines.append(f"ORGANIZER;CN={_display_name(owner)}:mailto:{owner}")
        guests = rng.sample(people, k=rng.randint(1, 3))
        lines.append(
            f"ATTENDEE;CN={_display_name(owner)};ROLE=CHAIR;PARTSTAT=ACCEPTED:mailto:{owner}"
        )
        for guest in guests:
            partstat = rng.choice(["ACCEPTED", "TENTATIVE", "DECLINED", "NEEDS-ACTION"])
            address = f"{guest}@{company.lower()}.example"
            lines.append(
                f"ATTENDEE;CN={_display_name(address)};ROLE=REQ-PARTICIPANT;"
                f"PARTSTAT={partstat};RSVP=TRUE:mailto:{address}"
            )
        if index < recurring:
            lines.append("RRULE:FREQ=WEEKLY;COUNT=4")
        lines += ["END:VEVENT", "END:VCALENDAR"]
        events.append("".join(_fold(line) + "\r\n" for line in lines))
    return events


def _fold(line: str) -> str:
    """RFC 5545 line folding at 75 octets."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > (75 if not parts else 74):
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


@dataclass
class AccountServers:
    """The three servers of a connected account: Dovecot (IMAP), aiosmtpd (SMTP) and
    Radicale (CalDAV)."""

    imap: ImapServer
    smtp: SmtpServer
    caldav: CaldavServer


@contextmanager
def account_servers() -> Iterator[AccountServers]:
    smtp = SmtpServer()
    try:
        with ImapServer() as imap, CaldavServer() as caldav:
            yield AccountServers(imap, smtp, caldav)
    finally:
        smtp.stop()


def random_password() -> str:
    return f"pw-{secrets.token_urlsafe(12)}"


@dataclass
class Mailbox:
    """A user of the account servers: a Dovecot address and a Radicale login of its own."""

    handle: str
    imap_password: str
    caldav_user: str
    caldav_password: str
    smtp_password: str  # aiosmtpd offers no AUTH: never checked, still never shown

    def passwords(self) -> list[str]:
        return [self.imap_password, self.caldav_password, self.smtp_password]


def new_mailbox(
    servers: AccountServers, new_password: Callable[[], str] = random_password
) -> Mailbox:
    local = f"u{secrets.token_hex(4)}"
    imap_password, caldav_password = new_password(), new_password()
    handle = servers.imap.add_user(local, imap_password)
    servers.caldav.add_user(local, caldav_password)
    return Mailbox(handle, imap_password, local, caldav_password, new_password())
