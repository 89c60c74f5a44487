#!/usr/bin/env python3
"""Start-up of `terraform-provider-oci` against the framework's floor, measured in one run.

    .venv/bin/python bench/startup.py [--runs 25] [--cold]

Terraform starts a provider 3-5 times per command and waits for each start. This launches each
provider as Terraform does (stdin a pipe, the magic cookie set) and times, from exec: the go-plugin
handshake line on stdout; the answer to GetProviderSchema, Terraform's first call; the process
gone after go-plugin's Shutdown; and the CPU time of the whole launch.

Providers: ours (from the virtualenv, the console script `install` writes a launcher for); the
self-contained release bundle (PyInstaller onedir, release/build.py; `--bundle DIR`, else built
into .cache/bundle as the tests do); bench/bare_provider.py, a `tf` provider with nothing in it served by tf's own
runner (the baseline); and the same empty provider on our serving path (`provider.tfx.serve`),
whose gap to ours is what our own modules add. Same Python, same machine, launches interleaved so
that all meet the same load. Prints median, min-max and each median as a multiple of the
baseline's. `--cold` also times launches with an empty HOME (no cached TLS certificate yet).
With a warm server (unless --no-warm), three more: ours with every launch forked from a warm server
(`terraform-provider-oci warm`), and the launcher `terraform-provider-oci install` writes into the
mirror (what Terraform execs outside dev_overrides), cold and warm; the warm launch through that
launcher has its own target, 25 ms to the handshake. Last, one launch under PYTHONPROFILEIMPORTTIME
lists any heavy module (httpx, pydantic, boto3, cryptography, ...) a launch that only serves the
schema imports. Exits 1 when the handshake ratio misses the target (1.10), the bundle's handshake is over 1.20x ours
from the virtualenv, the warm launch misses its 25 ms, or such a module shows up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from base64 import b64decode
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
HANDSHAKE_TARGET = 1.10
BUNDLE_TARGET = 1.20  # the release bundle's handshake over ours from the virtualenv
# What only an operation that calls Palette or checks a registry may load (CONTRIBUTING.md).
HEAVY_MODULES = ("httpx", "pydantic", "boto3", "botocore", "cryptography", "starlette", "uvicorn", "jsonschema")
OURS, BUNDLE, BASELINE = "terraform-provider-oci", "release bundle", "bare tf provider"
WARM_OURS, LAUNCHER_COLD, LAUNCHER_WARM = "ours, warm", "mirror launcher, cold", "mirror launcher, warm"
WARM_TARGET = 25.0  # ms, exec -> handshake of a warm launch through the mirror launcher
PROVIDERS = {
    OURS: [str(VENV_BIN / "terraform-provider-oci")],
    BUNDLE: [],  # set in main(): the bundle's executable
    BASELINE: [sys.executable, str(BENCH / "bare_provider.py")],
    "bare on provider.tfx.serve": [sys.executable, str(BENCH / "bare_provider.py"), "--lean"],
}
# Per provider, what its launches add to the environment (the warm ones: a warm server's socket directory).
EXTRA_ENV: dict[str, dict[str, str]] = {OURS: {"PALETTE_OCI_WARM": "0"}}


@dataclass
class Samples:
    handshake: list[float] = field(default_factory=list)  # ms from exec to the handshake line
    schema: list[float] = field(default_factory=list)  # ... to GetProviderSchema answered
    exited: list[float] = field(default_factory=list)  # ... to the process gone after Shutdown
    cpu: list[float] = field(default_factory=list)  # CPU ms (user + system) of the whole launch


@dataclass
class Handshake:
    socket: str
    cert_pem: str


def parse_handshake(line: str) -> Handshake:
    """go-plugin's line: core version | protocol version | network | address | protocol | server cert."""
    parts = line.strip().split("|")
    if len(parts) != 6 or parts[:3] != ["1", "6", "unix"] or parts[4] != "grpc":
        raise RuntimeError(f"not a go-plugin handshake line: {line!r}")
    der = b64decode(parts[5] + "=" * (-len(parts[5]) % 4))
    return Handshake(parts[3], ssl.DER_cert_to_PEM_cert(der))


