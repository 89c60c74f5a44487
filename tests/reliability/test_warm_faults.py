"""The warm server under faults and misuse, with real Terraform against the emulator.

A server killed with -9 mid-command (the command finishes, the next launch starts cold), 50 launches
at once, an upgrade while a server of another version runs, a foreign socket directory and a foreign
socket, no process left after `warm --stop` or the idle timeout, and no secret in the server's own
environment, arguments or log.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.startup import MAGIC_COOKIE, Samples, launch_once
from provider import files
from provider.launch import handover, install
from provider.version import __version__
from tests.acceptance.conftest import palette_env
from tests.harness.emulator import Emulator
from tests.harness.registry import DockerRegistry
from tests.harness.terraform import PROVIDER_DIR, Workspace
from tests.harness.warm import PROVIDER, WarmServer, alive, ask, server_environment, wait_gone
from tests.reliability.support import LATEST

# Cold (each test starts the servers it is about): tests/conftest.py
pytestmark = pytest.mark.cold

ONE_VERSION = pytest.mark.parametrize("tf_version", [LATEST], indirect=True)


@pytest.fixture
def runtime_dir() -> Iterator[Path]:
    """A short socket directory of this test's own; every server left in it is stopped at the end."""
    directory = Path(tempfile_dir())
    yield directory
    subprocess.run([str(PROVIDER), "warm", "--stop"], env=server_environment(directory), capture_output=True)
    shutil.rmtree(directory, ignore_errors=True)


def registries(count: int, registry: DockerRegistry, password: str | None = None) -> str:
    """`count` Helm registries on the session's docker-registry (the emulator validates by contacting it)."""
    secret = password or f'"{registry.password}"'
    blocks = [
        f'resource "oci_registry_helm" "r{i}" {{\n  name     = "warm-{i}"\n  endpoint = "{registry.url}"\n'
        f'  basic_auth {{\n    username = "{registry.username}"\n    password = {secret}\n  }}\n}}\n'
        for i in range(count)
    ]
    return 'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n' + "\n".join(blocks)


def tempfile_dir() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="w", dir="/tmp")


def launch(runtime: Path, **env: str) -> Samples:
    """One launch as Terraform makes it (handshake, GetProviderSchema, Shutdown); raises on failure."""
    samples = Samples()
    environment = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "XDG_RUNTIME_DIR": str(runtime), **env}
    environment.pop("PALETTE_OCI_WARM", None)
    launch_once([str(PROVIDER)], {**environment, **env}, samples)
    return samples


