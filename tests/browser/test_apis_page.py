"""The APIs page in Chromium: sign-in, API keys, and the full-screen playground."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from browser.web import Admin

FOCUS_IN_OVERLAY = "() => document.activeElement?.closest('#playground') !== null"


def launch(page: Page, choice: str) -> None:
    page.get_by_label(choice).check()
    page.get_by_role("button", name="Launch").click()
    expect(page.locator("#playground")).to_be_visible()


def test_sign_in_and_out(page: Page, admin: Admin) -> None:
    page.goto("/settings/webhooks")
    expect(page).to_have_url(re.compile(r"/sign-in\?next=/settings/webhooks$"))
    page.get_by_label("E-mail address").fill(admin.email)
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail address or password.")
    page.get_by_label("Password").fill(admin.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/settings/webhooks$"))
    expect(page.locator(".workspace")).to_have_text(admin.workspace_name)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    page.goto("/settings/apis")
    expect(page).to_have_url(re.compile(r"/sign-in"))


def test_an_api_key_is_created_with_an_expiry_and_shown_once(signed_in: Page) -> None:
    page = signed_in
    page.get_by_label("Name").fill("Zapier")
    page.get_by_label("Expires in").select_option("30")
    page.get_by_role("button", name="Create key").click()
    token = page.locator("#new-token").inner_text()
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", token)
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    row = page.locator("#api-keys tr", has_text="Zapier")
    expect(row).to_contain_text("active")
    expect(row).to_contain_text("never")
    page.goto("/settings/apis")
    expect(page.locator("#api-keys")).to_contain_text("Zapier")
    assert token not in page.content()
    page.locator("#api-keys tr", has_text="Zapier").get_by_role("button", name="Revoke").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_contain_text("Revoke “Zapier”?")
    dialog.get_by_role("button", name="Confirm").click()
    expect(page.locator("#api-keys tr", has_text="Zapier")).to_contain_text("revoked")


def test_graphql_playground_runs_current_workspace_and_closes_back(
    signed_in: Page, admin: Admin
) -> None:
    page = signed_in
    page.get_by_label("Name").fill("half-typed")
    page.get_by_label("GraphQL · metadata").check()
    before = page.locator("#app").inner_html()
    launch(page, "GraphQL · metadata")
    frame = page.frame_locator("#playground-frame")
    expect(frame.locator(".graphiql-query-editor")).to_contain_text("currentWorkspace")
    frame.locator(".graphiql-execute-button").click()
    expect(frame.locator(".result-window")).to_contain_text(admin.workspace_name)
    page.get_by_role("button", name="Close playground").click()
    expect(page.locator("#playground")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/settings/apis$"))
    assert page.locator("#app").inner_html() == before
    expect(page.get_by_label("Name")).to_have_value("half-typed")
    expect(page.get_by_role("button", name="Launch")).to_be_focused()


def test_graphql_playground_has_docs_and_autocompletion(signed_in: Page) -> None:
    page = signed_in
    launch(page, "GraphQL · records")
    frame = page.frame_locator("#playground-frame")
    frame.get_by_role("button", name=re.compile("Show Documentation Explorer")).click()
    expect(frame.locator(".graphiql-doc-explorer")).to_contain_text("Query")
    editor = frame.locator(".graphiql-query-editor .CodeMirror")
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("{ peop")
    expect(frame.locator(".CodeMirror-hints")).to_contain_text("people")


def test_shortcuts_typed_in_the_playground_stay_there(signed_in: Page) -> None:
    page = signed_in
    launch(page, "GraphQL · records")
    frame = page.frame_locator("#playground-frame")
    frame.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("End")
    page.keyboard.type("ga")
    page.keyboard.press("g")
    page.keyboard.press("w")
    page.wait_for_timeout(1000)
    expect(page).to_have_url(re.compile(r"/settings/apis$"))
    expect(page.locator("#playground")).to_be_visible()
    expect(frame.locator(".graphiql-query-editor")).to_contain_text("gagw")
    page.get_by_role("button", name="Close playground").click()
    page.keyboard.press("g")
    page.keyboard.press("w")
    expect(page).to_have_url(re.compile(r"/settings/webhooks$"))
    page.wait_for_load_state()  # the new page's shortcuts (a deferred script) are listening
    page.keyboard.press("g")
    page.keyboard.press("a")
    expect(page).to_have_url(re.compile(r"/settings/apis$"))


def test_rest_playground_tries_a_list_request(signed_in: Page) -> None:
    page = signed_in
    launch(page, "REST")
    frame = page.frame_locator("#playground-frame")
    operation = frame.locator(".opblock-get", has=frame.locator("[data-path='/rest/people']"))
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Execute").click()
    status = operation.locator(".live-responses-table tbody .response-col_status").first
    expect(status).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("totalCount")


def test_the_playground_overlay_works_from_the_keyboard(signed_in: Page) -> None:
    page = signed_in
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "launch-playground":
            break
    else:
        raise AssertionError("Tab never reached the Launch button")
    page.keyboard.press("Enter")
    overlay = page.locator("#playground")
    expect(overlay).to_be_visible()
    expect(page.get_by_role("button", name="Close playground")).to_be_focused()
    expect(page.frame_locator("#playground-frame").locator(".graphiql-container")).to_be_visible()
    for key in ["Tab"] * 12 + ["Shift+Tab"] * 12:
        page.keyboard.press(key)
        assert page.evaluate(FOCUS_IN_OVERLAY), f"focus left the playground after {key}"
    page.get_by_role("button", name="Close playground").focus()
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    expect(page.get_by_role("button", name="Launch")).to_be_focused()
    page.keyboard.press("Enter")
    expect(overlay).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # now inside the frame
    assert page.evaluate("document.activeElement.id") == "playground-frame"
    page.keyboard.press("Escape")
    expect(overlay).to_be_hidden()
    expect(page.get_by_role("button", name="Launch")).to_be_focused()
