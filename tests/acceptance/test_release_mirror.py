"""The release package through real Terraform 1.0.3 and 1.15.5, from a network mirror over HTTPS.

The session builds the self-contained bundle once (PyInstaller, cached by its sources:
tests/harness/release.py) and runs `scripts/release`'s program on it with a throw-away GPG key. Each
test serves the release's `network-mirror/` over HTTPS on 127.0.0.1 (certificate from the test CA,
trusted through SSL_CERT_FILE) and runs Terraform with a CLI config that has that mirror and nothing
else, PATH holding only Terraform's directory (no Python), an empty HOME and no XDG settings: the
provider Terraform runs is the bundle, or nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from provider.launch.install import executable_name, hash_zip, package_name
from provider.version import __version__
from release.build import EXCLUDED
from release.build import package as build_package
from tests.acceptance.conftest import palette_env
from tests.acceptance.scenarios import PROVIDER_BLOCK, Parts
from tests.harness.certs import CertificateAuthority
from tests.harness.emulator import Emulator, basic_registry
from tests.harness.mirror import StaticHttps
from tests.harness.moto import MotoServer
from tests.harness.release import GpgKey, cached_bundle, release_dir, throwaway_gpg_key
from tests.harness.terraform import REPO, VERSIONS, terraform_binary
from tests.preflight.conftest import ECR_HOST, NamedRegistry, ecr_password
from tests.unit.test_release_layout import fake_bundle

# Cold (the release bundle launched by Terraform from a network mirror: a start-up path of its own): tests/conftest.py
pytestmark = [pytest.mark.release, pytest.mark.cold]

VERSION = __version__
TARGET = "linux_amd64"
PACKAGE = package_name(VERSION, TARGET)
PREFIX = f"terraform-provider-oci_{VERSION}"
MIRRORED = "registry.terraform.io/palette/oci"


@dataclass(frozen=True)
class ReleaseDir:
    path: Path
    key: GpgKey
    printed: str

    @property
    def package(self) -> Path:
        return self.path / PACKAGE

    @property
    def network_mirror(self) -> Path:
        return self.path / "network-mirror"


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReleaseDir]:
    bundle = cached_bundle()
    out = tmp_path_factory.mktemp("release")
    with throwaway_gpg_key() as key:
        made = release_dir(bundle, out, key)
        assert made.returncode == 0, made.stdout + made.stderr
        yield ReleaseDir(out, key, made.stdout)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- the release directory -------------------------------------------------------------------------


def test_the_release_directory_holds_what_a_registry_and_the_mirrors_need(release: ReleaseDir) -> None:
    names = sorted(p.name for p in release.path.iterdir())
    assert names == sorted(
        [
            PACKAGE,
            f"{PREFIX}_SHA256SUMS",
            f"{PREFIX}_SHA256SUMS.sig",
            f"{PREFIX}_manifest.json",
            "signing-key.asc",
            "filesystem-mirror",
            "network-mirror",
        ]
    )
    # The build names the platforms it could not make, and why.
    for other in ("linux_arm64", "darwin_amd64", "darwin_arm64"):
        assert f"not built: {other}: PyInstaller builds only for the platform it runs on" in release.printed
    assert "not built: windows_amd64: not supported yet" in release.printed

    manifest = release.path / f"{PREFIX}_manifest.json"
    assert json.loads(manifest.read_text()) == {"version": 1, "metadata": {"protocol_versions": ["6.0"]}}
    sums = (release.path / f"{PREFIX}_SHA256SUMS").read_text()
    assert sums == f"{sha256(release.package)}  {PACKAGE}\n{sha256(manifest)}  {manifest.name}\n"

    # The packed filesystem mirror and the network mirror hold the same bytes.
    assert sha256(release.path / "filesystem-mirror" / MIRRORED / PACKAGE) == sha256(release.package)
    provider_dir = release.network_mirror / MIRRORED
    assert json.loads((provider_dir / "index.json").read_text()) == {"versions": {VERSION: {}}}
    assert json.loads((provider_dir / f"{VERSION}.json").read_text()) == {
        "archives": {TARGET: {"url": PACKAGE, "hashes": [f"zh:{sha256(release.package)}"]}}
    }
    assert sha256(provider_dir / PACKAGE) == sha256(release.package)


def test_the_signature_verifies_with_the_published_key_alone(release: ReleaseDir) -> None:
    sums = release.path / f"{PREFIX}_SHA256SUMS"
    # Binary (not armoured) detached signature, as registries expect.
    assert not (release.path / f"{PREFIX}_SHA256SUMS.sig").read_bytes().startswith(b"-----BEGIN")
    verifier = Path(tempfile.mkdtemp(prefix="gpg-v-", dir="/tmp"))
    try:
        verifier.chmod(0o700)
        assert release.key.gpg("--import", str(release.path / "signing-key.asc"), home=verifier).returncode == 0
        verified = release.key.gpg("--verify", f"{sums}.sig", str(sums), home=verifier)
        assert verified.returncode == 0 and "Good signature" in verified.stderr, verified.stderr
        sums_copy = verifier / sums.name
        sums_copy.write_text(sums.read_text().replace(sha256(release.package)[:8], "00000000"))
        assert release.key.gpg("--verify", f"{sums}.sig", str(sums_copy), home=verifier).returncode != 0
    finally:
        subprocess.run(["gpgconf", "--homedir", str(verifier), "--kill", "all"], capture_output=True, timeout=30)
        shutil.rmtree(verifier, ignore_errors=True)


def test_the_package_is_files_only_with_the_executable_and_no_emulator(release: ReleaseDir) -> None:
    with zipfile.ZipFile(release.package) as archive:
        entries = archive.infolist()
    names = [entry.filename for entry in entries]
    assert names == sorted(names) and not [n for n in names if n.endswith("/")]  # no directory entries
    executable = next(entry for entry in entries if entry.filename == executable_name(VERSION))
    assert (executable.external_attr >> 16) & 0o777 == 0o755
    assert any(name.startswith("_internal/libpython3") for name in names)
    assert not [n for n in names if "emulator" in n or n.startswith(("_internal/starlette", "_internal/uvicorn"))]
    assert len(EXCLUDED) > 5  # check_excluded ran on the bundle (scripts/release and the cache both call it)


# -- through Terraform -----------------------------------------------------------------------------


@dataclass
class MirrorTerraform:
    """Terraform whose only provider source is the network mirror, with nothing of this machine's Python."""

    version: str
    root: Path
    mirror_url: str
    ca_file: Path
    extra_env: dict[str, str]
    # An /etc/hosts for Terraform and the provider alone (a private mount namespace; needs root).
    hosts_file: Path | None = None

    def __post_init__(self) -> None:
        self.binary = terraform_binary(self.version)
        self.home = self.root / "home"
        self.work = self.root / "work"
        self.home.mkdir(parents=True)
        self.work.mkdir(parents=True)
        self.cli_config = self.root / "terraform.rc"
        self.cli_config.write_text(
            f'provider_installation {{\n  network_mirror {{\n    url = "{self.mirror_url}"\n  }}\n}}\n'
        )

    def env(self) -> dict[str, str]:
        path = str(self.binary.parent)
        assert shutil.which("python3", path=path) is None and shutil.which("python", path=path) is None
        return {
            "PATH": path,
            "HOME": str(self.home),
            "TF_CLI_CONFIG_FILE": str(self.cli_config),
            "SSL_CERT_FILE": str(self.ca_file),
            "TF_IN_AUTOMATION": "1",
            "CHECKPOINT_DISABLE": "1",
            "TF_INPUT": "0",
            **self.extra_env,
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binary), *args]
        if self.hosts_file is not None:
            mount = f'{shutil.which("mount")} --bind "$0" /etc/hosts && exec "$@"'
            command = [str(shutil.which("unshare")), "--mount", "/bin/sh", "-c", mount, str(self.hosts_file), *command]
        return subprocess.run(command, cwd=self.work, env=self.env(), capture_output=True, text=True, timeout=300)

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"terraform {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def locked_hashes(self) -> list[str]:
        lock = (self.work / ".terraform.lock.hcl").read_text()
        block = re.search(r'provider "registry\.terraform\.io/palette/oci" \{(.*?)\n\}', lock, re.S)
        assert block and re.search(rf'version\s*=\s*"{re.escape(VERSION)}"', block[1]), lock
        return sorted(re.findall(r'"((?:h1|zh):[^"]+)"', block[1]))


