"""A local OpenID provider (`oidc-provider-mock`) on loopback, in its own process (its
dependencies' deprecation warnings stay out of the test process)."""

import json
import subprocess
import sys
import time
import urllib.request

import pytest

from engagements.proconnect import config
from tests.mail import free_port

AGENT_CLAIMS = {
    "sub": "agathe.agent@alpha.gouv.fr",
    "email": "Agathe.Agent@Alpha.gouv.fr",
    "given_name": "Agathe",
    "usual_name": "Agent",
    "siret": "13000000000000",
}


@pytest.fixture(scope="session")
def oidc_provider():
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "oidc_provider_mock",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--require-nonce",
            "--user-claims",
            json.dumps(AGENT_CLAIMS),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    issuer = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("the local OpenID provider did not start")
            time.sleep(0.1)
    yield issuer
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def proconnect(oidc_provider, settings):
    """ProConnect enabled against the local provider (endpoints by discovery)."""
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_ISSUER = oidc_provider
    settings.OIDC_RP_CLIENT_ID = "engagements-test"
    settings.OIDC_RP_CLIENT_SECRET = "not-a-secret"
    config.forget_discovery()
    yield oidc_provider
    config.forget_discovery()
