"""AWS ECR through boto3: the credentials Palette would use, an authorization token, the repositories.

Static keys are used as given. For a role, this machine's own AWS credentials (environment,
profile, instance role: boto3's usual chain) call `sts:AssumeRole` with the external id, as
Palette does with its own. Only read calls: sts:AssumeRole, ecr:GetAuthorizationToken,
ecr:DescribeRepositories. boto3 is imported when an ECR check runs, never before; it honours
`AWS_ENDPOINT_URL`, which is how tests point it at moto.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from typing import Any

from provider.preflight.findings import (
    ECR_ACCESS_KEY_ID,
    ECR_BLOCK,
    ECR_ROLE_ARN,
    ECR_SECRET_ACCESS_KEY,
    OFF_HINT,
    Failed,
    Skipped,
    error,
    warning,
)
from provider.preflight.registry import Credentials, Deadline
from provider.problems import Problem

SESSION_NAME = "palette-oci-preflight"
MAX_PAGES = 5  # of 1000 repositories each: enough to find a prefix, bounded in time
_UNKNOWN_KEY = ("InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId")
# SignatureDoesNotMatch: query-protocol services (STS); InvalidSignatureException: JSON-protocol ones (ECR).
_BAD_SIGNATURE = ("SignatureDoesNotMatch", "IncompleteSignature", "InvalidSignatureException")
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation")


class EcrAccess:
    def __init__(self, ecr: dict[str, Any], region: str, deadline: Deadline, secrets: list[str]):
        self.ecr = ecr
        self.region = region
        self.deadline = deadline
        self.secrets = secrets
        self.uses_role = bool(ecr.get("role_arn"))
        self._client: Any = None

    @property
    def credential_path(self) -> tuple[str, ...]:
        return ECR_ROLE_ARN if self.uses_role else ECR_ACCESS_KEY_ID

    def registry_credentials(self) -> Credentials:
        """Basic credentials for the registry API, from ecr:GetAuthorizationToken."""
        answer = self._call("ecr:GetAuthorizationToken", self._ecr().get_authorization_token)
        try:
            token = answer["authorizationData"][0]["authorizationToken"]
            username, _, password = base64.b64decode(token).decode().partition(":")
        except (KeyError, IndexError, TypeError, ValueError, binascii.Error):
            raise Failed(
                error(self.credential_path, "Unusable ECR authorization token", "AWS answered without a usable token.")
            ) from None
        self.secrets.extend((token, password))
        return Credentials(
            username,
            password,
            path=self.credential_path,
            denied_path=self.credential_path,
            source="the authorization token from ecr:GetAuthorizationToken",
        )

    def repositories(self) -> list[str]:
        """Every repository name in the registry (up to MAX_PAGES pages)."""
        names: list[str] = []
        request: dict[str, Any] = {"maxResults": 1000}
        for _ in range(MAX_PAGES):
            page = self._call("ecr:DescribeRepositories", self._ecr().describe_repositories, listing=True, **request)
            names.extend(str(repo["repositoryName"]) for repo in page.get("repositories", []))
            if not page.get("nextToken"):
                break
            request["nextToken"] = page["nextToken"]
        return names

    # ------------------------------------------------------------------------ boto3

    def _ecr(self) -> Any:
        if self._client is None:
            self._client = self._session().client("ecr", region_name=self.region, config=self._config())
        return self._client

    def _session(self) -> Any:
        import boto3

        if not self.uses_role:
            return boto3.session.Session(
                aws_access_key_id=self.ecr.get("access_key_id") or "",
                aws_secret_access_key=self.ecr.get("secret_access_key") or "",
                region_name=self.region,
            )
        sts = boto3.session.Session(region_name=self.region).client("sts", config=self._config())
        request = {"RoleArn": self.ecr["role_arn"], "RoleSessionName": SESSION_NAME, "DurationSeconds": 900}
        if self.ecr.get("external_id"):
            request["ExternalId"] = self.ecr["external_id"]
        keys = self._call("sts:AssumeRole", sts.assume_role, **request)["Credentials"]
        self.secrets.extend((keys["SecretAccessKey"], keys["SessionToken"]))
        return boto3.session.Session(
            aws_access_key_id=keys["AccessKeyId"],
            aws_secret_access_key=keys["SecretAccessKey"],
            aws_session_token=keys["SessionToken"],
            region_name=self.region,
        )

    def _config(self) -> Any:
        from botocore.config import Config

        timeout = self.deadline.next_timeout()
        # One retry at most (total_max_attempts counts the first call too): no retry storm.
        return Config(
            connect_timeout=timeout, read_timeout=timeout, retries={"total_max_attempts": 2, "mode": "standard"}
        )

    def _call(self, action: str, call: Callable[..., Any], listing: bool = False, **request: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        self.deadline.next_timeout()  # raises BudgetSpent when nothing is left
        try:
            return call(**request)
        except NoCredentialsError:
            raise Skipped(self._no_credentials()) from None
        except ClientError as exc:
            code, message = error_code(exc.response)
            if listing:
                raise Skipped(listing_failure(code, message, self.credential_path)) from None
            raise Failed(aws_failure(action, code, message, self.ecr)) from None
        except BotoCoreError as exc:
            raise Failed(
                error(
                    ECR_BLOCK,
                    "Cannot reach AWS",
                    f"AWS {action} in {self.region} failed before AWS answered: {exc.__class__.__name__}. Check "
                    f"this machine's network access to AWS. {OFF_HINT}",
                )
            ) from None

    def _no_credentials(self) -> Problem:
        return warning(
            ECR_ROLE_ARN,
            "Role not checked: no AWS credentials here",
            "This machine has no AWS credentials (environment, profile or instance role) to call sts:AssumeRole "
            "with, so the role, the registry's credentials and its content were not checked. Palette assumes the "
            "role with its own AWS account; the apply goes on.",
        )


def error_code(response: Mapping[str, Any]) -> tuple[str, str]:
    """AWS's error code and message.

    An error body botocore cannot parse leaves the HTTP status as the code and the body as the
    message; when that body is the query protocol's XML error (`<Code>`, `<Message>`), the code is
    read from it. AWS's own ECR answers JSON, but AWS-compatible endpoints do not always: moto (5.2)
    answers the authentication errors of JSON-protocol services such as ECR in XML, which is how the
    tests meet it. Kept on purpose (issue 13 looked at removing it): without it an unknown key or a
    wrong secret from such an endpoint is a bare "403" instead of the finding that names the attribute."""
    details = response.get("Error", {})
    code, message = str(details.get("Code", "Error")), str(details.get("Message", ""))
    if code.isdigit():
        embedded_code = re.search(r"<Code>([^<]+)</Code>", message)
        embedded_message = re.search(r"<Message>([^<]*)</Message>", message)
        if embedded_code:
            code, message = embedded_code.group(1), embedded_message.group(1) if embedded_message else ""
    return code, message


def aws_failure(action: str, code: str, message: str, ecr: dict[str, Any]) -> Problem:
    """The error finding for an AWS error code, at the attribute that fixes it."""
    said = f"AWS {action} failed with {code}" + (f": {message}" if message else "")
    if action == "sts:AssumeRole":
        return _assume_role_failure(said, code, str(ecr.get("role_arn")))
    if code in _UNKNOWN_KEY:
        return error(ECR_ACCESS_KEY_ID, "AWS does not know the access key", f"{said}. Check ecr.access_key_id.")
    if code in _BAD_SIGNATURE:
        return error(
            ECR_SECRET_ACCESS_KEY,
            "AWS rejected the secret access key",
            f"{said}. ecr.secret_access_key does not belong to ecr.access_key_id.",
        )
    path = ECR_ROLE_ARN if ecr.get("role_arn") else ECR_ACCESS_KEY_ID
    if code in _DENIED:
        return error(
            path,
            f"Not allowed to call {action}",
            f"{said}. Allow {action} (and the other read actions Palette's guide lists) in the IAM policy of "
            "the user or role.",
        )
    return error(path, "AWS refused the ECR credentials", f"{said}.")


def _assume_role_failure(said: str, code: str, role_arn: str) -> Problem:
    if code in _UNKNOWN_KEY + _BAD_SIGNATURE + ("ExpiredToken", "ExpiredTokenException"):
        return error(
            ECR_ROLE_ARN,
            "This machine's AWS credentials were rejected",
            f"{said}. Preflight assumes {role_arn} with this machine's own AWS credentials (environment, "
            f'AWS_PROFILE or instance role), and AWS rejected them. Fix them, or set preflight = "off".',
        )
    if code in _DENIED:
        return error(
            ECR_ROLE_ARN,
            "AWS refused to assume the role",
            f"{said}. Check that {role_arn} exists, that its trust policy admits the caller, and that "
            "ecr.external_id matches its sts:ExternalId condition. If the trust policy admits only Palette's "
            'AWS account, this machine cannot assume the role: set preflight = "off".',
        )
    return error(ECR_ROLE_ARN, "Cannot assume the role", f"{said}.")


def listing_failure(code: str, message: str, path: tuple[str, ...]) -> Problem:
    said = f"AWS ecr:DescribeRepositories failed with {code}" + (f": {message}" if message else "")
    return warning(
        path,
        "Cannot list the ECR repositories",
        f"{said}. Palette lists repositories to synchronize the registry: allow ecr:DescribeRepositories in the "
        "IAM policy. The content under base_content_path was not checked.",
    )