@ONE_VERSION
def test_server_killed_mid_command_the_command_finishes_and_the_next_launch_starts_cold(
    workspace: Workspace, clean_emulator: Emulator, docker_registry: DockerRegistry, runtime_dir: Path
) -> None:
    with WarmServer(runtime_dir=runtime_dir) as server:
        workspace.env.update(server.env)
        workspace.write(registries(10, docker_registry))
        apply = subprocess.Popen(
            [str(workspace.binary), "apply", "-no-color", "-input=false", "-auto-approve"],
            cwd=workspace.dir,
            env=workspace.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 60
        while server.status()["launches"] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(server.pid, signal.SIGKILL)
        output, _ = apply.communicate(timeout=180)
        server.process.wait()  # type: ignore[union-attr]
    # The launches already forked keep serving; those after the kill start cold.
    assert apply.returncode == 0, output
    assert len(clean_emulator.registries()) == 10
    # The next command: the stale socket is removed, the launch starts cold (PALETTE_OCI_WARM=1 also
    # starts a new server for the launches after it).
    assert workspace.plan_changes() == 0
    answer = subprocess.run(
        [str(PROVIDER), "warm", "--status"], env=server_environment(runtime_dir), capture_output=True, text=True
    )
    assert f"pid {server.pid}:" not in answer.stdout, answer.stdout
    workspace.destroy()
    assert clean_emulator.registries() == []


def test_fifty_parallel_launches(runtime_dir: Path) -> None:
    failures: list[BaseException] = []
    with WarmServer(runtime_dir=runtime_dir) as server:

        def one() -> None:
            try:
                launch(runtime_dir)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=one) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures[:3]
        assert server.status()["launches"] == 50
        # Each child reports its exit status to its launcher, then exits: under load the last ones may
        # take a moment after their launchers returned. None may stay.
        deadline = time.monotonic() + 10
        while (left := _children_alive(server.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert left == []


def _children_alive(pid: int) -> list[Path]:
    children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == pid]
    return [p for p in children if alive(int(p.name))]


def _parent(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def test_a_server_of_another_version_is_never_used(runtime_dir: Path, tmp_path: Path) -> None:
    # The package as it will be after an upgrade: another version, served by a server that still runs.
    site = tmp_path / "site"
    package = Path(files.package_site()) / "provider"
    shutil.copytree(package, site / "provider", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "provider" / "version.py").write_text('__version__ = "9.9.9"\n')
    boot = "import sys; sys.path.insert(0, sys.argv.pop(1)); from provider.__main__ import main; sys.exit(main())"
    other = subprocess.Popen(
        [sys.executable, "-I", "-c", boot, str(site), "warm", "--foreground", "--idle-timeout", "120"],
        env=server_environment(runtime_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None
        assert "listening on" in other.stdout.readline()
        directory = runtime_dir / "terraform-provider-oci"
        (theirs,) = directory.glob("warm-9.9.9-*.sock")  # its identity names its own package directory
        ours = directory / handover.socket_name(__version__)
        assert not ours.exists()
        launch(runtime_dir)  # no server of ours: cold
        # Even at our socket's name (a hard link to theirs), their hello names 9.9.9: never used.
        os.link(theirs, ours)
        launch(runtime_dir)
        assert b'"launches": 0' in ask(ours, b"S")
        assert ours.exists(), "a live server of another version is left alone"
    finally:
        other.terminate()
        other.wait(timeout=10)


def test_a_foreign_socket_directory_is_refused(runtime_dir: Path) -> None:
    directory = runtime_dir / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    if os.getuid() == 0:
        os.chown(directory, 65534, 65534)  # nobody's directory
    else:
        directory.chmod(0o755)  # ours, but open: the launcher does not trust it
        pytest.skip("not root: the foreign owner is covered by tests/unit/test_warm_checks.py")
    launch(runtime_dir)  # cold, and it works
    started = subprocess.run(
        [str(PROVIDER), "warm", "--foreground"], env=server_environment(runtime_dir), capture_output=True, text=True
    )
    assert started.returncode == 1
    assert f"{directory} is not a directory of this user with mode 0700 (owner uid 65534" in started.stderr


def test_a_socket_of_another_user_is_removed_and_the_launch_starts_cold(runtime_dir: Path) -> None:
    if os.getuid() != 0:
        pytest.skip("only root can make another user's socket; tests/unit/test_warm_checks.py covers the check")
    directory = runtime_dir / "terraform-provider-oci"
    directory.mkdir(mode=0o700)
    path = directory / handover.socket_name(__version__)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as foreign:
        foreign.bind(str(path))
        foreign.listen(1)
        os.chown(path, 65534, 65534)
        launch(runtime_dir)
        assert not path.exists()


def test_no_process_is_left_after_stop_or_the_idle_timeout(runtime_dir: Path) -> None:
    env = server_environment(runtime_dir)
    started = subprocess.run([str(PROVIDER), "warm"], env=env, capture_output=True, text=True, timeout=60)
    assert started.returncode == 0 and "listening on" in started.stdout, started.stdout + started.stderr
    (status,) = warm_status(env)
    launch(runtime_dir)
    stopped = subprocess.run([str(PROVIDER), "warm", "--stop"], env=env, capture_output=True, text=True, timeout=60)
    assert f"stopped the warm server pid {status}" in stopped.stdout
    assert not alive(status)
    assert list((runtime_dir / "terraform-provider-oci").glob("*.sock")) == []

    started = subprocess.run(
        [str(PROVIDER), "warm", "--idle-timeout", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert started.returncode == 0, started.stderr
    (idle,) = warm_status(env)
    assert wait_gone(idle, timeout=15), "the server outlived its idle timeout"
    assert list((runtime_dir / "terraform-provider-oci").glob("*.sock")) == []
    log = next((runtime_dir / "terraform-provider-oci").glob("*.log")).read_text()
    assert "idle for 1 s: stopping" in log


def warm_status(env: dict[str, str]) -> list[int]:
    listed = subprocess.run([str(PROVIDER), "warm", "--status"], env=env, capture_output=True, text=True, timeout=60)
    return [int(line.split()[1].rstrip(":")) for line in listed.stdout.splitlines() if line.startswith("pid ")]


@ONE_VERSION
def test_secrets_never_reach_the_servers_environment_arguments_or_log(
    workspace: Workspace, clean_emulator: Emulator, docker_registry: DockerRegistry, runtime_dir: Path
) -> None:
    canary = "canary-" + os.urandom(8).hex()
    # PALETTE_OCI_WARM=1 and no server: the first launch starts one, from an environment full of secrets.
    workspace.env.update(
        XDG_RUNTIME_DIR=str(runtime_dir),
        PALETTE_OCI_WARM="1",
        AWS_SECRET_ACCESS_KEY=canary,
        PALETTE_OCI_CANARY=canary,
        TF_VAR_password=docker_registry.password,
        TF_LOG="DEBUG",
    )
    workspace.write(registries(2, docker_registry, "var.password") + 'variable "password" {\n  type = string\n}\n')
    workspace.apply()
    env = server_environment(runtime_dir)
    deadline = time.monotonic() + 30
    while not warm_status(env) and time.monotonic() < deadline:
        time.sleep(0.1)
    (pid,) = warm_status(env)
    workspace.destroy()  # served warm: the server has handed over launches whose environment holds the canary
    assert ask(next((runtime_dir / "terraform-provider-oci").glob("*.sock")), b"S").count(b'"launches": 0') == 0
    for secret in (canary, clean_emulator.api_key, docker_registry.password):
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        assert secret.encode() not in environ
        assert secret.encode() not in Path(f"/proc/{pid}/cmdline").read_bytes()
        for log in (runtime_dir / "terraform-provider-oci").glob("*.log"):
            assert secret not in log.read_text()
    assert b"PALETTE_API_KEY" not in Path(f"/proc/{pid}/environ").read_bytes()


# -- issue 21: a launch is forked only into the execution context Terraform started it in ----------

NO_CAPABILITIES = ["setpriv", "--regid", "65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
needs_root = pytest.mark.skipif(os.getuid() != 0, reason="unshare and setpriv need root (CI runs as root)")
DATA_SOURCE = (
    'terraform {\n  required_providers {\n    oci = { source = "palette/oci" }\n  }\n}\n'
    'data "oci_registries" "all" {}\n'
)


@needs_root
@pytest.mark.parametrize(
    ("wrapper", "differs"),
    [
        (NO_CAPABILITIES, "Gid, CapPrm, CapEff, CapBnd"),
        (["unshare", "-n"], "net namespace"),
        (["setpriv", "--no-new-privs"], "NoNewPrivs"),
        (["prlimit", "--nofile=512:512"], "rlimit Max open files"),
    ],
    ids=["no-capabilities-gid-65534", "no-network", "no-new-privs", "fewer-open-files"],
)
def test_a_launcher_in_another_execution_context_starts_cold(
    wrapper: list[str], differs: str, runtime_dir: Path
) -> None:
    with WarmServer(runtime_dir=runtime_dir) as server:
        launch(runtime_dir)  # as Terraform starts it: served warm
        assert server.status()["launches"] == 1
        with tempfile_log() as log:
            launch_wrapped(wrapper, runtime_dir, log, TF_LOG="DEBUG")
            said = log.read_text()
        status = server.status()
        assert status["launches"] == 1, "served from the server's context"
        assert status["declined"] == 1 and status["last_declined"] == differs
        # One debug line says why, by name (no namespace inode, no capability mask).
        (line,) = [line for line in said.splitlines() if "did not serve this launch" in line]
        assert line.startswith("[DEBUG] provider.warm:") and f"({differs})" in line, line
        assert "[40" not in line and "0000" not in line
        listed = subprocess.run(
            [str(PROVIDER), "warm", "--status"], env=server_environment(runtime_dir), capture_output=True, text=True
        )
        assert f"1 launches sent cold (last: {differs} differed)" in listed.stdout, listed.stdout


@contextlib.contextmanager
def tempfile_log() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory) / "stderr"


def launch_wrapped(wrapper: list[str], runtime: Path, log: Path, **env: str) -> Samples:
    """One launch as Terraform makes it, through `wrapper` (unshare, setpriv, ...); its stderr to `log`."""
    samples = Samples()
    environment = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "XDG_RUNTIME_DIR": str(runtime)}
    environment.pop("PALETTE_OCI_WARM", None)
    environment.update(env)
    with log.open("w") as stderr:
        launch_once([*wrapper, str(PROVIDER)], environment, samples, stderr=stderr)
    return samples


@needs_root
@ONE_VERSION
def test_terraform_without_network_starts_cold_and_cannot_reach_palette(
    workspace: Workspace, clean_emulator: Emulator, runtime_dir: Path
) -> None:
    with WarmServer(runtime_dir=runtime_dir) as server:
        workspace.env.update(server.env)
        workspace.write(DATA_SOURCE)
        assert workspace.plan().returncode == 0  # warm, with the network
        served = server.status()["launches"]
        assert served >= 2
        offline = subprocess.run(
            ["unshare", "-n", str(workspace.binary), "plan", "-no-color", "-input=false"],
            cwd=workspace.dir,
            env={**workspace.env, "TF_LOG_PROVIDER": "DEBUG"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        status = server.status()
    # As a cold start without network: Palette is out of reach, and no launch was forked from the server.
    assert offline.returncode == 1, offline.stdout + offline.stderr
    assert "Cannot reach Palette" in offline.stdout + offline.stderr
    assert status["launches"] == served and status["declined"] >= 2
    assert "(net namespace)" in offline.stderr


@needs_root
@ONE_VERSION
def test_terraform_without_capabilities_starts_cold(
    workspace: Workspace, clean_emulator: Emulator, runtime_dir: Path
) -> None:
    with WarmServer(runtime_dir=runtime_dir) as server:
        workspace.env.update(server.env)
        workspace.write(DATA_SOURCE)
        confined = subprocess.run(
            [*NO_CAPABILITIES, str(workspace.binary), "plan", "-no-color", "-input=false"],
            cwd=workspace.dir,
            env=workspace.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        status = server.status()
    assert confined.returncode == 0, confined.stdout + confined.stderr
    assert status["launches"] == 0 and status["declined"] >= 2
    assert status["last_declined"] == "Gid, CapPrm, CapEff, CapBnd"


# A new, empty /tmp, as systemd's PrivateTmp=yes gives. KEEP (a directory under the old /tmp, say the
# checkout of a CI job cloned to /tmp/ci: the provider's virtualenv and the Terraform builds) is bound
# back at its place through HOLD, a view of the old /tmp from outside it.
PRIVATE_TMP = """set -e
if [ -n "$KEEP" ]; then mkdir -p "$HOLD" && mount --bind /tmp "$HOLD"; fi
mount -t tmpfs tmpfs /tmp
if [ -n "$KEEP" ]; then mkdir -p "/tmp/$KEEP" && mount --bind "$HOLD/$KEEP" "/tmp/$KEEP"; fi
exec "$@"
"""


def keep_under_private_tmp(hold: Path) -> dict[str, str]:
    """PRIVATE_TMP's KEEP and HOLD: the top directory under /tmp that holds the provider's virtualenv (the
    checkout's .venv, Terraform's dev_overrides), if it is there."""
    parts = PROVIDER_DIR.resolve().relative_to("/").parts
    if len(parts) < 2 or parts[0] != "tmp":
        return {"KEEP": "", "HOLD": ""}
    return {"KEEP": parts[1], "HOLD": str(hold)}


@needs_root
@ONE_VERSION
def test_terraform_with_a_private_tmp_starts_cold(clean_emulator: Emulator, tf_version: str) -> None:
    # systemd's PrivateTmp=yes: another mount namespace with its own /tmp, the same HOME. The socket
    # directory, the working directory and HOME are outside /tmp, so both namespaces see them; a child
    # forked from the server would make its gRPC socket in the server's /tmp, where Terraform cannot look.
    outside = Path(tempfile.mkdtemp(prefix="w", dir="/var/tmp"))
    try:
        workspace = Workspace(outside / "tf", tf_version, env=palette_env(clean_emulator))
        with WarmServer(runtime_dir=outside / "run") as server:
            workspace.env.update(server.env)
            workspace.write(DATA_SOURCE)
            private = subprocess.run(
                [
                    "unshare",
                    "-m",
                    "sh",
                    "-c",
                    PRIVATE_TMP,
                    "sh",
                    str(workspace.binary),
                    "plan",
                    "-no-color",
                    "-input=false",
                ],
                cwd=workspace.dir,
                env={**workspace.env, **keep_under_private_tmp(outside / "tmp")},
                capture_output=True,
                text=True,
                timeout=300,
            )
            status = server.status()
        assert private.returncode == 0, private.stdout + private.stderr
        assert "Plugin did not respond" not in private.stdout + private.stderr
        assert status["launches"] == 0 and status["declined"] >= 2
        assert status["last_declined"] == "mnt namespace"
    finally:
        shutil.rmtree(outside, ignore_errors=True)


KILLED_TERRAFORM = """
import subprocess, sys, time
launcher = subprocess.Popen([sys.argv[1]], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
print(launcher.pid, flush=True)
print(launcher.stdout.readline().decode().strip(), flush=True)
time.sleep(600)
"""


def test_kill_9_of_terraform_ends_the_launcher_and_its_forked_provider(runtime_dir: Path) -> None:
    with WarmServer(runtime_dir=runtime_dir) as server:
        env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "XDG_RUNTIME_DIR": str(runtime_dir)}
        env.pop("PALETTE_OCI_WARM", None)
        # Terraform as far as this matters: it starts the launcher, reads the handshake, and is killed.
        terraform = subprocess.Popen(
            [sys.executable, "-c", KILLED_TERRAFORM, str(PROVIDER)], env=env, stdout=subprocess.PIPE, text=True
        )
        assert terraform.stdout is not None
        launcher = int(terraform.stdout.readline())
        assert terraform.stdout.readline().startswith("1|6|unix|")
        assert server.status()["launches"] == 1
        (child,) = _children_alive(server.pid)
        os.kill(terraform.pid, signal.SIGKILL)
        terraform.wait()
        terraform.stdout.close()
        killed = time.monotonic()
        # A cold launch's parent watchdog ends it within a second; the launcher polls as often, and its
        # child ends when the launcher's socket closes.
        assert wait_gone(launcher, timeout=5), "the launcher outlived Terraform"
        assert wait_gone(int(child.name), timeout=5), "the forked provider outlived Terraform"
        assert time.monotonic() - killed < 5


@needs_root
def test_a_sandbox_with_its_own_socket_directory_gets_a_server_in_its_own_context(runtime_dir: Path) -> None:
    # PALETTE_OCI_WARM=1 inside the sandbox: the first launch starts cold and starts a server, which
    # inherits the sandbox's context (no capabilities, gid 65534); the next launch is served by it.
    with tempfile_log() as log:
        launch_wrapped(NO_CAPABILITIES, runtime_dir, log, PALETTE_OCI_WARM="1")
    env = server_environment(runtime_dir)
    deadline = time.monotonic() + 30
    while not (pids := warm_status(env)) and time.monotonic() < deadline:
        time.sleep(0.1)
    (pid,) = pids
    status = Path(f"/proc/{pid}/status").read_text()
    assert "CapEff:\t0000000000000000" in status and "\nGid:\t65534" in status
    with tempfile_log() as log:
        launch_wrapped(NO_CAPABILITIES, runtime_dir, log, PALETTE_OCI_WARM="1")
    (server,) = [s for s in (json.loads(ask(p, b"S")) for p in runtime_dir.glob("*/*.sock"))]
    assert server["launches"] == 1 and server["declined"] == 0


def test_a_launcher_recording_python3_uses_the_server_the_console_script_started(
    runtime_dir: Path, tmp_path: Path
) -> None:
    # The console script runs bin/python; `install` run as `python3 -m provider install` records
    # bin/python3, a symlink to the same interpreter: one Python, one server (issue 21, item 5).
    python3 = Path(sys.executable).with_name("python3")
    assert python3.is_symlink() or Path(sys.executable).is_symlink()
    assert os.path.realpath(python3) == os.path.realpath(sys.executable) and str(python3) != sys.executable
    config = tmp_path / "config"
    (config / "terraform-provider-oci").mkdir(parents=True)
    (config / "terraform-provider-oci" / "python").write_text(f"{python3}\n{files.package_site()}\n")
    launcher = tmp_path / install.executable_name(__version__)
    launcher.write_bytes(install.launcher(__version__))
    launcher.chmod(0o755)
    with WarmServer(runtime_dir=runtime_dir) as server:
        env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "XDG_RUNTIME_DIR": str(runtime_dir)}
        env.pop("PALETTE_OCI_WARM", None)
        launch_once([str(launcher)], {**env, "XDG_CONFIG_HOME": str(config)}, Samples())
        assert server.status()["launches"] == 1, "the launch through bin/python3 was not handed over"
        listed = subprocess.run(
            [str(python3), "-m", "provider", "warm", "--status"],
            env=server_environment(runtime_dir),
            capture_output=True,
            text=True,
        )
        assert f"pid {server.pid}:" in listed.stdout and "1 launches" in listed.stdout, listed.stdout