def talk_like_terraform(handshake: Handshake, started: float, samples: Samples) -> None:
    """Over TLS, trusting the server's own certificate: GetProviderSchema, then go-plugin's Shutdown."""
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # no notice of the GOAWAY tf's runner sends
    import grpc
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import tfplugin_pb2 as pb
    from tf.gen import tfplugin_pb2_grpc as rpc

    credentials = grpc.ssl_channel_credentials(root_certificates=handshake.cert_pem.encode())
    options = [("grpc.ssl_target_name_override", "localhost")]
    with grpc.secure_channel(f"unix:{handshake.socket}", credentials, options=options) as channel:
        answer = rpc.ProviderStub(channel).GetProviderSchema(pb.GetProviderSchema.Request(), timeout=30)
        samples.schema.append((time.perf_counter() - started) * 1000)
        if answer.diagnostics:
            raise RuntimeError(f"GetProviderSchema answered with diagnostics: {answer.diagnostics}")
        # tf's runner stops its server before it answers Shutdown; go-plugin ignores that error too.
        with contextlib.suppress(grpc.RpcError):
            controller_rpc.GRPCControllerStub(channel).Shutdown(controller_pb.Empty(), timeout=30)


def launch_once(command: list[str], env: dict[str, str], samples: Samples, stderr: Any = subprocess.DEVNULL) -> None:
    """One launch as Terraform makes it; its timings go to `samples`, its stderr to `stderr`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, env=env, text=True
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    samples.handshake.append((time.perf_counter() - started) * 1000)
    try:
        talk_like_terraform(parse_handshake(line), started, samples)
    except Exception:
        process.kill()
        raise
    finally:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
    samples.exited.append((time.perf_counter() - started) * 1000)
    samples.cpu.append((usage.ru_utime + usage.ru_stime) * 1000)


def heavy_modules_at_start() -> list[str]:
    """The heavy top-level modules our provider imports in a launch that starts, serves its schema and
    stops (as `terraform validate` launches it): none, when the lazy imports hold."""
    env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "PYTHONPROFILEIMPORTTIME": "1"}
    with tempfile.TemporaryFile("w+") as log:
        launch_once(PROVIDERS[OURS], env, Samples(), stderr=log)
        log.seek(0)
        imported = {line.rsplit("|", 1)[-1].strip() for line in log if line.startswith("import time:")}
    return sorted(imported & set(HEAVY_MODULES))


def measure(runs: int, home: Path | None) -> dict[str, Samples]:
    """`runs` launches of each provider, interleaved; a fresh HOME per launch when `home` is None."""
    results = {name: Samples() for name in PROVIDERS}
    for _ in range(runs):
        for name, command in PROVIDERS.items():
            with tempfile.TemporaryDirectory(prefix="bench-home-") as fresh:
                env = {**os.environ, "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE, "HOME": str(home or fresh)}
                for name_ in ("TF_LOG", "TF_LOG_PROVIDER", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "PALETTE_OCI_WARM"):
                    env.pop(name_, None)
                env.update(EXTRA_ENV.get(name, {}))
                launch_once(command, env, results[name])
    return results


def bundle_executable(given: Path | None) -> str:
    """The release bundle's executable: `given` (a bundle directory), else the tests' cached build."""
    if given is None:
        sys.path.insert(0, str(BENCH.parent))
        from tests.harness.release import cached_bundle

        given = cached_bundle()
    executables = [p for p in given.iterdir() if p.name.startswith("terraform-provider-oci_v") and p.is_file()]
    if len(executables) != 1:
        raise SystemExit(f"{given} is not a release bundle directory (no terraform-provider-oci_v<version> in it)")
    return str(executables[0])


def show(name: str, samples: list[float], baseline: float, unit: str = "ms") -> None:
    median = statistics.median(samples)
    print(
        f"  {name:<28} median {median:7.1f} {unit}   min-max {min(samples):6.1f}-{max(samples):6.1f}"
        f"   {median / baseline:5.2f}x bare"
    )


def report(title: str, results: dict[str, Samples], what: str) -> float:
    """Print one measurement for every provider; returns our median over the bare provider's."""
    print(title)
    baseline = statistics.median(getattr(results[BASELINE], what))
    for name, samples in results.items():
        show(name, getattr(samples, what), baseline)
    return statistics.median(getattr(results[OURS], what)) / baseline


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=25, help="launches of each provider (default 25)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed launches of each first (default 2)")
    parser.add_argument("--cold", action="store_true", help="also time launches with an empty HOME")
    parser.add_argument(
        "--bundle", type=Path, help="release bundle directory (default: build or reuse .cache/bundle, as the tests do)"
    )
    parser.add_argument("--no-warm", action="store_true", help="leave out the warm server and the mirror launcher")
    args = parser.parse_args()
    PROVIDERS[BUNDLE] = [bundle_executable(args.bundle)]
    with contextlib.ExitStack() as stack:
        if not args.no_warm:
            add_warm_providers(stack)
        return run(args)