@pytest.fixture
def ca_file(tmp_path: Path, test_ca: CertificateAuthority) -> Path:
    return test_ca.write_cert(tmp_path / "ca.pem")


@pytest.fixture
def mirror(release: ReleaseDir, test_ca: CertificateAuthority) -> Iterator[StaticHttps]:
    with StaticHttps(release.network_mirror, test_ca) as server:
        yield server


def registries_tf(parts: Parts) -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "charts" {{
  name     = "bundle-charts"
  endpoint = "{parts.registry.url}"
  basic_auth {{
    username = "{parts.registry.username}"
    password = "{parts.registry.password}"
  }}
}}

resource "oci_registry_packs" "packs" {{
  name              = "bundle-packs"
  endpoint          = "{ECR_HOST}"
  base_content_path = "content"
  ecr {{
    access_key_id     = "{parts.aws_keys.access_key_id}"
    secret_access_key = "{parts.aws_keys.secret_access_key}"
  }}
}}
"""


def test_init_from_the_network_mirror_then_plan_apply_destroy_with_the_bundle(
    tf_version: str,
    tmp_path: Path,
    release: ReleaseDir,
    mirror: StaticHttps,
    ca_file: Path,
    clean_emulator: Emulator,
    parts: Parts,
) -> None:
    terraform = MirrorTerraform(tf_version, tmp_path / "tf", mirror.url, ca_file, palette_env(clean_emulator))
    (terraform.work / "main.tf").write_text(registries_tf(parts))

    terraform.ok("init", "-no-color")
    h1 = hash_zip(release.package)
    assert terraform.locked_hashes() == [h1]  # Terraform's own h1 over the unpacked package is ours
    assert f"/{MIRRORED}/{PACKAGE}" in mirror.requests
    unpacked = terraform.work / ".terraform/providers" / MIRRORED / VERSION / TARGET
    assert (unpacked / executable_name(VERSION)).is_file() and (unpacked / "_internal").is_dir()

    plan = terraform.run("plan", "-no-color", "-detailed-exitcode")
    assert plan.returncode == 2, plan.stdout + plan.stderr
    terraform.ok("apply", "-no-color", "-auto-approve")
    assert sorted(r["name"] for r in clean_emulator.registries()) == ["bundle-charts", "bundle-packs"]
    again = terraform.run("plan", "-no-color", "-detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    terraform.ok("destroy", "-no-color", "-auto-approve")
    assert clean_emulator.registries() == []
    assert not (terraform.home / ".config" / "terraform-provider-oci").exists()  # no launcher, no record

    # A lock file that carries the zh: hash from SHA256SUMS (as a registry's would): init accepts the
    # package against it and adds its h1:, both matching.
    shutil.rmtree(terraform.work / ".terraform")
    zh = f"zh:{sha256(release.package)}"
    (terraform.work / ".terraform.lock.hcl").write_text(
        f'provider "registry.terraform.io/palette/oci" {{\n  version     = "{VERSION}"\n'
        f'  hashes = [\n    "{zh}",\n  ]\n}}\n'
    )
    terraform.ok("init", "-no-color")
    assert terraform.locked_hashes() == sorted([h1, zh])


def ecr_helm_tf(access_key_id: str, secret_access_key: str, ca_pem: str) -> str:
    return f"""{PROVIDER_BLOCK}
