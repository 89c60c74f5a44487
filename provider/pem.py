"""PEM bundles of X.509 certificates, checked before anything trusts them."""

from __future__ import annotations

import re


def pem_problem(pem: str) -> str | None:
    if "-----BEGIN CERTIFICATE-----" not in pem:
        return "No PEM certificate found"
    from cryptography.x509 import load_pem_x509_certificates  # only when a CA is configured

    try:
        load_pem_x509_certificates(pem.encode())
    except ValueError as exc:
        return f"The PEM data does not parse as X.509 certificates ({exc})"
    leftover = re.sub(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----", "", pem, flags=re.S)
    if leftover.strip():
        return "The PEM bundle holds text that is not a certificate"
    return None
