"""Mailbox sync throughput and latency against a real Dovecot on loopback.

For each mailbox size (messages in threads of about eight), in a fresh database:

* bare fetch: one imapclient session reading every message (``BODY.PEEK[]`` and
  ``INTERNALDATE`` in batches, as the sync fetches), nothing parsed or stored: the baseline;
* first import: ``sync_mailbox`` from an empty CRM (parse, thread, match people, write the
  records and their webhook events through the records store, commit batch by batch);
* no-op: a sync with nothing new (p50 over repeated runs; target under 200 ms);
* ten new: a sync after ten messages are appended (p50).

It prints messages/s beside the baseline and their ratio (target at least 0.5x), and how each
figure moves as the mailbox grows. It prints; it does not assert. The Dovecot harness is the
tests' (``tests/mail_servers.py``), so Debian's dovecot-imapd must be installed.

    python bench/sync.py [--sizes 1000,2500,5000] [--database-url URL] [--repeat N]
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

# The Dovecot harness and the seeders are the tests' own.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hookwire.config import Config, load_config
from hookwire.connected_accounts import (
    CredentialSealer,
    ProbeResult,
    channels_of,
    draft_account,
    save_account,
)
from hookwire.crm.workspaces import create_workspace
from hookwire.database import create_db_engine, migrate, transaction
from hookwire.hooks import Outbox
from hookwire.identity import create_user
from hookwire.messaging import sync_mailbox
from mail_servers import (
    ImapServer,
    append_messages,
    build_thread_messages,
    imap_session,
)

TARGET_RATIO = 0.5
NOOP_TARGET_MS = 200.0
FETCH_BATCH = 200
OTHERS = [f"contact{i}@customer{i % 7}.example" for i in range(40)]


def bare_fetch(imap: ImapServer, address: str, password: str) -> float:
    """Seconds to read every message of INBOX, as the sync fetches them."""
    started = time.perf_counter()
    with imap_session(imap, address, password) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        for start in range(0, len(uids), FETCH_BATCH):
            client.fetch(uids[start : start + FETCH_BATCH], [b"BODY.PEEK[]", b"INTERNALDATE"])
    return time.perf_counter() - started


def connect(
    engine: sa.Engine, config: Config, imap: ImapServer, address: str, password: str
) -> str:
    """A workspace, its user and the connected mailbox; the messaging channel's id."""
    with transaction(engine) as session:
        workspace = create_workspace(session, f"bench-{secrets.token_hex(4)}")
        user = create_user(session, workspace.id, "owner@bench.example", "bench password 123")
        sealer = CredentialSealer.of(config)
        body = {
            "provider": "imap_smtp_caldav",
            "accountOwnerId": user.id,
            "handle": address,
            "connectionParameters": {
                "IMAP": {
                    "host": imap.host,
                    "port": imap.port,
                    "secure": False,
                    "password": password,
                }
            },
        }
        draft = draft_account(session, workspace.id, body, sealer)
        account = save_account(session, workspace.id, draft, ProbeResult({"IMAP": None}), sealer)
        return channels_of(session, account.id)[0].id


def timed_sync(engine: sa.Engine, config: Config, channel_id: str) -> float:
    started = time.perf_counter()
    report = sync_mailbox(engine, config, channel_id, Outbox())
    elapsed = time.perf_counter() - started
    if report is None or report.failure:
        raise RuntimeError(f"the sync did not run: {report}")
    return elapsed


def run_size(imap: ImapServer, size: int, database_url: str | None, repeat: int) -> dict:
    password = f"pw-{secrets.token_hex(8)}"
    address = imap.add_user(f"bench{size}{secrets.token_hex(2)}", password)
    messages = build_thread_messages(size, max(1, size // 8), owner=address, others=OTHERS)
    append_messages(imap, address, password, messages)

    url = database_url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    engine = create_db_engine(url)
    migrate(engine)
    env = {"DATABASE_URL": url, "APP_SECRET": "bench-" + "x" * 32}
    config = load_config({**env, "HOOKWIRE_ACCOUNT_ALLOWED_NETWORKS": "127.0.0.0/8"})
    channel_id = connect(engine, config, imap, address, password)

    bare = min(bare_fetch(imap, address, password) for _ in range(3))
    first = timed_sync(engine, config, channel_id)
    noop = [timed_sync(engine, config, channel_id) * 1000 for _ in range(repeat)]
    ten_new = []
    for index in range(repeat):
        more = build_thread_messages(10, 2, owner=address, others=OTHERS, seed=1000 + index)
        append_messages(imap, address, password, more)
        ten_new.append(timed_sync(engine, config, channel_id) * 1000)
    engine.dispose()
    return {
        "size": size,
        "bare": size / bare,
        "first": size / first,
        "noop": statistics.median(noop),
        "ten_new": statistics.median(ten_new),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,2500,5000")
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]

    rows = []
    with ImapServer() as imap:
        for size in sizes:
            rows.append(run_size(imap, size, options.database_url, options.repeat))
            print(f"measured {size:,} messages", file=sys.stderr)

    backend = "PostgreSQL" if options.database_url else "SQLite"
    print(f"Mailbox sync against Dovecot on loopback ({backend})")
    header = (
        f"{'messages':>9} {'bare fetch/s':>13} {'first import/s':>15} {'ratio':>6} "
        f"{'no-op p50 ms':>13} {'10 new p50 ms':>14}"
    )
    print(header)
    for row in rows:
        ratio = row["first"] / row["bare"]
        print(
            f"{row['size']:>9,} {row['bare']:>13,.0f} {row['first']:>15,.0f} {ratio:>5.2f}x "
            f"{row['noop']:>13.1f} {row['ten_new']:>14.1f}"
        )
    last = rows[-1]
    ratio = last["first"] / last["bare"]
    print(
        f"first import at {last['size']:,}: {ratio:.2f}x the bare fetch "
        f"({'PASS' if ratio >= TARGET_RATIO else 'FAIL'} against {TARGET_RATIO}x); "
        f"no-op sync {last['noop']:.1f} ms "
        f"({'PASS' if last['noop'] < NOOP_TARGET_MS else 'FAIL'} against {NOOP_TARGET_MS:.0f} ms)"
    )


if __name__ == "__main__":
    main()
