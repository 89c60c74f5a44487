"""moto's server as a stand-in for AWS (ECR and STS) in tests.

    moto = MotoServer(require_auth=True).start()
    moto.env()                      # AWS_* variables for a child process (endpoint + admin keys)
    keys = moto.create_user_with_keys("ci")          # AwsKeys(access_key_id, secret_access_key, arn)
    role = moto.create_role("palette-ecr", external_id="tenant-1")   # trust policy requires the id
    moto.stop()

By default moto accepts any keys. `require_auth=True` makes it check them like AWS does
(unknown key -> InvalidClientTokenId, wrong secret -> SignatureDoesNotMatch, a role's trust policy
and ExternalId condition -> AccessDenied): the harness first creates an administrator user while
moto still accepts anything, then switches authentication on (POST /moto-api/reset-auth 0).
`initial_no_auth_action_count=N` instead passes INITIAL_NO_AUTH_ACTION_COUNT=N to the server
(the first N actions go unchecked) and leaves the rest to you.

Trust policies in moto must name the assuming principal's exact ARN (or "*"): `create_role`
trusts the administrator user unless told otherwise.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .processes import ManagedProcess, free_port

ACCOUNT_ID = "123456789012"  # moto's default account
INSTALL_HINT = "install it with: pip install 'moto[server]' (it is in the project's test extras)"
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@dataclass(frozen=True)
class AwsKeys:
    access_key_id: str
    secret_access_key: str
    arn: str = ""


def moto_server_command() -> str:
    beside_python = Path(sys.executable).with_name("moto_server")
    found = str(beside_python) if beside_python.exists() else shutil.which("moto_server")
    if not found:
        raise RuntimeError(f"moto_server is not installed; {INSTALL_HINT}")
    return found


class MotoServer:
    def __init__(
        self,
        *,
        require_auth: bool = False,
        initial_no_auth_action_count: int | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.require_auth = require_auth
        self.initial_no_auth_action_count = initial_no_auth_action_count
        self.region = region
        self.port = 0
        self.process: ManagedProcess | None = None
        # Used for every call the harness makes; replaced by a real IAM user's keys once auth is on.
        self.admin = AwsKeys("AKIAMOTOANYKEY000000", "any-secret")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> MotoServer:
        self.port = free_port()
        env = {}
        if self.initial_no_auth_action_count is not None:
            env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.initial_no_auth_action_count)
        argv = [moto_server_command(), "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = ManagedProcess.start(argv, name="moto_server", env=env)
        self.process.wait_for_http(f"{self.url}/moto-api/", timeout)
        if self.require_auth:
            self.admin = self.create_user_with_keys("harness-admin")
            self._switch_auth_on()
        return self

    def _switch_auth_on(self) -> None:
        import httpx

        httpx.post(f"{self.url}/moto-api/reset-auth", content=b"0", timeout=10.0).raise_for_status()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()

    def __enter__(self) -> MotoServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self, keys: AwsKeys | None = None) -> dict[str, str]:
        """Environment for a child process whose boto3 should reach this server (admin keys by default)."""
        keys = keys or self.admin
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": keys.access_key_id,
            "AWS_SECRET_ACCESS_KEY": keys.secret_access_key,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_REGION": self.region,
            # Keep the developer's own AWS configuration out of the tests.
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def client(self, service: str, keys: AwsKeys | None = None) -> Any:
        """A boto3 client for this server (admin keys by default)."""
        import boto3

        keys = keys or self.admin
        return boto3.session.Session().client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id=keys.access_key_id,
            aws_secret_access_key=keys.secret_access_key,
        )

    def create_user_with_keys(self, name: str, policy: str = ALLOW_ALL) -> AwsKeys:
        """An IAM user with an inline policy (default: allow everything) and one access key."""
        iam = self.client("iam")
        arn = iam.create_user(UserName=name)["User"]["Arn"]
        iam.put_user_policy(UserName=name, PolicyName=f"{name}-policy", PolicyDocument=policy)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        return AwsKeys(key["AccessKeyId"], key["SecretAccessKey"], arn)

    def create_role(self, name: str, *, external_id: str | None = None, trusted_arn: str | None = None) -> str:
        """A role that `trusted_arn` (default: the admin user) may assume, only with `external_id` when given;
        it may do anything (ECR included). Returns the role ARN."""
        statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {"AWS": trusted_arn or self.admin.arn or "*"},
            "Action": "sts:AssumeRole",
        }
        if external_id is not None:
            statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
        iam = self.client("iam")
        trust = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        arn = str(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
        iam.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=ALLOW_ALL)
        return arn
