"""A real SMTP server on loopback (aiosmtpd) for tests where the mail path matters."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plain_text(mail) -> str:
    """A mail sent through Django's test outbox (`mailoutbox`), its plain text as the
    person's mail reader shows it: parsed back from its bytes (encodings, line breaks)."""
    parsed = email.message_from_bytes(mail.message().as_bytes(), policy=email.policy.default)
    return parsed.get_body(preferencelist=("plain",)).get_content()


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


@dataclass
class SmtpSink:
    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[ReceivedMail]:
        return [m for m in self.messages if address in m.rcpt_tos]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    sink = SmtpSink("127.0.0.1", free_port())
    controller = Controller(sink, hostname=sink.host, port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def smtp_mail(smtp_server, settings):
    """Send this test's mail through the real SMTP server; returns the sink (emptied)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server.host
    settings.EMAIL_PORT = smtp_server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    smtp_server.messages.clear()
    return smtp_server
