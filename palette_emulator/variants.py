"""Answers Palette may give where no evidence says which one it gives: the emulator plays each.

Every behaviour of the emulator carries its evidence in FIDELITY.md. Where there is none, the
behaviour is an assumption, and the emulator can be told to answer the other plausible way with
`--variant NAME[,NAME...]` (env PALETTE_EMULATOR_VARIANTS) or `PUT /emulator/variants`. The
provider's acceptance tests run the whole lifecycle against each variant, so a guess the emulator
and the provider share can never be the only thing that holds the provider up.

The default (no variant) is the answer the evidence makes most likely.
"""

from __future__ import annotations

from collections.abc import Iterable

VARIANTS: dict[str, str] = {
    "registry-type-upper": (
        'the summary\'s registryType and the entity\'s type spelled "ECR" and "Basic" (Spectro\'s import '
        "code lower-cases them before use, so both spellings exist)"
    ),
    "sync-in-status-only": "registry answers carry isSyncSupported in status.syncStatus only, not in spec",
    "sync-in-spec-only": "registry answers carry isSyncSupported in spec only, not in status.syncStatus",
    "no-status": "registry answers carry no status block at all",
    "no-tls": "registry answers leave the TLS block out when it holds only defaults",
    "mask-empty": 'stored secrets answered as "" instead of a partial mask',
    "mask-stars": 'stored secrets answered as "******" whatever their length',
    "sync-words": (
        "a sync in progress spelled Pending (its first half) then Running instead of InProgress: words Spectro's "
        "wait lists, never seen in an answer"
    ),
    "sync-success-word": 'a successful sync spelled "Success" (Spectro\'s mock and its wait) instead of "Completed"',
    "scope-empty": "answers carry no scope",
    "extra-fields": "answers carry fields the swagger does not define",
    "names-not-unique": "a second registry may take a name already in use in the same scope",
    "put-merges": "a PUT keeps what its body omits instead of storing the zero value",
    "oci-by-uid-absent": (
        "GET /v1/registries/oci/{uid} is not served (404 NotFound, as an unknown path): the swagger has it, "
        "but no Spectro code calls it"
    ),
    "manual-sync-refused": (
        "a sync request on a registry whose automatic sync is off (or a Zarf registry) answers 400 instead of "
        "being accepted as the manual sync the docs describe"
    ),
    "validate-refuses-noauth-zarf": (
        "the validate endpoints answer 400 InvalidRequest for a basic registry without authentication and for a "
        "Zarf registry (Spectro's provider validates only registries that sync) instead of checking them"
    ),
    "ca-in-certificate": (
        "the OCI endpoints take a registry's CA from tls.certificate (without a key), where Spectro's OCI resource "
        "sends it and reads it back, and keep no tls.ca, instead of trusting tls.ca"
    ),
    "bad-key-403": "a missing or unknown API key answers 403 with a plain-text body instead of 401 Unauthorized",
    "bad-key-not-found": (
        "an unknown API key answers every call 404 ResourceNotFound, the key echoed in the message (as Spectro's "
        "SDK commit ed05432 implies), instead of 401 Unauthorized"
    ),
}


def parse(names: Iterable[str]) -> frozenset[str]:
    """The variant names in `names` (commas allowed), or ValueError naming the unknown ones."""
    wanted = {part.strip() for name in names for part in name.split(",") if part.strip()}
    unknown = sorted(wanted - VARIANTS.keys())
    if unknown:
        raise ValueError(f"unknown variant(s) {', '.join(unknown)}; known: {', '.join(VARIANTS)}")
    return frozenset(wanted)
