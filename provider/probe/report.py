"""The probe's report: one row per row of palette_emulator/FIDELITY.md, each confirmed, contradicted
(with the shape seen) or not observed, and the palette-emulator variants that answer as this tenant does.

Each row's verdict is a pure function of the shapes recorded (`shapes.Observations`). A row's claim
is the emulator's default answer; a shape a variant reproduces names that variant, so the user can
run `palette-emulator --variant ...` in their own CI and test against what their tenant answers.
`tests/unit/test_probe_report.py` fails when FIDELITY.md gains a row this table lacks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from provider.probe import shapes as s
from provider.probe.shapes import Observations

CONFIRMED = "confirmed"
CONTRADICTED = "contradicted"
NOT_OBSERVED = "not observed"


@dataclass(frozen=True)
class Verdict:
    verdict: str
    seen: str
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    number: int
    behaviour: str
    judge: Callable[[Observations], Verdict] = field(repr=False)


def _confirmed(seen: str) -> Verdict:
    return Verdict(CONFIRMED, seen)


def _not_observed(why: str) -> Verdict:
    return Verdict(NOT_OBSERVED, why)


def _contradicted(seen: str, *variants: str) -> Verdict:
    return Verdict(CONTRADICTED, seen, tuple(variants))


def _listed(shapes: Iterable[str]) -> str:
    return ", ".join(sorted(shapes))


WRITE_ONLY = "not observed without --write"


# The rows ----------------------------------------------------------------------------------------


def _paths(obs: Observations) -> Verdict:
    answered = obs.shapes(s.ANSWERED)
    missing = obs.shapes(s.PATHS_UNKNOWN)
    if missing:
        by_uid_only = all(m.startswith("GET /v1/registries/oci/{uid}:") for m in missing)
        return _contradicted(
            f"unknown to this Palette: {_listed(missing)}", *["oci-by-uid-absent"] if by_uid_only else []
        )
    return _confirmed(f"{len({a.rsplit(' ', 1)[0] for a in answered})} method and path pairs answered")


EXPECTED_SUCCESS = {"GET": "200", "PUT": "204", "DELETE": "204"}


def _codes(obs: Observations) -> Verdict:
    wrong = []
    seen = set()
    for answer in obs.shapes(s.ANSWERED):
        request, status = answer.rsplit(" ", 1)
        if not status.startswith("2"):
            continue
        method, path = request.split(" ", 1)
        expected = EXPECTED_SUCCESS.get(method, "")
        if method == "POST":
            expected = "204" if path.endswith("/validate") else "202" if path.endswith("/sync") else "201"
        seen.add(f"{method} {status}")
        if status != expected:
            wrong.append(f"{request} answered {status}, not {expected}")
    if wrong:
        return _contradicted("; ".join(sorted(wrong)))
    if not seen:
        return _not_observed("no answer recorded")
    return _confirmed(_listed(seen) + ("" if any(x.startswith("POST") for x in seen) else f"; writes {WRITE_ONLY}"))


def _not_found(obs: Observations) -> Verdict:
    found = obs.shapes(s.NOT_FOUND)
    wrong = sorted(
        f for f in found if f.startswith(("other family", "name as uid", "deleted")) and "ResourceNotFound" not in f
    )
    if wrong:
        return _contradicted("; ".join(wrong))
    if not any(f.startswith(("other family", "name as uid", "deleted")) for f in found):
        return _not_observed("no registry to ask for on the other family's path")
    return _confirmed(_listed(f for f in found if not f.startswith("unknown path")))


def _unknown_path(obs: Observations) -> Verdict:
    found = [f for f in obs.shapes(s.NOT_FOUND) if f.startswith("unknown path")]
    if not found:
        return _not_observed("not asked")
    if all(f.endswith("404 JSON code NotFound") for f in found):
        return _confirmed(found[0])
    return _contradicted(_listed(found))


def _tenant_level(obs: Observations) -> Verdict:
    if not any(a.startswith("GET /v1/registries/oci/summary 200") for a in obs.shapes(s.ANSWERED)):
        return _not_observed("the summary was not read")
    return _confirmed(
        "the summary answers in tenant context (no ProjectUid header); what a ProjectUid changes is not asked"
    )


def _scope(obs: Observations) -> Verdict:
    scopes = obs.shapes(s.SCOPE)
    if not scopes:
        return _not_observed("no registry answer")
    odd = scopes - {"tenant", "system"}
    if not odd:
        return _confirmed(f"scope {_listed(scopes)}")
    variants = ("scope-empty",) if odd <= {"absent", '""'} else ()
    return _contradicted(f"scope {_listed(scopes)}", *variants)


def _system_registry_change(obs: Observations) -> Verdict:
    return _not_observed("the probe never changes a registry it did not create")


BAD_KEY_VARIANTS = {"403 plain text": "bad-key-403", "404 JSON code ResourceNotFound": "bad-key-not-found"}


def _bad_key(obs: Observations) -> Verdict:
    answers = obs.shapes(s.BAD_KEY)
    if not answers:
        return _not_observed("no wrong key sent")
    answer = min(answers)
    if answer.startswith("401 "):
        return _confirmed(answer)
    return _contradicted(answer, *[v for shape, v in BAD_KEY_VARIANTS.items() if answer == shape])


MASK_VARIANTS = {"stars": "mask-stars", "empty": "mask-empty"}


def _masks(obs: Observations) -> Verdict:
    known = obs.shapes(s.MASK_KNOWN)
    seen = obs.shapes(s.MASK)
    if "clear" in known | seen:
        return _contradicted("a secret answered without any '*' (unmasked)")
    if known:
        form = min(known)
        if form == "partial":
            return _confirmed("abc***def for a 24-character secret" + (f"; all masks: {_listed(seen)}" if seen else ""))
        return _contradicted(
            f"{form} for a 24-character secret", *[MASK_VARIANTS[form]] if form in MASK_VARIANTS else []
        )
    if "empty" in seen:
        return _contradicted('"" for a password set with a username', "mask-empty")
    if "partial" in seen:
        return _confirmed(f"masks: {_listed(seen)}")
    return _not_observed("no secret of known length answered (--write creates one)")


def _registry_type(obs: Observations) -> Verdict:
    spellings = obs.shapes(s.SUMMARY_TYPE) | obs.shapes(s.ENTITY_TYPE)
    if not spellings:
        return _not_observed("no registry")
    if spellings <= {"basic", "ecr"}:
        return _confirmed(_listed(spellings))
    upper = spellings <= {"basic", "ecr", "Basic", "ECR"}
    return _contradicted(_listed(spellings), *["registry-type-upper"] if upper else [])


def _status_place(obs: Observations) -> Verdict:
    blocks = obs.shapes(s.STATUS_BLOCK)
    if not blocks:
        return _not_observed("no registry")
    if blocks <= {"summary: status.sync", "registry: status.syncStatus"}:
        return _confirmed(_listed(blocks))
    missing = {b for b in blocks if b.endswith("no status")}
    return _contradicted(
        _listed(blocks - {"summary: status.sync", "registry: status.syncStatus"}), *["no-status"] if missing else []
    )


def _sync_flag_meaning(obs: Observations) -> Verdict:
    seen = obs.shapes("write: isSyncSupported in sync/status")
    if not seen:
        return _not_observed(WRITE_ONLY)
    if seen == {"false while sync is off", "true once sync is on"}:
        return _confirmed(_listed(seen))
    return _contradicted(_listed(seen))


FLAG_VARIANTS = {
    "status only": "sync-in-status-only",
    "spec only": "sync-in-spec-only",
    "spec only (no status block)": "no-status",
}


def _sync_flag_places(obs: Observations) -> Verdict:
    places = obs.shapes(s.SYNC_FLAG)
    if not places:
        return _not_observed("no registry")
    if places == {"both"}:
        return _confirmed("both")
    odd = places - {"both"}
    return _contradicted(_listed(places), *sorted(FLAG_VARIANTS[p] for p in odd if p in FLAG_VARIANTS))


DEFAULT_SYNC_WORDS = frozenset({'""', "InProgress", "Completed", "Failed"})
# Each variant's words besides the default ones.
VARIANT_SYNC_WORDS = {"sync-words": frozenset({"Running", "Pending"}), "sync-success-word": frozenset({"Success"})}


def _sync_words(obs: Observations) -> Verdict:
    words = obs.shapes(s.SYNC_WORDS)
    if not words - {'""', "absent"}:
        return _not_observed("no sync seen" + ("" if obs.shapes("write: sync ended") else f"; {WRITE_ONLY}"))
    odd = words - DEFAULT_SYNC_WORDS - {"absent"}
    if not odd:
        return _confirmed(_listed(words))
    named = sorted(v for v, extra in VARIANT_SYNC_WORDS.items() if odd & extra)
    reproduced = odd <= frozenset().union(*(VARIANT_SYNC_WORDS[v] for v in named))
    return _contradicted(_listed(words), *named if reproduced else [])


def _sync_failure(obs: Observations) -> Verdict:
    ends = obs.shapes("write: sync ended")
    if not ends:
        return _not_observed(WRITE_ONLY)
    failed = {e for e in ends if e.startswith("failed")}
    if not failed:
        return _not_observed(f"no sync failed ({_listed(ends)})")
    if failed <= {"failed, with a message, registry kept"}:
        return _confirmed(_listed(failed))
    return _contradicted(_listed(failed))


def _write_step(
    topic: str, expected: str, *, variants: dict[str, str] | None = None
) -> Callable[[Observations], Verdict]:
    """A row decided by one write step whose expected shape is `expected`; `variants` names the
    variant that reproduces another shape."""

    def judge(obs: Observations) -> Verdict:
        seen = obs.shapes(topic)
        if not seen:
            return _not_observed(WRITE_ONLY)
        if seen == {expected}:
            return _confirmed(expected)
        odd = sorted(seen - {expected})
        return _contradicted(", ".join(odd), *sorted({(variants or {})[o] for o in odd if o in (variants or {})}))

    return judge


def _masked_put(obs: Observations) -> Verdict:
    """Without a registry to log in to, the probe can only compare masks: a secret overwritten by its
    own mask would be masked differently. Where the mask shows no character of the secret (`******`,
    `""`), an unchanged answer proves little, and the verdict says so."""
    verdict = _write_step("write: mask after a PUT carrying it", "unchanged")(obs)
    if verdict.verdict == CONFIRMED:
        weak = obs.shapes(s.MASK_KNOWN) - {"partial"}
        note = f" (a weak check: the mask is {_listed(weak)})" if weak else ""
        return _confirmed(f"the masked answer is the same after a PUT that carried it{note}")
    return verdict


def _packs(obs: Observations) -> Verdict:
    seen = obs.shapes(s.PACK_SYNC)
    if not seen:
        return _not_observed("no Packs registry")
    return (
        _confirmed("every Packs registry syncs")
        if seen == {"syncing"}
        else _contradicted("a Packs registry without sync")
    )


def _zarf(obs: Observations) -> Verdict:
    tenant = obs.shapes(s.ZARF) - {"basic, not syncing"}
    created = obs.shapes("write: Zarf registry with sync")
    if tenant or (created and created != {"refused 400"}):
        return _contradicted(_listed(tenant | (created - {"refused 400"})))
    if created:
        return _confirmed("a Zarf registry with sync is refused (400); ECR for Zarf not tried")
    return _not_observed(f"{WRITE_ONLY}; no Zarf registry syncs or lives on ECR here")


def _legacy(obs: Observations) -> Verdict:
    return _not_observed("only a Helm registry made before Palette 4.5.0 shows it; the probe cannot make one")


def _tls_block(obs: Observations) -> Verdict:
    seen = obs.shapes(s.TLS)
    if not seen:
        return _not_observed("no registry")
    ca = obs.shapes(s.CA_FIELD)
    note = f"; CA field: {_listed(ca)}" if ca else ""
    if not any(x.endswith(": none") for x in seen):
        return _confirmed(_listed(seen) + note)
    return _contradicted(_listed(seen) + note, "no-tls")


KNOWN_AUTH = frozenset({"basic", "noAuth", "token"})
KNOWN_CREDENTIALS = frozenset({"secret", "sts", "pod-identity"})


def _auth_words(obs: Observations) -> Verdict:
    auth, credentials = obs.shapes(s.AUTH_TYPE), obs.shapes(s.CREDENTIAL_TYPE)
    if not auth | credentials:
        return _not_observed("no registry")
    odd = (auth - KNOWN_AUTH) | (credentials - KNOWN_CREDENTIALS)
    seen = f"auth.type {_listed(auth) or 'none'}; credentialType {_listed(credentials) or 'none'}"
    return _contradicted(seen) if odd else _confirmed(seen)


def _ecr_private(obs: Observations) -> Verdict:
    seen = obs.shapes(s.ECR_PRIVATE)
    if not seen:
        return _not_observed("no ECR registry")
    if seen <= {"private", "public without credentials"}:
        return _confirmed(_listed(seen))
    return _contradicted(_listed(seen - {"private", "public without credentials"}))


def _base_path(obs: Observations) -> Verdict:
    written = obs.shapes("write: basePath after create")
    if written:
        return _confirmed("answered") if written == {"answered"} else _contradicted(_listed(written))
    return _confirmed("answered") if obs.shapes(s.BASE_PATH) else _not_observed(WRITE_ONLY)


def _validate(obs: Observations) -> Verdict:
    """The unreachable registry must be judged (RegistryValidationFailed); a no-auth body of the same registry
    judged too (or accepted), not refused as a request (variant validate-refuses-noauth-zarf)."""
    verdict = _write_step("write: validate of an unreachable registry", "refused 400 RegistryValidationFailed")(obs)
    no_auth = obs.shapes("write: validate, no auth, sync off")
    judged = {"refused 400 RegistryValidationFailed", "accepted"}
    if verdict.verdict != CONFIRMED or no_auth <= judged:
        return verdict
    refused_as_request = all(a.startswith("refused 400") for a in no_auth)
    return _contradicted(
        f"no-auth body: {_listed(no_auth)}", *["validate-refuses-noauth-zarf"] if refused_as_request else []
    )


def _request_bodies(obs: Observations) -> Verdict:
    return _not_observed("the probe sends only what the provider sends")


def _extra_fields(obs: Observations) -> Verdict:
    fields = obs.shapes(s.UNKNOWN_FIELDS)
    if not obs.shapes(s.DECODE):
        return _not_observed("no answer read")
    if not fields:
        return _confirmed("no field outside the swagger")
    shown = sorted(fields)
    return _contradicted(
        ", ".join(shown[:12]) + (f" and {len(shown) - 12} more" if len(shown) > 12 else ""), "extra-fields"
    )


def _faults(obs: Observations) -> Verdict:
    return _not_observed("test aids, not Palette behaviours")


def _key_proof(obs: Observations) -> Verdict:
    """The call the provider proves its key with before it believes a not-found. A 403 contradicts the row but
    not the provider, which then proves the key by the registry summary."""
    answers = obs.shapes(s.KEY_PROOF)
    if not answers:
        return _not_observed("the key proof was not made")
    answer = min(answers)
    if answer == "200":
        return _confirmed("200 for this key")
    return _contradicted(answer)


def _sync_endpoint(obs: Observations) -> Verdict:
    forced = obs.shapes("write: forced sync of a syncing registry")
    off = obs.shapes("write: sync of a registry that does not sync")
    if not forced | off:
        return _not_observed(WRITE_ONLY)
    if forced == {"202, a new run"} and off == {"accepted"}:
        return _confirmed("forceSync=true: 202 and a new run; on a registry that does not sync: accepted (manual)")
    sent = f"forceSync=true: {_listed(forced) or 'not sent'}"
    refusing = forced == {"202, a new run"} and off == {"refused 400"}
    return _contradicted(
        f"{sent}; on a registry that does not sync: {_listed(off) or 'not sent'}",
        *["manual-sync-refused"] if refusing else [],
    )


ROWS: tuple[Row, ...] = (
    Row(1, "the registry paths exist", _paths),
    Row(2, "status codes: create 201, update/delete/validate 204, sync 202, reads 200", _codes),
    Row(3, "not found is 404 ResourceNotFound (other family's path, a name as uid)", _not_found),
    Row(4, "an unknown path is 404 NotFound", _unknown_path),
    Row(5, "registries are tenant-level", _tenant_level),
    Row(6, "answers carry scope tenant or system", _scope),
    Row(7, "a tenant key changing a system registry: 403", _system_registry_change),
    Row(8, "a wrong API key: 401 Unauthorized", _bad_key),
    Row(9, "secrets masked abc***xyz (12+ characters), ****** (shorter)", _masks),
    Row(10, "registryType and type spelled basic / ecr", _registry_type),
    Row(11, "status in status.sync (summary) and status.syncStatus (registry)", _status_place),
    Row(12, "status.syncStatus.isSyncSupported says whether sync is on", _sync_flag_meaning),
    Row(13, "isSyncSupported in both spec and status.syncStatus", _sync_flag_places),
    Row(14, 'sync words: "", InProgress, Completed, Failed', _sync_words),
    Row(15, "a failed sync is reported in the status; nothing is undone", _sync_failure),
    Row(16, "a create or update with sync on starts a sync", _write_step("write: sync after update", "a run started")),
    Row(
        17,
        "sync needs a non-empty baseContentPath (400)",
        _write_step("write: sync on without baseContentPath", "refused 400"),
    ),
    Row(18, "sync cannot be turned off by an update (400)", _write_step("write: sync off after on", "refused 400")),
    Row(19, "Packs registries always sync", _packs),
    Row(20, "Zarf registries refuse sync and ECR (400)", _zarf),
    Row(21, "a Helm registry made before Palette 4.5.0 takes sync on and does not sync", _legacy),
    Row(
        22,
        "registry names are unique in a scope (409)",
        _write_step("write: second create of one name", "refused 409", variants={"created": "names-not-unique"}),
    ),
    Row(
        23,
        "a PUT stores the zero value for what it omits",
        _write_step("write: basePath after a PUT omitting it", "zeroed", variants={"kept": "put-merges"}),
    ),
    Row(24, "a PUT carrying a secret as GET masked it keeps the secret", _masked_put),
    Row(25, "basic answers carry spec.auth.tls, ECR spec.tls", _tls_block),
    Row(26, "auth.type basic/noAuth/token; credentialType secret/sts/pod-identity", _auth_words),
    Row(27, "ECR isPrivate answered; false goes without credentials", _ecr_private),
    Row(28, "basePath is stored and answered", _base_path),
    Row(29, "validate contacts the registry (no-auth bodies too); failure is 400 RegistryValidationFailed", _validate),
    Row(30, "request fields outside the swagger are dropped", _request_bodies),
    Row(31, "answers carry only the swagger's fields", _extra_fields),
    Row(
        32,
        "metadata.annotations survive create and update",
        _write_step("write: annotations", "kept on create and update"),
    ),
    Row(33, "faults (test aids)", _faults),
    Row(34, "sync: forceSync starts a new run (202); a registry that does not sync: accepted", _sync_endpoint),
    Row(35, "GET /v1/dashboard/projects/metadata proves the key (200)", _key_proof),
    Row(
        36,
        "a CA sent in tls.ca (and tls.certificate) is kept and answered in tls.ca",
        _write_step(
            "write: CA field after create",
            "tls.ca and tls.certificate",
            variants={"tls.certificate only": "ca-in-certificate"},
        ),
    ),
)


# The report ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    version: str
    wrote: bool
    verdicts: tuple[tuple[Row, Verdict], ...]
    shapes: dict[str, dict[str, int]]

    @property
    def variants(self) -> list[str]:
        """The emulator variants that answer as this tenant does (known to this emulator only; every
        one a row names where the emulator is not installed)."""
        known = _emulator_variants()
        found = {v for _, verdict in self.verdicts for v in verdict.variants}
        return sorted(found) if known is None else [name for name in known if name in found]

    @property
    def unmatched(self) -> list[int]:
        """Rows contradicted by a shape no variant reproduces yet."""
        known = _emulator_variants()
        return [
            row.number
            for row, verdict in self.verdicts
            if verdict.verdict == CONTRADICTED
            and not (set(verdict.variants) if known is None else set(verdict.variants) & known.keys())
        ]

    def to_json(self) -> dict[str, object]:
        return {
            "probe": f"terraform-provider-oci {self.version}",
            "write": self.wrote,
            "rows": [
                {
                    "row": row.number,
                    "behaviour": row.behaviour,
                    "verdict": verdict.verdict,
                    "seen": verdict.seen,
                    "variants": list(verdict.variants),
                }
                for row, verdict in self.verdicts
            ],
            "variants": self.variants,
            "unmatched_rows": self.unmatched,
            "shapes": self.shapes,
        }

    def json_text(self) -> str:
        return json.dumps(self.to_json(), indent=2) + "\n"

    def text(self) -> str:
        mode = "with --write: one scratch registry, created and deleted" if self.wrote else "read-only"
        lines = [
            f"terraform-provider-oci {self.version} probe ({mode}): this tenant against palette_emulator/FIDELITY.md",
            "",
        ]
        for row, verdict in self.verdicts:
            lines.append(f"{row.number:>3}  {verdict.verdict:<13} {row.behaviour}")
            lines.append(f"     {'':<13} seen: {verdict.seen}")
        lines.append("")
        if self.variants:
            lines.append(f"Variants that answer as this tenant: palette-emulator --variant {','.join(self.variants)}")
        else:
            lines.append("Variants that answer as this tenant: none (the emulator's defaults)")
        if self.unmatched:
            rows = ", ".join(str(n) for n in self.unmatched)
            lines.append(f"Contradicted with no variant to reproduce it yet: row(s) {rows} (please report them)")
        lines += ["", "Shapes met (counts):"]
        for topic, counts in self.shapes.items():
            lines.append(f"  {topic}: " + ", ".join(f"{shape} x{n}" for shape, n in counts.items()))
        return "\n".join(lines) + "\n"


def _emulator_variants() -> dict[str, str] | None:
    """palette-emulator's variants, or None where it is not installed: the release package leaves the
    emulator out, and the probe there reports the variants its rows name, unchecked."""
    try:
        from palette_emulator.variants import VARIANTS
    except ImportError:
        return None
    return VARIANTS


def build(obs: Observations, version: str, wrote: bool) -> Report:
    return Report(version, wrote, tuple((row, row.judge(obs)) for row in ROWS), obs.to_json())
