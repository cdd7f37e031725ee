"""An HTTP request node shows the request it will send, in a real browser: typing a URL and
a header changes the preview, the credential shows as its scheme only, and a loopback
destination gets the SSRF guard's warning."""

from apps.credentials.services import credential_create
from apps.workflows.tests.factories import WorkflowFactory
from tests.e2e.browser import SHOTS, chromium, in_browser_thread, sign_in
from tests.e2e.test_accessibility import AXE, BLOCKING, TAGS


def _violations_in(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core over the part of the panel this test is about (the config form's CodeMirror
    placeholders fail colour contrast already, without this part)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "([selector, tags]) => axe.run(selector, {runOnly: {type: 'tag', values: tags}})",
        [selector, TAGS],
    )
    return [v["id"] for v in result["violations"] if v["impact"] in BLOCKING]


TOKEN = "tok-e2e-3f9a8b7c6d"
# An address literal: checked without a DNS query (there is no network here), and public.
PUBLIC = "https://1.1.1.1/v1/items?page=2"
LOOPBACK = "http://127.0.0.1:6379/"


def _graph(credential_id: str) -> dict:
    return {
        "nodes": [
            {
                "id": "start",
                "type": "manual_trigger",
                "position": {"x": 0, "y": 0},
                "data": {"config": {}},
            },
            {
                "id": "call",
                "type": "http_request",
                "position": {"x": 320, "y": 0},
                "data": {"config": {"url": "https://1.1.1.1/", "credential_id": credential_id}},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "call"}],
    }


def _replace(page, field, text: str) -> None:  # type: ignore[no-untyped-def]
    field.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.type(text)


def _watch_the_preview(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {}
    with chromium(bypass_csp=True) as context:  # axe is injected inline
        page = context.new_page()
        page.set_viewport_size({"width": 1440, "height": 900})
        sign_in(page, f"{base_url}/app/", username)
        page.get_by_role("heading", name="Workflows", exact=True).wait_for(timeout=20_000)
        page.get_by_role("link", name=workflow_name).click()
        page.click('[data-testid="node-call"]', timeout=20_000)
        panel = page.get_by_role("complementary", name="Node settings")
        preview = panel.get_by_test_id("request-preview")
        preview.get_by_text("GET https://1.1.1.1/").wait_for(timeout=20_000)
        seen["first"] = preview.inner_text()

        _replace(page, panel.get_by_role("textbox", name="Url"), PUBLIC)
        preview.get_by_text(f"GET {PUBLIC}").wait_for(timeout=20_000)
        headers = panel.get_by_role("group", name="Headers")
        headers.get_by_role("button", name="Add").click()
        headers.get_by_label("Headers 1 name").fill("X-Trace")
        headers.get_by_label("Headers 1 value").fill("abc-123")
        preview.get_by_text("X-Trace: abc-123").wait_for(timeout=20_000)
        seen["typed"] = preview.inner_text()
        seen["axe"] = _violations_in(page, '[aria-label="Request preview"]')
        section = panel.get_by_role("region", name="Request preview")
        section.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "http-request-preview.png"))

        _replace(page, panel.get_by_role("textbox", name="Url"), LOOPBACK)
        warnings = panel.get_by_role("list", name="Request warnings")
        warnings.wait_for(timeout=20_000)
        seen["warnings"] = warnings.inner_text()
        seen["page"] = page.content()
    return seen


def test_the_http_node_previews_its_request_as_it_is_typed(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the frontend is not built: run `npm run build` first"
    bearer = credential_create(
        workspace=workspace,
        actor=user,
        name="partner",
        kind="bearer",
        config={},
        secret={"token": TOKEN},
    )
    workflow = WorkflowFactory(workspace=workspace, name="Calls out", graph=_graph(str(bearer.pk)))
    seen = in_browser_thread(_watch_the_preview, live_server.url, user.username, workflow.name)
    assert "Authorization: Bearer ••••" in seen["first"]
    assert "X-Trace" not in seen["first"]
    lines = seen["typed"].splitlines()
    assert lines[0] == f"GET {PUBLIC}"
    assert "X-Trace: abc-123" in lines and "Authorization: Bearer ••••" in lines
    assert seen["axe"] == []
    assert "'127.0.0.1' is not allowed (loopback address)" in seen["warnings"]
    assert TOKEN not in seen["page"]
