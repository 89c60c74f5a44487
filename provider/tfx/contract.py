"""Terraform's contract with a provider, checked by us from the schema alone (package docstring, item 11).

terraform-plugin-framework refuses configuration of a computed-only attribute before any resource code
runs, and Terraform core checks every planned state against the prior state and the configuration
(`objchange.AssertPlanValid`) and every applied state against the plan (`objchange.AssertObjectCompatible`).
Core's checks end in "Provider produced invalid plan" / "inconsistent result after apply" after the fact,
when a registry may already exist in Palette and the resource is tainted. The same rules run here first,
on decoded values (dicts, `Unknown`, None), so that a violation is a diagnostic at the attribute, with the
two values, before Terraform sees it: at apply, before anything is sent to Palette where that is possible.

Pure functions over `tf`'s schema objects; no I/O, nothing heavy to import.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tf.schema import Attribute, NestedBlock
from tf.types import Unknown

from provider.tfx.schema import SingleNestedBlock, is_read_only, is_write_only, read_only_reason

# A place in an object: attribute and block names, and (index,) for an element of a list of blocks.
Step = str | tuple[int]
Path = tuple[Step, ...]
Attrs = Mapping[str, Attribute]
Blocks = Mapping[str, NestedBlock]

READ_ONLY_SUMMARY = "Invalid Configuration for Read-Only Attribute"  # plugin-framework's words, as users search them
DEFAULT_READ_ONLY_REASON = "the provider sets it, the configuration cannot"


@dataclass(frozen=True)
class Finding:
    """One breach of the contract: where, and what differs (values already shown safely)."""

    path: Path
    what: str


def dotted(path: Path) -> str:
    """A path as people read it: `tls.ca_certificate`, `items[0].name`."""
    text = ""
    for step in path:
        text += f"[{step[0]}]" if isinstance(step, tuple) else (f".{step}" if text else step)
    return text


def show(value: Any, sensitive: bool = False) -> str:
    """A value for a message: "(sensitive)" for a sensitive one, Terraform's words for null and unknown."""
    if value is None:
        return "null"
    if value is Unknown:
        return "(known after apply)"
    if sensitive:
        return "(sensitive)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        return "a block" if value else "an empty block"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------- the shape of a value


def _block_elements(block: NestedBlock, value: Any) -> list[tuple[Path, dict[str, Any]]] | None:
    """The objects of a block's value with their steps below the block: a single block's one object at no
    extra step, a list's at (index,). None when the value is unknown."""
    if value is Unknown:
        return None
    if value is None:
        return []
    if isinstance(block, SingleNestedBlock) or isinstance(value, dict):
        return [((), value)] if isinstance(value, dict) else []
    if isinstance(value, list | tuple | set | frozenset):
        return [(((i,),), v) for i, v in enumerate(value) if isinstance(v, dict)]
    return []


def _maps(block: NestedBlock) -> tuple[dict[str, Attribute], dict[str, NestedBlock]]:
    return {a.name: a for a in block.block.attributes}, {b.type_name: b for b in block.block.block_types}


def _has_unknown(value: Any) -> bool:
    if value is Unknown:
        return True
    if isinstance(value, dict):
        return any(_has_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_unknown(v) for v in value)
    return False


def same(a: Any, b: Any) -> bool:
    """Equal as Terraform compares values: unknown only equals unknown, numbers by value, collections by element."""
    if a is Unknown or b is Unknown:
        return a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    return bool(a == b)


def _completes(planned: Any, actual: Any) -> bool:
    """`actual` is a valid completion of `planned`: every known part of the plan is kept."""
    if planned is Unknown:
        return True
    if isinstance(planned, dict) and isinstance(actual, dict):
        return planned.keys() == actual.keys() and all(_completes(planned[k], actual[k]) for k in planned)
    if isinstance(planned, list | tuple) and isinstance(actual, list | tuple):
        return len(planned) == len(actual) and all(_completes(p, a) for p, a in zip(planned, actual, strict=True))
    return same(planned, actual)


# ---------------------------------------------------------------------------- read-only attributes


def read_only_findings(attrs: Attrs, blocks: Blocks, config: Mapping[str, Any] | None, at: Path = ()) -> list[Finding]:
    """Every computed-only attribute the configuration sets, nested blocks included. An unknown value counts as
    set (plugin-framework refuses it too): whatever it turns out to be, the provider would not use it."""
    findings: list[Finding] = []
    if not config:
        return findings
    for name, attr in attrs.items():
        value = config.get(name)
        if value is not None and is_read_only(attr):
            reason = read_only_reason(attr) or DEFAULT_READ_ONLY_REASON
            findings.append(Finding((*at, name), f"{dotted((*at, name))} is read-only: {reason}; remove it"))
    for name, block in blocks.items():
        for steps, element in _block_elements(block, config.get(name)) or []:
            findings.extend(read_only_findings(*_maps(block), element, (*at, name, *steps)))
    return findings


