"""The browser helpers read a whole page: a click returns once the next page's headers are
in, and a check run on a body still arriving failed now and then in CI."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser import assert_accessible, follow

pytestmark = pytest.mark.browser

PAGE = (
    b"<!doctype html><html lang='fr'><head><title>Page %s</title></head>"
    b"<body><main><h1>Page %s</h1><a href='/lente'>Suivante</a></main></body></html>"
)


class _SlowBody(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        name = b"lente" if self.path == "/lente" else b"premiere"
        if name == b"lente":
            self.wfile.flush()
            time.sleep(1)  # the headers are in, the body is not
        self.wfile.write(PAGE % (name, name))

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowBody)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def bare_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_the_accessibility_check_waits_for_the_body_after_a_click(bare_page, slow_site):
    bare_page.goto(slow_site + "/")
    bare_page.get_by_role("link", name="Suivante").click()
    assert_accessible(bare_page)  # raised "null documentElement" before it waited
    assert bare_page.title() == "Page lente"


def test_follow_returns_on_the_loaded_page(bare_page, slow_site):
    bare_page.goto(slow_site + "/")
    follow(bare_page, bare_page.get_by_role("link", name="Suivante"))
    assert bare_page.locator("h1").count() == 1  # count() does not wait
    assert bare_page.locator("h1").inner_text() == "Page lente"
