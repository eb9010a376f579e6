"""The Webhooks page in Chromium: create, test event to a loopback receiver, log, redeliver,
disable, edit and delete."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from standardwebhooks import Webhook as StandardWebhook

from receiver import Receiver, Reply


def test_a_webhook_from_creation_to_deletion(signed_in: Page, receiver: Receiver) -> None:
    page = signed_in
    receiver.default = Reply(body=b"received")  # the response excerpt the log must show
    page.keyboard.press("g")
    page.keyboard.press("w")
    expect(page).to_have_url(re.compile(r"/settings/webhooks$"))
    page.get_by_label("Target URL").fill(receiver.url)
    page.get_by_label("Description").fill("Loopback receiver")
    expect(page.get_by_label("*.*", exact=True)).to_be_checked()
    page.get_by_label("person.created").check()
    page.get_by_role("button", name="Create webhook").click()

    secret = page.locator("#webhook-secret").inner_text()
    assert secret.startswith("whsec_")
    page.get_by_role("button", name="Send test event").click()
    expect(page.get_by_role("status")).to_contain_text("Test event queued")
    assert secret not in page.content()
    row = page.locator("#delivery-log tbody tr[data-attempt-id]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("webhook.test")
    expect(row.locator(".status")).to_have_text("200")
    expect(row).to_contain_text("received")

    test_event = receiver.wait_for(1)[0]
    assert test_event.json["eventName"] == "webhook.test"
    StandardWebhook(secret).verify(test_event.body, test_event.headers)  # raises if forged

    row.get_by_role("button", name="Redeliver").click()
    expect(page.locator("#delivery-log tbody tr[data-attempt-id]")).to_have_count(2)
    redelivered = receiver.wait_for(2)
    assert len(redelivered) == 2
    assert redelivered[1].event_id == test_event.event_id

    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("button", name="Send test event")).to_be_disabled()
    page.get_by_role("button", name="Enable").click()
    expect(page.get_by_role("button", name="Send test event")).to_be_enabled()

    page.get_by_label("Description").fill("Renamed")
    page.get_by_label("*.*", exact=True).uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_label("*.*", exact=True)).not_to_be_checked()
    expect(page.get_by_label("person.created")).to_be_checked()

    page.get_by_role("button", name="Delete").click()
    page.locator("#confirm-dialog").get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(re.compile(r"/settings/webhooks\?deleted="))
    expect(page.locator("#webhooks")).to_contain_text("No webhooks yet.")


def test_a_refused_target_keeps_the_form(signed_in: Page) -> None:
    page = signed_in
    page.goto("/settings/webhooks")
    page.get_by_label("Target URL").fill("ftp://example.com/hook")
    page.get_by_role("button", name="Create webhook").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Target URL")).to_have_value("ftp://example.com/hook")