resource "oci_registry_helm" "ecr" {{
  name              = "bundle-ecr"
  endpoint          = "{ECR_HOST}"
  base_content_path = "bundle/charts"
  ecr {{
    access_key_id     = "{access_key_id}"
    secret_access_key = "{secret_access_key}"
  }}
  tls {{
    ca_certificate = <<-EOT
{ca_pem}    EOT
  }}
}}
"""


def ecr_address(tf_version: str) -> str:
    """A loopback address of each test's own, so port 443 is free there (tests run in parallel)."""
    return f"127.0.43.{1 + VERSIONS.index(tf_version)}"


class Forwarder:
    """A TCP forwarder on `listen` to `target` (both loopback), one thread per direction per connection."""

    def __init__(self, listen: tuple[str, int], target: tuple[str, int]) -> None:
        self.server = socket.create_server(listen)
        self.target = target

    def __enter__(self) -> Forwarder:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the accept() in progress, which holds the port
        self.server.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return  # closed
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


def test_ecr_preflight_runs_boto3_inside_the_bundle(
    tf_version: str,
    tmp_path: Path,
    mirror: StaticHttps,
    ca_file: Path,
    clean_emulator: Emulator,
    moto_server: MotoServer,
    test_ca: CertificateAuthority,
) -> None:
    # ECR as in tests/preflight: moto for STS and ECR (authentication on), a docker-registry answering
    # for the ECR host name (its certificate names it). The bundle resolves that name as any program
    # does: an /etc/hosts of this test's own (a private mount namespace) sends it to a loopback address
    # where a forwarder on port 443 passes the connection to the registry. Nothing in the provider
    # knows it is tested.
    keys = moto_server.create_user_with_keys(f"bundle-{tf_version.replace('.', '-')}-{tmp_path.name[-6:]}")
    moto_ecr = moto_server.client("ecr")
    with contextlib.suppress(moto_ecr.exceptions.RepositoryAlreadyExistsException):
        moto_ecr.create_repository(repositoryName="bundle/charts/nginx")
    stand_in = NamedRegistry(
        tmp_path / "ecr-registry", names=(ECR_HOST,), ca=test_ca, extra_htpasswd=[("AWS", ecr_password(moto_server))]
    )
    hosts = tmp_path / "hosts"
    address = ecr_address(tf_version)
    hosts.write_text(f"127.0.0.1 localhost\n::1 localhost\n{address} {ECR_HOST}\n")
    with stand_in, Forwarder((address, 443), ("127.0.0.1", stand_in.port)):
        stand_in.push_helm_chart("bundle/charts/nginx", "nginx", "1.2.3")
        env = {**palette_env(clean_emulator, preflight="plan"), **moto_server.env()}
        terraform = MirrorTerraform(tf_version, tmp_path / "tf", mirror.url, ca_file, env, hosts_file=hosts)
        main_tf = terraform.work / "main.tf"
        main_tf.write_text(ecr_helm_tf("AKIAUNKNOWN000000000", "not-a-secret-of-moto", test_ca.cert_pem))
        terraform.ok("init", "-no-color")

        # An unknown key: moto's InvalidClientTokenId reaches the preflight's own message, through
        # botocore's STS/ECR models, endpoint rules and error parsing, all inside the bundle.
        refused = terraform.run("plan", "-no-color")
        output = " ".join((refused.stdout + refused.stderr).split())
        assert refused.returncode == 1, output
        assert "AWS does not know the access key" in output and "InvalidClientTokenId" in output, output

        # The IAM user's keys: an ECR token, the registry API with it, the repository list: a clean plan.
        main_tf.write_text(ecr_helm_tf(keys.access_key_id, keys.secret_access_key, test_ca.cert_pem))
        passed = terraform.run("plan", "-no-color", "-detailed-exitcode")
        output = passed.stdout + passed.stderr
        assert passed.returncode == 2 and "Preflight" not in output, output
    assert clean_emulator.registries() == []