def add_warm_providers(stack: contextlib.ExitStack) -> None:
    """Ours warm (a warm server's launches), and the mirror launcher `install` writes, cold and warm."""
    sys.path.insert(0, str(BENCH.parent))
    from provider import files
    from provider.launch import install
    from provider.version import __version__
    from tests.harness.warm import WarmServer

    warm = stack.enter_context(WarmServer())
    config = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-config-")))
    record = config / "terraform-provider-oci" / "python"
    record.parent.mkdir()
    record.write_text(f"{sys.executable}\n{files.package_site()}\n")
    launcher = config / install.executable_name(__version__)
    launcher.write_bytes(install.launcher(__version__))
    launcher.chmod(0o755)
    PROVIDERS[WARM_OURS] = PROVIDERS[OURS]
    PROVIDERS[LAUNCHER_COLD] = [str(launcher)]
    PROVIDERS[LAUNCHER_WARM] = [str(launcher)]
    EXTRA_ENV[WARM_OURS] = {"XDG_RUNTIME_DIR": warm.env["XDG_RUNTIME_DIR"]}
    EXTRA_ENV[LAUNCHER_COLD] = {"XDG_CONFIG_HOME": str(config), "PALETTE_OCI_WARM": "0"}
    EXTRA_ENV[LAUNCHER_WARM] = {"XDG_CONFIG_HOME": str(config), "XDG_RUNTIME_DIR": warm.env["XDG_RUNTIME_DIR"]}


def run(args: argparse.Namespace) -> int:

    with tempfile.TemporaryDirectory(prefix="bench-home-") as warm_home:
        measure(args.warmup, Path(warm_home))  # fills the certificate caches, warms the page cache
        warm = measure(args.runs, Path(warm_home))
    print(f"{args.runs} launches of each, interleaved; Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    ratio = report("exec -> handshake line (wall):", warm, "handshake")
    report("exec -> GetProviderSchema answered (wall):", warm, "schema")
    report("exec -> schema -> Shutdown -> process exited (wall):", warm, "exited")
    report("CPU time of that whole launch (user + system):", warm, "cpu")
    if args.cold:
        cold = measure(args.runs, None)
        report("exec -> handshake line, empty HOME (certificate made at start):", cold, "handshake")
    heavy = heavy_modules_at_start()
    print(f"heavy modules a schema launch imports: {', '.join(heavy) or 'none'}")
    verdict = "meets" if ratio <= HANDSHAKE_TARGET else "MISSES"
    print(f"handshake ratio {ratio:.2f} {verdict} the target of {HANDSHAKE_TARGET:.2f}x the bare tf provider")
    bundle = statistics.median(warm[BUNDLE].handshake) / statistics.median(warm[OURS].handshake)
    verdict = "meets" if bundle <= BUNDLE_TARGET else "MISSES"
    print(f"release bundle / virtualenv handshake {bundle:.2f} {verdict} the target of {BUNDLE_TARGET:.2f}x")
    warm_ok = True
    if LAUNCHER_WARM in warm:
        handshake = statistics.median(warm[LAUNCHER_WARM].handshake)
        warm_ok = handshake <= WARM_TARGET
        print(
            f"warm launch through the mirror launcher: {handshake:.1f} ms to the handshake, "
            f"{'meets' if warm_ok else 'MISSES'} the target of {WARM_TARGET:g} ms"
        )
    return 0 if ratio <= HANDSHAKE_TARGET and bundle <= BUNDLE_TARGET and not heavy and warm_ok else 1


if __name__ == "__main__":
    sys.exit(main())
