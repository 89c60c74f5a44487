"""One Problem type for settings, rules and preflight, and the one function that makes diagnostics of them."""

from __future__ import annotations

import subprocess
import sys

from tf.utils import Diagnostics

from provider.problems import Problem, add_problems


def test_problems_become_diagnostics_at_their_attribute() -> None:
    diags = Diagnostics()
    ok = add_problems(
        diags,
        [
            Problem(("basic_auth", "password"), "Empty basic_auth.password", "Set it."),
            Problem(("endpoint",), "Slow registry", "It took long.", "warning"),
        ],
        prefix="Preflight: ",
    )
    assert not ok
    seen = [(d.severity, d.summary, d.detail, d.path) for d in diags.diagnostics]
    assert seen == [
        ("error", "Preflight: Empty basic_auth.password", "Set it.", ["basic_auth", "password"]),
        ("warning", "Preflight: Slow registry", "It took long.", ["endpoint"]),
    ]


def test_warnings_alone_do_not_stop_an_operation() -> None:
    diags = Diagnostics()
    assert add_problems(diags, [Problem(("endpoint",), "s", "d", "warning")])
    assert add_problems(diags, [])
    assert len(diags.diagnostics) == 1


def test_settings_rules_and_problems_import_nothing_heavy() -> None:
    """They run at start-up and at plan: the standard library (and tf) only."""
    code = (
        "import sys; import provider.problems, provider.settings, provider.registries.rules; "
        "print(' '.join(sorted(m.split('.')[0] for m in sys.modules)))"
    )
    loaded = set(
        subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout.split()
    )
    assert not loaded & {"httpx", "pydantic", "boto3", "botocore", "starlette", "uvicorn", "jsonschema"}