# ---------------------------------------------------------------------------- plan (objchange.AssertPlanValid)


def plan_findings(
    attrs: Attrs,
    blocks: Blocks,
    prior: Mapping[str, Any] | None,
    config: Mapping[str, Any] | None,
    planned: Mapping[str, Any] | None,
    at: Path = (),
) -> list[Finding]:
    """What Terraform core would refuse in a planned object: a configured value not kept (unless the plan keeps
    the prior value instead, Terraform's sign of an equivalent value), a value planned for an attribute that
    is neither configured nor computed, a write-only value that is not null, a block that is not as configured."""
    if planned is None or config is None:
        if (planned is None) != (config is None):
            wants = "absence" if config is None else "existence"
            return [Finding(at, f"the configuration wants {wants} of {dotted(at) or 'the object'}, the plan not")]
        return []
    findings: list[Finding] = []
    for name, attr in attrs.items():
        what = _planned_attribute(attr, (prior or {}).get(name), config.get(name), planned.get(name))
        if what:
            findings.append(Finding((*at, name), what))
    for name, block in blocks.items():
        findings.extend(
            _planned_block(block, (prior or {}).get(name), config.get(name), planned.get(name), (*at, name))
        )
    return findings


def _planned_attribute(attr: Attribute, prior: Any, config: Any, planned: Any) -> str | None:
    if same(planned, config):
        return None
    if prior is not None and config is not None and same(planned, prior):
        return None  # the provider keeps the prior value: it says the configured one is equivalent
    sensitive = bool(attr.sensitive)
    if is_write_only(attr):
        return None if planned is None else "a write-only attribute must be null in the plan, and is not"
    if attr.computed and (config is None or not attr.optional):
        return None  # the provider's to decide
    if config is None:
        return f"the configuration leaves it unset, but the plan has {show(planned, sensitive)}"
    kept = "" if prior is None else f" nor the prior value {show(prior, sensitive)}"
    return f"the configuration sets {show(config, sensitive)}, but the plan has {show(planned, sensitive)}{kept}"


def _planned_block(block: NestedBlock, prior: Any, config: Any, planned: Any, at: Path) -> list[Finding]:
    if same(planned, config):
        return []
    if config is Unknown:  # a `dynamic` block whose for_each is unknown: only Terraform may expand it
        return [
            Finding(
                at, f"its presence is unknown in the configuration (a dynamic block), but the plan has {show(planned)}"
            )
        ]
    planned_elements, config_elements = _block_elements(block, planned), _block_elements(block, config)
    if planned_elements is None or config_elements is None:
        return [Finding(at, "the block is unknown in the plan but configured")]
    if len(planned_elements) != len(config_elements):
        return [
            Finding(
                at,
                f"the configuration has {len(config_elements)} {block.type_name} block(s), "
                f"the plan {len(planned_elements)}",
            )
        ]
    prior_elements = dict(_block_elements(block, prior) or [])
    findings: list[Finding] = []
    for (steps, planned_element), (_, config_element) in zip(planned_elements, config_elements, strict=True):
        prior_element = prior_elements.get(steps)
        findings.extend(plan_findings(*_maps(block), prior_element, config_element, planned_element, (*at, *steps)))
    return findings


# ---------------------------------------------------------------------------- apply (objchange.AssertObjectCompatible)


def apply_findings(
    attrs: Attrs, blocks: Blocks, planned: Mapping[str, Any] | None, actual: Mapping[str, Any] | None, at: Path = ()
) -> list[Finding]:
    """What Terraform core would refuse in an applied object: a value that differs from a known planned one, a
    value still unknown, a write-only value that is not null, a block that appeared or vanished."""
    if planned is None or actual is None:
        where = dotted(at) or "the object"
        if planned is None and actual is not None:
            return [Finding(at, f"{where} was planned absent, and is present after apply")]
        if planned is not None and actual is None:
            return [Finding(at, f"{where} was planned present, and is absent after apply")]
        return []
    findings: list[Finding] = []
    for name, attr in attrs.items():
        what = _applied_attribute(attr, planned.get(name), actual.get(name))
        if what:
            findings.append(Finding((*at, name), what))
    for name, block in blocks.items():
        findings.extend(_applied_block(block, planned.get(name), actual.get(name), (*at, name)))
    return findings


