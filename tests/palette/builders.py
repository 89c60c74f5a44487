"""Registry models as the Terraform layer would build them, for the client's tests.

Endpoints are on 127.0.0.1 and synchronization is off unless asked for: the emulator contacts a
registry only to validate or sync it, and tests never leave this machine."""

from __future__ import annotations

from provider.palette.models import (
    AwsCloudAccount,
    AwsStsCredentials,
    BasicOciRegistry,
    BasicOciRegistrySpec,
    EcrRegistry,
    EcrRegistrySpec,
    ObjectMeta,
    RegistryAuth,
    TlsConfiguration,
)

ECR_ENDPOINT = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def basic(
    name: str,
    endpoint: str = "http://127.0.0.1:1",
    *,
    username: str = "robot$ci",
    password: str = "Harbor-Pa55word-secret",
    provider_type: str = "helm",
    base_content_path: str = "charts",
    sync: bool = False,
) -> BasicOciRegistry:
    auth = RegistryAuth(
        type="basic" if username else "noAuth",
        username=username or None,
        password=password if username else None,
        tls=TlsConfiguration(enabled=endpoint.startswith("https"), insecure_skip_verify=False),
    )
    return BasicOciRegistry(
        metadata=ObjectMeta(name=name),
        spec=BasicOciRegistrySpec(
            endpoint=endpoint,
            auth=auth,
            base_content_path=base_content_path,
            provider_type=provider_type,
            is_sync_supported=sync,
        ),
    )


def ecr_keys(name: str, *, secret_key: str = "Aws-Secret-Key-0123456789") -> EcrRegistry:
    return EcrRegistry(
        metadata=ObjectMeta(name=name),
        spec=EcrRegistrySpec(
            endpoint=ECR_ENDPOINT,
            is_private=True,
            default_region="us-east-1",
            base_content_path="spectro-packs",
            provider_type="helm",
            is_sync_supported=False,
            credentials=AwsCloudAccount(credential_type="secret", access_key="AKIAEXAMPLE0001", secret_key=secret_key),
        ),
    )


def ecr_sts(name: str, *, role_arn: str = "arn:aws:iam::123456789012:role/palette-ecr") -> EcrRegistry:
    return EcrRegistry(
        metadata=ObjectMeta(name=name),
        spec=EcrRegistrySpec(
            endpoint=ECR_ENDPOINT,
            is_private=True,
            default_region="us-east-1",
            provider_type="helm",
            is_sync_supported=False,
            credentials=AwsCloudAccount(
                credential_type="sts", sts=AwsStsCredentials(arn=role_arn, external_id="palette-tenant-1")
            ),
        ),
    )
