"""Issue 11, defect 10: a Content-Security-Policy on the canvas and the sign-in page that the
built canvas passes in a real browser, and stored XSS strings shown as text."""

from __future__ import annotations

import copy

import pytest

from apps.workflows.tests.factories import SIMPLE_GRAPH, WorkflowFactory
from tests.e2e.browser import chromium, in_browser_thread

XSS = '<img src=x onerror="window.__xss=1">"><script>window.__xss=2</script>'

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _directives(header: str) -> dict[str, str]:
    return {part.split()[0]: part for part in (p.strip() for p in header.split(";")) if part}


@pytest.mark.django_db
def test_the_canvas_and_sign_in_send_a_strict_policy(client, user):
    login = client.get("/accounts/login/?next=/app/")
    policy = _directives(login["Content-Security-Policy"])
    assert policy["script-src"] == "script-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    nonce = policy["style-src"].split("'nonce-")[1].rstrip("'")
    assert f'<style nonce="{nonce}">' in login.content.decode()
    # A fresh nonce every time.
    assert (
        client.get("/accounts/login/")["Content-Security-Policy"]
        != login["Content-Security-Policy"]
    )
    client.force_login(user)
    app = client.get("/app/")
    assert app.status_code == 200
    assert "unsafe-inline" not in app["Content-Security-Policy"]
    assert "unsafe-eval" not in app["Content-Security-Policy"]


def _browse(base_url: str, username: str, workflow_name: str) -> dict:
    seen: dict = {"console": []}
    with chromium() as context:
        context.add_init_script(WATCH)
        page = context.new_page()
        page.on("console", lambda m: seen["console"].append(f"{m.type}: {m.text}"))
        page.on("dialog", lambda d: (seen.setdefault("dialogs", []).append(d.message), d.dismiss()))
        response = page.goto(f"{base_url}/app/")
        seen["login_csp"] = response.headers.get("content-security-policy")
        seen["login_violations"] = page.evaluate("window.__csp")
        page.fill("#id_username", username)
        page.fill("#id_password", "pw-for-tests")
        page.click("button[type=submit]")
        page.get_by_role("link", name=workflow_name).click()
        page.wait_for_selector(".react-flow__node", timeout=20_000)
        page.wait_for_timeout(500)
        seen["app_violations"] = page.evaluate("window.__csp")
        seen["xss"] = page.evaluate("window.__xss || null")
        seen["text"] = page.inner_text("body")
    return seen


@pytest.mark.django_db(transaction=True)
def test_the_built_canvas_runs_under_the_policy(live_server, user, workspace, settings):
    assert settings.SPA_INDEX.exists(), "the canvas is not built: run `make frontend` first"
    graph = copy.deepcopy(SIMPLE_GRAPH)
    graph["nodes"][1]["data"]["label"] = XSS
    workflow = WorkflowFactory(workspace=workspace, name=XSS, graph=graph)
    seen = in_browser_thread(_browse, live_server.url, user.username, workflow.name)
    assert seen["login_csp"], "the sign-in page came without a policy"
    assert seen["login_violations"] == [] and seen["app_violations"] == [], seen
    refused = [m for m in seen["console"] if "Content Security Policy" in m]
    assert refused == [], refused
    assert seen["xss"] is None and not seen.get("dialogs")
    assert XSS in seen["text"]  # shown as text, not parsed as markup