def test_the_filesystem_mirror_installs_the_same_package(
    tf_version: str, tmp_path: Path, release: ReleaseDir, ca_file: Path
) -> None:
    # Copied into the implied local mirror, ~/.terraform.d/plugins, as the release guide says: no CLI config at all.
    terraform = MirrorTerraform(tf_version, tmp_path / "tf", "https://127.0.0.1:9/", ca_file, {})
    terraform.cli_config.write_text("")
    shutil.copytree(release.path / "filesystem-mirror", terraform.home / ".terraform.d" / "plugins")
    (terraform.work / "main.tf").write_text(PROVIDER_BLOCK)
    terraform.ok("init", "-no-color")
    assert terraform.locked_hashes() == [hash_zip(release.package)]
    assert "The configuration is valid" in terraform.ok("validate", "-no-color")  # the bundle served its schema


def test_a_tampered_package_is_refused_by_init(
    tf_version: str,
    tmp_path: Path,
    release: ReleaseDir,
    test_ca: CertificateAuthority,
    ca_file: Path,
) -> None:
    # Another mirror: same index and version documents (same zh: hash), a package with other bytes.
    tampered_mirror = tmp_path / "mirror"
    shutil.copytree(release.network_mirror, tampered_mirror, copy_function=shutil.copyfile)
    package = tampered_mirror / MIRRORED / PACKAGE
    with zipfile.ZipFile(package, "a") as archive:
        archive.writestr("_internal/extra.py", b"print('not from the release')\n")
    assert json.loads((tampered_mirror / MIRRORED / f"{VERSION}.json").read_text()) == json.loads(
        (release.network_mirror / MIRRORED / f"{VERSION}.json").read_text()
    )
    with StaticHttps(tampered_mirror, test_ca) as server:
        terraform = MirrorTerraform(tf_version, tmp_path / "tf", server.url, ca_file, {})
        (terraform.work / "main.tf").write_text(PROVIDER_BLOCK)
        refused = terraform.run("init", "-no-color")
    output = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode == 1, output
    assert f'provider package doesn\'t match the expected checksum "zh:{sha256(release.package)}"' in output, output
    assert not (terraform.work / ".terraform" / "providers" / MIRRORED).exists()


