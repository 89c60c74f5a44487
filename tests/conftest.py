"""Shared fixtures: the real parts every test suite talks to, started once per session.

  emulator            palette-emulator (validate contact mode, sync delay 0.2 s, project "Team-A",
                      tenant key "test-api-key", system key "test-system-api-key"), whose boto3 reaches
                      `moto_server` with its administrator's keys
  clean_emulator      the same emulator, reset (no registries, faults, log or counters) for this test
  docker_registry     docker-registry over plain HTTP with htpasswd basic auth
  docker_registry_tls docker-registry over HTTPS, certificate issued by `test_ca`
  docker_registry_token docker-registry over HTTP demanding the Bearer token flow (harness/token_server.py)
  test_ca             the throw-away CA (`.cert_pem` is what clients must trust)
  moto_server         moto with authentication on (unknown keys are refused); see harness/moto.py

Acceptance tests run warm: one warm server per session (per xdist worker, started by the first test
that needs it) from which every Terraform launch of the provider through a `Workspace` is forked
(`warm_session`, tests/harness/warm.py). A test or module marked `cold` launches cold: the warm
server's own tests, the install and release mirrors, interruption, the plugin protocol and start-up.
That the two ways are equivalent is what `acceptance/test_warm.py` (the lifecycle cold and warm) and
`reliability/test_warm_faults.py` prove. `PALETTE_OCI_TEST_WARM=0` runs every test cold (as CI did
before warm became the default); `=1` runs every test warm, reliability too, except the `cold` ones.

`release` tests need the PyInstaller bundle (`harness/release.py`). `--release-stage=auto` (what
`scripts/test` passes) leaves them out when their key (`release_stage_key`: the bundle's source
digest and the release tests' own files) has passed before; `.ci/run` runs them as its last stage.

Each fixture stops its process by its own pid. A missing docker-registry or moto fails the test
with how to install it: nothing is skipped.

Markers come from the folder a test is in (FOLDER_MARKERS, registered in pyproject.toml): a new test
file gets them by where it is put. `scripts/test --fast` selects "(unit or emulator or palette) and
not slow"; a slow test in a fast folder says so itself with `@pytest.mark.slow`.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator
from tests.harness.moto import MotoServer
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import WARM_ENV
from tests.harness.warm import WarmServer

TESTS = Path(__file__).parent
FOLDER_MARKERS: dict[str, tuple[str, ...]] = {
    "unit": ("unit",),
    "emulator": ("emulator",),
    "palette": ("palette",),
    "preflight": ("preflight",),
    "acceptance": ("acceptance", "slow"),
    "reliability": ("reliability", "slow"),
    "packaging": ("packaging", "slow"),
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--release-stage",
        choices=("always", "auto"),
        default="always",
        help="auto: leave out the `release` tests when their key passed before (scripts/test)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.relative_to(TESTS).parts[0]
        for name in FOLDER_MARKERS.get(folder, ()):
            item.add_marker(name)
    release = [item for item in items if item.get_closest_marker("release")]
    if not release or config.getoption("--release-stage") != "auto":
        return
    from tests.harness.release import release_stage_key, release_stage_passed

    if release_stage_passed(release_stage_key([item.nodeid for item in release])):
        config.hook.pytest_deselected(items=release)
        items[:] = [item for item in items if not item.get_closest_marker("release")]
        config.stash[RELEASE_SKIPPED] = len(release)


RELEASE_SKIPPED = pytest.StashKey[int]()
# nodeid -> outcomes of each `release` test this session ran (on the xdist controller too: workers send
# it their reports, and it collects nothing itself).
_RELEASE_OUTCOMES: dict[str, list[str]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "release" in report.keywords and (report.when == "call" or report.outcome != "passed"):
        _RELEASE_OUTCOMES.setdefault(report.nodeid, []).append(report.outcome)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remember the key of release tests that all passed (once: not from an xdist worker). The key covers
    their node ids, so a run of some of them never stands for all (tests/harness/release.py)."""
    if hasattr(session.config, "workerinput") or not _RELEASE_OUTCOMES:
        return
    if {outcome for outcomes in _RELEASE_OUTCOMES.values() for outcome in outcomes} == {"passed"}:
        from tests.harness.release import record_release_stage, release_stage_key

        record_release_stage(release_stage_key(list(_RELEASE_OUTCOMES)))


