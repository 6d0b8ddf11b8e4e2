"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port.

    def test_invitation_is_mailed(smtp_server):
        ...
        message = smtp_server.wait_for(1)[0]
        assert message["To"] == "new@example.com"

The ``smtp_server`` fixture points Django's SMTP e-mail backend at the server for the test, so
mail goes through the real ``smtplib`` client and a real SMTP conversation. The server runs for
the whole session; each test starts with an empty mailbox.
"""

import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list
    message: email.message.EmailMessage

    def __getitem__(self, header):
        return self.message[header]

    @property
    def body(self):
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""


class _Handler:
    def __init__(self, mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(
            envelope.original_content or envelope.content, policy=email.policy.default
        )
        self.mailbox.add(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)
    _condition: threading.Condition = field(default_factory=threading.Condition)

    def add(self, mail):
        with self._condition:
            self.messages.append(mail)
            self._condition.notify_all()

    def clear(self):
        with self._condition:
            self.messages.clear()

    def wait_for(self, count=1, timeout=10):
        """The first ``count`` messages, waiting up to ``timeout`` seconds for them to arrive."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while len(self.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"expected {count} e-mail(s), the SMTP server got {len(self.messages)}"
                    )
                self._condition.wait(remaining)
            return list(self.messages[:count])


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server_session():
    server = SmtpServer(host=HOST, port=_free_port())
    controller = Controller(_Handler(server), hostname=HOST, port=server.port)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def smtp_server(smtp_server_session, settings):
    """The session's SMTP server with an empty mailbox; Django sends its mail there."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = smtp_server_session.host
    settings.EMAIL_PORT = smtp_server_session.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    smtp_server_session.clear()
    yield smtp_server_session
    smtp_server_session.clear()
