"""A real `palette-emulator` process for tests, with helpers for its admin API.

    emu = Emulator(sync_delay=0.2).start()
    with emu.client() as palette:                      # ApiKey header set; answers checked vs swagger
        palette.post("/v1/registries/oci/basic", json=body)
    emu.set_variants(["registry-type-upper"])         # answer as Palette may (palette_emulator/variants.py)
    emu.client(api_key=emu.system_api_key)              # a system administrator
    emu.set_faults([{"path": "/oci/basic$", "kind": "status", "status": 503}])
    emu.registries()                                    # everything stored, secrets in clear
    emu.stop()

Every option of the command line is a constructor argument; `env` adds environment variables
for the process (e.g. `MotoServer.env()` so ECR checks reach moto).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import httpx

from .processes import ManagedProcess
from .swagger import check_response

READY_LINE = r"palette-emulator listening on (?P<url>https?://\S+)"


def emulator_command() -> list[str]:
    """The installed console script next to this interpreter, else `python -m palette_emulator`."""
    script = Path(sys.executable).with_name("palette-emulator")
    if script.exists():
        return [str(script)]
    found = shutil.which("palette-emulator")
    return [found] if found else [sys.executable, "-m", "palette_emulator"]


class Emulator:
    def __init__(
        self,
        *,
        api_keys: Sequence[str] = ("test-api-key",),
        system_api_keys: Sequence[str] = ("test-system-api-key",),
        variants: Sequence[str] = (),
        sync_delay: float = 0.2,
        validate: str = "contact",
        db: str | Path | None = None,
        tls_cert: str | Path | None = None,
        tls_key: str | Path | None = None,
        ca_pem: str | None = None,
        env: Mapping[str, str] | None = None,
        extra_args: Sequence[str] = (),
        start_timeout: float = 20.0,
    ) -> None:
        """`ca_pem` is the CA that signed `tls_cert`, so the helpers can trust the HTTPS emulator."""
        self.api_keys = tuple(api_keys)
        self.system_api_keys = tuple(system_api_keys)
        self.sync_delay = sync_delay
        self._argv = [
            *emulator_command(),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--sync-delay",
            str(sync_delay),
            "--validate",
            validate,
        ]
        self._argv += [arg for key in self.api_keys for arg in ("--api-key", key)]
        self._argv += [arg for key in self.system_api_keys for arg in ("--system-api-key", key)]
        self._argv += [arg for name in variants for arg in ("--variant", name)]
        if db is not None:
            self._argv += ["--db", str(db)]
        if tls_cert is not None and tls_key is not None:
            self._argv += ["--tls-cert", str(tls_cert), "--tls-key", str(tls_key)]
        self._argv += list(extra_args)
        self._env = dict(env or {})
        self._verify: Any = True
        if ca_pem is not None:
            import ssl

            self._verify = ssl.create_default_context(cadata=ca_pem)
        self._start_timeout = start_timeout
        self.process: ManagedProcess | None = None
        self.url = ""
        self._admin: httpx.Client | None = None

    # Lifecycle

    def start(self) -> Emulator:
        # The developer's own PALETTE_EMULATOR_* settings must not leak in: ours are all explicit.
        self.process = ManagedProcess.start(
            self._argv, name="palette-emulator", env=self._env, unset_env_prefixes=("PALETTE_EMULATOR_",)
        )
        self.url = self.process.wait_for_line(READY_LINE, self._start_timeout)["url"]
        self._admin = httpx.Client(base_url=self.url, timeout=30.0, verify=self._verify)
        return self

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> Emulator:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        assert self.process is not None, "start() the emulator first"
        return self.process.pid

    # Identities

    @property
    def api_key(self) -> str:
        """The first tenant API key."""
        return self.api_keys[0]

    @property
    def system_api_key(self) -> str:
        """The first system administrator's API key."""
        return self.system_api_keys[0]

    def client(
        self,
        *,
        api_key: str | None = None,
        check_swagger: bool = True,
        **kwargs: Any,
    ) -> httpx.Client:
        """An httpx client for the Palette API: ApiKey (default: the tenant key). With `check_swagger`,
        every answer is checked against the swagger (an AssertionError names the mismatch)."""
        headers = {"ApiKey": self.api_key if api_key is None else api_key, **kwargs.pop("headers", {})}
        hooks = {"response": [check_response]} if check_swagger else {}
        kwargs.setdefault("timeout", 30.0)
        kwargs.setdefault("verify", self._verify)
        return httpx.Client(base_url=self.url, headers=headers, event_hooks=hooks, **kwargs)

    # Admin API (/emulator/...)

    @property
    def _http(self) -> httpx.Client:
        assert self._admin is not None, "start() the emulator first"
        return self._admin

    def _admin_call(self, method: str, path: str, **kwargs: Any) -> Any:
        answer = self._http.request(method, path, **kwargs)
        if answer.is_error:
            raise AssertionError(f"{method} {path} -> {answer.status_code}: {answer.text}")
        return answer.json() if answer.content else None

    def health(self) -> bool:
        return self._http.get("/emulator/health").status_code == 200

    def reset(self) -> None:
        """Forget registries, the request log, counters, faults and unknown fields; no variant; the clock right."""
        self._admin_call("POST", "/emulator/reset")
        self.set_variants([])

    def set_variants(self, names: Sequence[str]) -> list[str]:
        """Answer as Palette may where the evidence is silent (palette_emulator/variants.py)."""
        return list(self._admin_call("PUT", "/emulator/variants", json={"active": list(names)})["active"])

    def set_clock_behind(self, seconds: float) -> None:
        """Stamp records by a clock `seconds` behind the Date header's (reset sets it right)."""
        self._admin_call("PUT", "/emulator/clock", json={"behind": seconds})

    def unknown_fields(self) -> list[str]:
        """Request body fields the swagger does not declare, as the emulator dropped them."""
        return list(self._admin_call("GET", "/emulator/unknown-fields")["items"])

    def add_faults(self, rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Add fault rules (see palette_emulator/faults.py); returns every active rule with its id."""
        return list(self._admin_call("POST", "/emulator/faults", json={"rules": list(rules)})["rules"])

    def set_faults(self, rules: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Replace the fault rules by `rules`."""
        self.clear_faults()
        return self.add_faults(rules)

    def faults(self) -> list[dict[str, Any]]:
        return list(self._admin_call("GET", "/emulator/faults")["rules"])

    def clear_faults(self) -> None:
        self._admin_call("DELETE", "/emulator/faults")

    def requests(self) -> list[dict[str, Any]]:
        """The /v1/ requests served so far: method, path, route, status, duration_ms, fault, project_uid."""
        return list(self._admin_call("GET", "/emulator/requests")["items"])

    def counters(self) -> dict[str, Any]:
        """{"total": n, "writes": n, "by_route": {"GET /v1/registries/oci/{uid}/basic": n, ...}}"""
        return dict(self._admin_call("GET", "/emulator/counters"))

    def registries(self) -> list[dict[str, Any]]:
        """Every stored registry, secrets in clear: uid, name, family, providerType, scope,
        legacy, spec, syncStatus, creationTimestamp, lastModifiedTimestamp."""
        return list(self._admin_call("GET", "/emulator/registries")["items"])

    def registry(self, uid: str) -> dict[str, Any] | None:
        return next((item for item in self.registries() if item["uid"] == uid), None)

    def seed(
        self,
        family: str,
        registry: Mapping[str, Any],
        *,
        scope: str = "tenant",
        legacy: bool = False,
    ) -> str:
        """Store a registry out of band (e.g. a system or legacy one) in `family` ("basic" or "ecr");
        returns its uid."""
        body = {"family": family, "registry": dict(registry), "scope": scope, "legacy": legacy}
        return str(self._admin_call("POST", "/emulator/registries", json=body)["uid"])

    def patch(self, uid: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Drift: deep-merge a partial spec into a stored registry (null removes a key)."""
        return dict(self._admin_call("PATCH", f"/emulator/registries/{uid}", json=dict(spec)))

    def delete_out_of_band(self, uid: str) -> None:
        self._admin_call("DELETE", f"/emulator/registries/{uid}")

    def change_family(self, uid: str, family: str, spec: Mapping[str, Any]) -> dict[str, Any]:
        """Drift no API allows: the registry moves to `family` ("basic" or "ecr") with `spec`, same uid."""
        body = {"family": family, "spec": dict(spec)}
        return dict(self._admin_call("PUT", f"/emulator/registries/{uid}/family", json=body))

    def end_sync(self, uid: str, status: str, message: str = "") -> dict[str, Any]:
        """The registry's latest sync ends now with `status` ("Success" or "Failed") and `message`."""
        body = {"status": status, "message": message}
        return dict(self._admin_call("PUT", f"/emulator/registries/{uid}/sync", json=body))


def basic_registry(
    name: str,
    endpoint: str,
    *,
    username: str = "",
    password: str = "",
    provider_type: str = "helm",
    base_content_path: str = "",
    sync: bool = False,
    ca_pem: str = "",
    insecure_skip_verify: bool = False,
) -> dict[str, Any]:
    """A v1BasicOciRegistry body (auth type basic when a username is given, else noAuth)."""
    auth: dict[str, Any] = (
        {"type": "basic", "username": username, "password": password} if username else {"type": "noAuth"}
    )
    auth["tls"] = {
        "enabled": bool(ca_pem) or endpoint.startswith("https"),
        "ca": ca_pem,
        "insecureSkipVerify": insecure_skip_verify,
    }
    spec = {
        "endpoint": endpoint,
        "auth": auth,
        "providerType": provider_type,
        "baseContentPath": base_content_path,
        "isSyncSupported": sync,
    }
    return {"metadata": {"name": name}, "spec": spec}


def ecr_registry(
    name: str,
    endpoint: str = "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    *,
    access_key: str = "",
    secret_key: str = "",
    role_arn: str = "",
    external_id: str = "",
    provider_type: str = "helm",
    base_content_path: str = "",
    sync: bool = False,
) -> dict[str, Any]:
    """A v1EcrRegistry body: static keys, or STS when `role_arn` is given."""
    if role_arn:
        credentials: dict[str, Any] = {"credentialType": "sts", "sts": {"arn": role_arn, "externalId": external_id}}
    else:
        credentials = {"credentialType": "secret", "accessKey": access_key, "secretKey": secret_key}
    spec = {
        "endpoint": endpoint,
        "isPrivate": True,
        "credentials": credentials,
        "providerType": provider_type,
        "baseContentPath": base_content_path,
        "isSyncSupported": sync,
    }
    return {"metadata": {"name": name}, "spec": spec}
