"""A private dovecot IMAP server on loopback for the ingestion tests (session scope).

Any user name logs in with the password `secret`; each test takes its own user, hence its
own empty mailbox. Skipped (or failed under ENGAGEMENTS_STRICT_TESTS) without dovecot-imapd.
"""

from __future__ import annotations

import imaplib
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mail import free_port
from tests.tooling import require_tool

PASSWORD = "secret"

CONFIG = """base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass
class ImapServer:
    host: str
    port: int

    def new_user(self) -> str:
        return f"boite-{uuid.uuid4().hex[:10]}@demo.test"

    def connect(self, user: str) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port, timeout=10)
        client.login(user, PASSWORD)
        return client

    def deliver(self, user: str, raw: bytes) -> int:
        """Append a message to the user's INBOX; returns its UID (APPENDUID)."""
        client = self.connect(user)
        try:
            typ, data = client.append("INBOX", None, None, raw)
            assert typ == "OK", data
            found = re.search(rb"APPENDUID \d+ (\d+)", data[0] or b"")
            return int(found.group(1)) if found else 0
        finally:
            client.logout()

    def inbox(self, user: str) -> list[tuple[int, str]]:
        """(UID, flags) of every message still in the INBOX."""
        client = self.connect(user)
        try:
            client.select("INBOX")
            _typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
            items = []
            for line in data:
                if not line:
                    continue
                text = line.decode() if isinstance(line, bytes) else line[0].decode()
                uid = re.search(r"UID (\d+)", text)
                flags = re.search(r"FLAGS \(([^)]*)\)", text)
                if uid:
                    items.append((int(uid.group(1)), flags.group(1) if flags else ""))
            return items
        finally:
            client.logout()


@pytest.fixture(scope="session")
def imap_server():
    executable = require_tool("dovecot", "dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="eng-imap-"))
    root.chmod(0o755)  # the mail processes run as another user
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    # Dovecot refuses uid 0 for mail; as root, run the mail side as nobody.
    if os.geteuid() == 0:
        import grp
        import pwd

        uid, gid = pwd.getpwnam("nobody").pw_uid, grp.getgrnam("nogroup").gr_gid
        shutil.chown(root / "mail", "nobody", "nogroup")
    else:
        uid, gid = os.geteuid(), os.getegid()
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, password=PASSWORD, uid=uid, gid=gid, port=port))
    subprocess.run([executable, "-c", str(config)], check=True)
    server = ImapServer("127.0.0.1", port)
    deadline = time.monotonic() + 10
    while True:
        try:
            server.connect(server.new_user()).logout()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    yield server
    doveadm = shutil.which("doveadm") or "doveadm"
    subprocess.run([doveadm, "-c", str(config), "stop"], check=False)
    shutil.rmtree(root, ignore_errors=True)
