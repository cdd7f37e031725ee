"""Debian's Chromium driven by Playwright. No browser is downloaded: the system one is used."""

import shutil
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from playwright.sync_api import Browser, Locator, Page, sync_playwright

from config.env import var_path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without these, Chromium tries to reach Google's services at start (no network here).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Screenshots the tests take, to be looked at by a person (not compared).
SHOTS = var_path("ui-shots", ".keep").parent
PASSWORD = "pw-for-tests"  # the `user` fixture's password

T = TypeVar("T")


@contextmanager
def chromium(*, bypass_csp: bool = False) -> Iterator[Browser]:
    """`bypass_csp`: for tools injected into the page (axe-core); the app's own CSP forbids
    inline scripts."""
    with tempfile.TemporaryDirectory() as profile, sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=FLAGS, bypass_csp=bypass_csp
        )
        try:
            yield context  # type: ignore[misc]
        finally:
            context.close()


@contextmanager
def two_chromiums() -> Iterator[tuple[Browser, Browser]]:
    """Two independent browsers (own profile, own cookies): two people on the same page.
    One Playwright per thread, so both come from the same one."""
    with (
        tempfile.TemporaryDirectory() as first,
        tempfile.TemporaryDirectory() as second,
        sync_playwright() as playwright,
    ):
        contexts = [
            playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, headless=True, args=FLAGS
            )
            for profile in (first, second)
        ]
        try:
            yield contexts[0], contexts[1]  # type: ignore[misc]
        finally:
            for context in contexts:
                context.close()


def in_browser_thread(fn: Callable[..., T], *args: Any) -> T:
    """Run Playwright's sync API on its own thread: its event loop must not share the
    thread that talks to the database (Django refuses ORM calls next to a running loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *args).result(timeout=120)


def sign_in(page: Page, url: str, username: str) -> None:
    """Open `url` and sign in on the login page it redirects to (which comes back to `url`)."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def node(page: Page, node_id: str) -> Locator:
    return page.locator(f'[data-testid="node-{node_id}"]')


def still_box(locator: Locator) -> dict[str, float]:
    """The element's box once the viewport stopped moving (adding a node pans to it)."""
    box = locator.bounding_box()
    for _ in range(20):
        locator.page.wait_for_timeout(100)
        again = locator.bounding_box()
        if again == box:
            break
        box = again
    assert box
    return dict(box)


def connect(page: Page, source: str, target: str, handle: str | None = None) -> None:
    """Drag from a node's output handle (the default one, or `handle`) to another's input, as
    a user does: the whole graph in view first, the pointer moved in steps (React Flow starts
    a connection only on pointer moves), and the handles' boxes taken once they stopped moving."""
    page.locator(".react-flow__controls-fitview").click()
    out = (
        f'.react-flow__handle.source[data-handleid="{handle}"]'
        if handle
        else '.react-flow__handle.source:not([data-handleid="error"])'
    )
    start = still_box(node(page, source).locator(out).first)
    end = still_box(node(page, target).locator(".react-flow__handle.target").first)
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(end["x"] + 2, end["y"] + 2, steps=12)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] / 2, steps=4)
    page.mouse.up()
    edge = f"e_{source}_{handle}_{target}" if handle else f"e_{source}_{target}"
    page.locator(f'[data-testid="rf__edge-{edge}"]').wait_for()
