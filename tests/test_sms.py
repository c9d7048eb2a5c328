"""SMS provider adapters: the log file and a real HTTP server on loopback."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from engagements.sms import SmsError, send_sms


@pytest.fixture
def gateway():
    received = []

    class Handler(BaseHTTPRequestHandler):
        status = 202

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["Authorization"], json.loads(body)))
            self.send_response(Handler.status)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, Handler, received
    server.shutdown()
    server.server_close()


def test_http_adapter_posts_json_with_bearer_token(settings, gateway):
    server, handler, received = gateway
    settings.SMS_BACKEND = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/sms"
    settings.SMS_HTTP_TOKEN = "secret-token"
    send_sms("0612345678", "Rappel : rendez-vous demain")
    assert received == [
        ("Bearer secret-token", {"to": "0612345678", "text": "Rappel : rendez-vous demain"})
    ]
    handler.status = 500
    with pytest.raises(SmsError):
        send_sms("0612345678", "x")


def test_log_adapter_appends_a_line(settings, tmp_path):
    settings.SMS_BACKEND = "log"
    settings.SMS_LOG_PATH = tmp_path / "sms.log"
    send_sms("0611111111", "un")
    send_sms("0622222222", "deux")
    lines = [json.loads(line) for line in (tmp_path / "sms.log").read_text().splitlines()]
    assert [line["to"] for line in lines] == ["0611111111", "0622222222"]