# -- one lock file for a team: `terraform providers lock` over the release, every platform ------------

OTHER_TARGET = "darwin_arm64"  # a package made by the test: this machine cannot build it


@pytest.fixture(scope="session")
def two_platform_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of this machine's bundle and a stand-in package for another platform (`--add-package`,
    as the release workflow assembles the runners' zips)."""
    root = tmp_path_factory.mktemp("two-platforms")
    other = build_package(fake_bundle(root / "other"), VERSION, OTHER_TARGET, root / "zips")
    out = root / "release"
    command = [
        *(sys.executable, "-m", "release", "--snapshot", "--unsigned"),
        *("--bundle", str(cached_bundle()), "--add-package", str(other), "--out", str(out)),
    ]
    made = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert made.returncode == 0, made.stdout + made.stderr
    return out


LOCK_PLATFORMS = ("-platform=linux_amd64", f"-platform={OTHER_TARGET}")


def test_one_providers_lock_command_makes_a_lock_file_both_mirrors_accept(
    tf_version: str, tmp_path: Path, two_platform_release: Path, test_ca: CertificateAuthority, ca_file: Path
) -> None:
    """The team's one way (docs/guides/release-package-and-mirrors.md, "One lock file for a team"):
    `terraform providers lock -fs-mirror=<release>/filesystem-mirror -platform=...` once, committed; then
    `terraform init` on any machine, from the filesystem mirror or the network mirror, accepts it
    unchanged."""
    linux = two_platform_release / package_name(VERSION, TARGET)
    other = two_platform_release / package_name(VERSION, OTHER_TARGET)
    with StaticHttps(two_platform_release / "network-mirror", test_ca) as server:
        terraform = MirrorTerraform(tf_version, tmp_path / "tf", server.url, ca_file, {})
        (terraform.work / "main.tf").write_text(PROVIDER_BLOCK)
        terraform.ok("providers", "lock", "-no-color", f"-fs-mirror={two_platform_release / 'filesystem-mirror'}",
                     *LOCK_PLATFORMS)  # fmt: skip
        lock = (terraform.work / ".terraform.lock.hcl").read_text()
        # One h1: per platform, each what Terraform computes over that platform's package when it installs it.
        assert terraform.locked_hashes() == sorted([hash_zip(linux), hash_zip(other)]), lock

        terraform.ok("init", "-no-color")  # the network mirror (the CLI config's only source)
        assert (terraform.work / ".terraform.lock.hcl").read_text() == lock
        assert f"/{MIRRORED}/{package_name(VERSION, TARGET)}" in server.requests

    shutil.rmtree(terraform.work / ".terraform")
    terraform.cli_config.write_text(
        "provider_installation {\n"
        f'  filesystem_mirror {{\n    path    = "{two_platform_release / "filesystem-mirror"}"\n'
        f'    include = ["{MIRRORED}"]\n  }}\n'
        f'  direct {{\n    exclude = ["{MIRRORED}"]\n  }}\n'
        "}\n"
    )
    terraform.ok("init", "-no-color")
    assert (terraform.work / ".terraform.lock.hcl").read_text() == lock
    assert "The configuration is valid" in terraform.ok("validate", "-no-color")  # the bundle ran


