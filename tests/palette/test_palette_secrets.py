"""Secrets (registry passwords, AWS secret keys, the API key) never show in an exception or a log
line, whatever goes wrong: every logger at DEBUG, httpx's and httpcore's included."""

from __future__ import annotations

import logging

import pytest

from provider.palette.errors import PaletteError
from tests.harness.emulator import Emulator
from tests.palette.builders import basic, ecr_keys
from tests.palette.conftest import PaletteFactory

PASSWORD = "Registry-Pa55word-do-not-leak"
SECRET_KEY = "Aws-Secret-Key-do-not-leak-0123"
WRONG_API_KEY = "Wrong-Api-Key-do-not-leak-4567"


def test_no_secret_reaches_exceptions_or_logs(
    palette_factory: PaletteFactory, clean_emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    palette = palette_factory()
    errors: list[PaletteError] = []

    def expect_failure(action: object) -> None:
        assert callable(action)
        with pytest.raises(PaletteError) as caught:
            action()
        errors.append(caught.value)

    registry = basic("charts", password=PASSWORD)
    clean_emulator.set_faults([{"method": "POST", "path": "basic$", "kind": "commit_then_fail", "times": 1}])
    uid = palette.create(registry)  # lost answer, found again
    expect_failure(lambda: palette.create(registry))  # 409
    expect_failure(lambda: palette.validate(registry.spec))  # 400: nothing listens at the endpoint
    expect_failure(lambda: palette.create(ecr_keys("charts", secret_key=SECRET_KEY)))  # 409
    clean_emulator.set_faults([{"method": "PUT", "path": "basic$", "kind": "status", "status": 503}])
    expect_failure(lambda: palette.update(uid, registry))  # 503 after every retry
    clean_emulator.clear_faults()
    expect_failure(lambda: palette_factory(api_key=WRONG_API_KEY).list_oci())  # 401
    palette.get("basic", uid)

    assert {type(e).__name__ for e in errors} == {
        "ConflictError",
        "ValidationFailedError",
        "ServerError",
        "UnauthorizedError",
    }
    secrets = [PASSWORD, SECRET_KEY, WRONG_API_KEY, clean_emulator.api_key]
    shown = [str(e) for e in errors] + [repr(e) for e in errors] + [caplog.text]
    assert [s for s in secrets if any(s in text for text in shown)] == []
    assert "provider.palette" in {record.name for record in caplog.records}  # the client did log


# Issue 21, item 12: Palette's message is redacted before it is cut or its whitespace collapsed.
SPACED_PASSWORD = "Spaced  pass\tword  do-not-leak-89"


@pytest.mark.parametrize(
    ("password", "content_type", "body"),
    [
        # A JSON message whose cut (at MAX_MESSAGE_CHARS) falls 10 characters into the password.
        (PASSWORD, "application/json", '{"code": "Invalid", "message": "%s"}' % ("a" * 489 + PASSWORD + " tail")),
        # A text body whose whitespace is collapsed: the password's own spaces with it.
        (SPACED_PASSWORD, "text/plain", f"upstream said: login with {SPACED_PASSWORD} failed\n  retry"),
    ],
    ids=["json-cut", "text-collapsed"],
)
def test_secrets_are_removed_before_palettes_message_is_cut_or_collapsed(
    palette_factory: PaletteFactory, clean_emulator: Emulator, password: str, content_type: str, body: str
) -> None:
    clean_emulator.set_faults(
        [
            {
                "method": "POST",
                "path": "validate$",
                "kind": "status",
                "status": 400,
                "body": body,
                "content_type": content_type,
            }
        ]
    )
    with pytest.raises(PaletteError) as caught:
        palette_factory().validate(basic("charts", password=password).spec)
    shown = str(caught.value)
    assert "<redacted>" in shown, shown
    fragments = {password[:10], " ".join(password.split())}
    assert [f for f in fragments if f in shown] == [], shown


def test_a_redirect_to_a_url_with_credentials_is_redacted_before_it_is_cut() -> None:
    """Issue 21, item 12: a Location of 200+ characters was cut first, so the URL-credential pattern no
    longer found the password's end ("@host") and its first characters were quoted."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from provider.palette.client import PaletteClient

    location = f"https://robot:{'p' * 180}{PASSWORD}@elsewhere.example/v1"

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with (
            PaletteClient(f"http://127.0.0.1:{server.server_port}", "Key-do-not-leak-1234", max_retries=0) as palette,
            pytest.raises(PaletteError) as caught,
        ):
            palette.list_oci()
    finally:
        server.shutdown()
        server.server_close()
    shown = str(caught.value)
    assert "redirected to https://robot:<redacted>@elsewhere.example" in shown, shown
    assert "ppp" not in shown and PASSWORD[:6] not in shown