_SESSION_STARTED = time.time()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """How long the release bundle's PyInstaller build took, when this session built it (any worker),
    and whether the release tests were left out as unchanged."""
    from tests.harness.release import LAST_BUILD

    skipped = terminalreporter.config.stash.get(RELEASE_SKIPPED, 0)
    if skipped:
        terminalreporter.write_line(
            f"release stage: {skipped} tests left out, unchanged since they passed "
            "(scripts/test --release runs them; .ci/run always does)"
        )

    try:
        build = json.loads(LAST_BUILD.read_text())
    except (OSError, ValueError):
        return
    if build.get("at", 0) >= _SESSION_STARTED:
        seconds = build["seconds"]
        terminalreporter.write_line(f"release bundle: PyInstaller build took {seconds} s ({LAST_BUILD.parent})")


@pytest.fixture(autouse=True)
def redaction_memory_per_test() -> Iterator[None]:
    """What `provider.redaction.remember` learns lasts for the process, as a provider process serves one
    Terraform command; a test process runs many, in an order xdist chooses: each test gets the memory
    it started with back (one test's "s3cret" masked in another's message, depending on the order)."""
    from provider import redaction

    known, longest, masked = set(redaction._known), redaction._known_longest_first, dict(redaction._masked)
    yield
    with redaction._known_lock:
        redaction._known.clear()
        redaction._known.update(known)
        redaction._known_longest_first = longest
        redaction._masked.clear()
        redaction._masked.update(masked)


def runs_warm(item: pytest.Item, switch: str | None) -> bool:
    """Whether a test's Workspaces launch the provider from the session's warm server (see the module's doc)."""
    if item.get_closest_marker("cold") or switch == "0":
        return False
    return switch == "1" or item.get_closest_marker("acceptance") is not None


@pytest.fixture(scope="session")
def warm_session() -> Iterator[WarmServer]:
    """The session's warm server (per xdist worker), started by the first test that runs warm."""
    with WarmServer() as warm:
        yield warm


@pytest.fixture(autouse=True)
def launch_mode(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every Workspace this test makes is warm or cold (`runs_warm`): autouse, so before `workspace`."""
    WARM_ENV.clear()
    if runs_warm(request.node, os.environ.get("PALETTE_OCI_TEST_WARM")):
        WARM_ENV.update(request.getfixturevalue("warm_session").env)
    yield
    WARM_ENV.clear()


@pytest.fixture(scope="session")
def test_ca() -> CertificateAuthority:
    return CertificateAuthority.create()


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    with MotoServer(require_auth=True) as moto:
        yield moto


@pytest.fixture(scope="session")
def emulator(moto_server: MotoServer) -> Iterator[Emulator]:
    with Emulator(sync_delay=0.2, validate="contact", env=moto_server.env()) as emu:
        yield emu


@pytest.fixture
def clean_emulator(emulator: Emulator) -> Iterator[Emulator]:
    emulator.reset()
    yield emulator


@pytest.fixture(scope="session")
def docker_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry")) as registry:
        yield registry


@pytest.fixture(scope="session")
def docker_registry_token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry-token"), token_auth=True) as registry:
        yield registry


@pytest.fixture(scope="session")
def docker_registry_tls(
    tmp_path_factory: pytest.TempPathFactory, test_ca: CertificateAuthority
) -> Iterator[DockerRegistry]:
    with DockerRegistry(tmp_path_factory.mktemp("docker-registry-tls"), ca=test_ca) as registry:
        yield registry