def _applied_attribute(attr: Attribute, planned: Any, actual: Any) -> str | None:
    sensitive = bool(attr.sensitive)
    if is_write_only(attr) and actual is not None:
        return "a write-only attribute must be null in the state, and is not"
    if _has_unknown(actual):
        return "its value is still unknown after apply"
    if _completes(planned, actual):
        return None
    return f"the plan has {show(planned, sensitive)}, but the apply answered {show(actual, sensitive)}"


def _applied_block(block: NestedBlock, planned: Any, actual: Any, at: Path) -> list[Finding]:
    planned_elements, actual_elements = _block_elements(block, planned), _block_elements(block, actual)
    if actual_elements is None:
        return [Finding(at, "the block is still unknown after apply")]
    if planned_elements is None:  # an unknown block may become any number of blocks
        return [f for _, element in actual_elements for f in apply_findings(*_maps(block), element, element, at)]
    if len(planned_elements) != len(actual_elements):
        return [
            Finding(at, f"the plan has {len(planned_elements)} block(s), the apply answered {len(actual_elements)}")
        ]
    findings: list[Finding] = []
    for (steps, planned_element), (_, actual_element) in zip(planned_elements, actual_elements, strict=True):
        findings.extend(apply_findings(*_maps(block), planned_element, actual_element, (*at, *steps)))
    return findings


def identity_findings(planned: Mapping[str, Any] | None, actual: Mapping[str, Any] | None) -> Iterator[Finding]:
    """A planned identity (Terraform 1.12+) is kept by the apply: every known planned value unchanged."""
    if not planned:
        return
    for name, value in planned.items():
        if value is not None and value is not Unknown and not same(value, (actual or {}).get(name)):
            yield Finding(
                (),
                f"the planned identity has {name} = {show(value)}, the apply answered {show((actual or {}).get(name))}",
            )


# ---------------------------------------------------------------------------- the diagnostics


def refuse_read_only(diags: Any, findings: list[Finding]) -> None:
    """plugin-framework's summary, our reason and fix, at each attribute."""
    for finding in findings:
        diags.add_error(READ_ONLY_SUMMARY, f"{finding.what}.", path=list(finding.path))


def stop_plan(diags: Any, findings: list[Finding]) -> None:
    """A planned object Terraform would refuse: stopped here, where the attribute and its values can be named."""
    for finding in findings:
        name = dotted(finding.path) or "the object"
        diags.add_error(
            f"Plan for {name} refused by the provider's own check",
            f"{name}: {finding.what}. Terraform accepts a plan only if it keeps every configured value (core's "
            '"Provider produced invalid plan"), so the provider stopped this one before Terraform saw it; nothing '
            "was sent to Palette. The fault is in terraform-provider-oci, not in your configuration: report it "
            "with this message.",
            path=list(finding.path),
        )


def stop_apply(diags: Any, findings: list[Finding]) -> None:
    """A plan that reaches apply and breaks the rules (planned by something else, or a changed provider):
    stopped before the resource's code runs, so nothing is written."""
    for finding in findings:
        name = dotted(finding.path) or "the object"
        diags.add_error(
            f"Apply of {name} stopped before any change",
            f"{name}: {finding.what}. Terraform would reject the result of this apply, so the provider stopped it "
            "before sending anything to Palette. Run `terraform plan` again to make a new plan; if this repeats, "
            "report it to terraform-provider-oci with this message.",
            path=list(finding.path),
        )


def report_applied(diags: Any, findings: list[Finding], *, created: bool, uid: Any) -> None:
    """An applied object that differs from its plan. The write happened: the state keeps what Palette answered
    (the uid of a created object above all), and the message says what Terraform does next."""
    recorded = f" (id {uid})" if isinstance(uid, str) and uid else ""
    if created:
        after = (
            "Terraform marks a resource created with an error as tainted, so the next apply would replace it: to "
            'keep this one, run `terraform untaint <address>` with the resource\'s address from the "with" line '
            "above."
        )
    else:
        after = "The next `terraform plan` shows the difference."
    for finding in findings:
        name = dotted(finding.path) or "the object"
        diags.add_error(
            f"Applied {name} differs from the plan",
            f"{name}: {finding.what}. The change was made, and the state records the object as it now is"
            f"{recorded}. {after} Report this to terraform-provider-oci with this message: the plan should have "
            "said so.",
            path=list(finding.path),
        )
