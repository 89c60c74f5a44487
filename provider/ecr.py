"""AWS ECR hosts and blocks (stdlib only, pure): what rules, expand and preflight read of an ECR registry.

An ECR registry host is `<12-digit account>.dkr.ecr[-fips].<region>.amazonaws.com` (`.com.cn` in China);
Amazon ECR Public is `public.ecr.aws`, whose pulls need no credentials. An `ecr` block without
credentials describes a public registry (Palette's `isPrivate = false`).
"""

from __future__ import annotations

import re
from typing import Literal

from provider.registries.values import EcrValues

ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z]{2}(-[a-z]+)+-\d)\.amazonaws\.com(\.cn)?$"
)
PUBLIC_ECR_HOST = "public.ecr.aws"  # Amazon ECR Public: pulls need no credentials

ECR_CREDENTIALS: tuple[Literal["access_key_id", "secret_access_key", "secret_access_key_wo", "role_arn"], ...] = (
    "access_key_id",
    "secret_access_key",
    "secret_access_key_wo",
    "role_arn",
)


def ecr_region(endpoint: str) -> str | None:
    """The AWS region of an ECR registry host; None for any other endpoint."""
    match = ECR_HOST.match(endpoint)
    return match.group("region") if match else None


def ecr_is_public(ecr: EcrValues | None) -> bool:
    """An ecr block without credentials: a public registry (Palette's isPrivate = false)."""
    return ecr is not None and all(ecr.get(name) is None for name in ECR_CREDENTIALS)