# -- a host name the user controls: registry.corp.example/palette/oci from the network mirror ----------

OWN_SOURCE = "registry.corp.example/palette/oci"


def test_a_source_under_a_host_name_you_control_installs_from_the_network_mirror(
    tf_version: str,
    tmp_path: Path,
    release: ReleaseDir,
    test_ca: CertificateAuthority,
    ca_file: Path,
    clean_emulator: Emulator,
) -> None:
    """docs/guides/own-hostname.md: the release's network-mirror/ directory copied under the host name of
    the source (archive URLs are relative), the CLI config's network_mirror including it. Terraform asks
    that host name nothing (it does not resolve here): the mirror on 127.0.0.1 serves it. A state made
    under `palette/oci` moves over with `terraform state replace-provider` and plans no change."""
    mirror_root = tmp_path / "mirror"
    shutil.copytree(release.network_mirror, mirror_root)  # registry.terraform.io/palette/oci for the old state
    shutil.copytree(release.network_mirror / MIRRORED, mirror_root / OWN_SOURCE)
    helm = (
        '\nresource "oci_registry_helm" "charts" {\n  name     = "charts"\n'
        '  endpoint = "https://charts.example.com"\n}\n'
    )
    uid = clean_emulator.seed("basic", basic_registry("charts", "https://charts.example.com"))
    with StaticHttps(mirror_root, test_ca) as server:
        terraform = MirrorTerraform(tf_version, tmp_path / "tf", server.url, ca_file, palette_env(clean_emulator))
        terraform.cli_config.write_text(
            "provider_installation {\n"
            f'  network_mirror {{\n    url     = "{server.url}"\n    include = ["{OWN_SOURCE}", "{MIRRORED}"]\n  }}\n'
            f'  direct {{\n    exclude = ["{OWN_SOURCE}", "{MIRRORED}"]\n  }}\n'
            "}\n"
        )
        main_tf = terraform.work / "main.tf"
        main_tf.write_text(PROVIDER_BLOCK + helm)  # before: palette/oci, one registry in the state
        terraform.ok("init", "-no-color")
        terraform.ok("import", "-no-color", "oci_registry_helm.charts", uid)
        # The guide's order: the state first, while the configuration and the lock file still name palette/oci
        # (Terraform 1.15.5 reads a state only with the configuration's providers installed), then the source.
        terraform.ok("state", "replace-provider", "-no-color", "-auto-approve", MIRRORED, OWN_SOURCE)
        (terraform.work / ".terraform.lock.hcl").unlink()
        main_tf.write_text(PROVIDER_BLOCK.replace('"palette/oci"', f'"{OWN_SOURCE}"') + helm)
        # The guide's lock command for this mirror, then init against that lock file.
        terraform.ok("providers", "lock", "-no-color", f"-net-mirror={server.url}", "-platform=linux_amd64")
        locked = (terraform.work / ".terraform.lock.hcl").read_text()
        assert f'provider "{OWN_SOURCE}"' in locked and hash_zip(release.package) in locked, locked
        init = terraform.ok("init", "-no-color")
        assert f"Installed {OWN_SOURCE} v{VERSION}" in init, init
        assert (terraform.work / ".terraform.lock.hcl").read_text() == locked
        assert f"/{OWN_SOURCE}/{PACKAGE}" in server.requests
        plan = terraform.run("plan", "-no-color", "-detailed-exitcode")
    assert plan.returncode == 0, plan.stdout + plan.stderr  # the bundle read the registry: no change
    assert OWN_SOURCE in terraform.ok("providers", "-no-color")
    assert [r["uid"] for r in clean_emulator.registries()] == [uid]
