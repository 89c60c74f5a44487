"""What Terraform core checks of a provider's answers, over wire values (msgpack-decoded: blocks as lists,
`Unknown` for unknowns), for the schemas this provider declares (attributes and list blocks).

Written from Terraform's own rules (hashicorp/terraform, internal/plans/objchange):
- `proposed_new`: what Terraform sends as `proposed_new_state` (proposed.go, ProposedNew): the
  configuration, with computed attributes the configuration leaves null taken from the prior state.
- `plan_errors`: AssertPlanValid (plan_valid.go:38-380): a configured value is planned as configured
  (or as the prior value), a non-computed attribute the configuration leaves null is planned null, a
  write-only attribute is planned null, an unknown (`dynamic`) block is planned unknown, a known block
  is never planned unknown, and a planned block list has as many blocks as the configuration.
- `compatible_errors`: AssertObjectCompatible (compatible.go:29-136), used twice by Terraform: the plan
  made at apply against the plan shown at plan ("inconsistent final plan"), and the applied state
  against that final plan ("inconsistent result after apply"): every known planned value is kept; an
  unknown one may become anything; an unknown block may become any number of blocks.

Each error is "<path>: <what>", a path as Terraform prints it.
"""

from __future__ import annotations

from typing import Any

from tf.schema import Attribute, NestedBlock, Schema
from tf.types import Unknown

from provider.tfx import is_write_only


def _fields(schema: Schema | Any) -> tuple[dict[str, Attribute], dict[str, NestedBlock]]:
    """A resource's schema or a block's `Block`: both have `attributes` and `block_types`."""
    return {a.name: a for a in schema.attributes}, {b.type_name: b for b in schema.block_types}


def raw_equal(a: Any, b: Any) -> bool:
    """cty's RawEquals, deep: an unknown equals only an unknown; a bool is not a number."""
    if a is Unknown or b is Unknown:
        return a is b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(raw_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(raw_equal(x, y) for x, y in zip(a, b, strict=True))
    if _number(a) and _number(b):
        return bool(a == b)
    return type(a) is type(b) and bool(a == b)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def proposed_new(schema: Any, prior: dict[str, Any] | None, config: dict[str, Any]) -> dict[str, Any]:
    """ProposedNew for a resource whose blocks have no computed attributes (ours): blocks as configured."""
    attrs, blocks = _fields(schema)
    prior = prior or {}
    proposed: dict[str, Any] = {}
    for name, attr in attrs.items():
        value = config.get(name)
        proposed[name] = prior.get(name) if attr.computed and value is None else value
    for name in blocks:
        proposed[name] = config.get(name)
    return proposed


def plan_errors(schema: Any, prior: Any, config: Any, planned: Any, path: str = "") -> list[str]:
    """AssertPlanValid for an object (`schema` a resource's schema or a block's `Block`)."""
    if planned is None:
        return [f"{path or 'root'}: planned for absence but config wants existence"] if config is not None else []
    if config is None:
        return [f"{path or 'root'}: planned for existence but config wants absence"]
    attrs, blocks = _fields(schema)
    prior = prior or {}
    errors = []
    for name, attr in attrs.items():
        at = f"{path}.{name}" if path else name
        error = _attribute_plan_error(attr, prior.get(name), config.get(name), planned.get(name))
        if error:
            errors.append(f"{at}: {error}")
    for name, block in blocks.items():
        at = f"{path}.{name}" if path else name
        planned_v, config_v, prior_v = planned.get(name), config.get(name), prior.get(name)
        if planned_v is None:
            errors.append(f"{at}: a list of nested blocks must be empty to indicate no blocks, not null")
            continue
        if raw_equal(planned_v, config_v):
            continue
        if config_v is Unknown:
            if planned_v is not Unknown:
                errors.append(f"{at}: planned value {planned_v!r} for unknown dynamic block")
            continue
        if planned_v is Unknown:
            errors.append(f"{at}: planned unknown value for non-computed block")
            continue
        config_list = config_v or []
        if len(planned_v) != len(config_list):
            errors.append(f"{at}: block count in plan ({len(planned_v)}) disagrees with count in config")
            continue
        prior_list = prior_v if isinstance(prior_v, list) else []
        for index, (planned_e, config_e) in enumerate(zip(planned_v, config_list, strict=True)):
            if planned_e is Unknown:
                errors.append(f"{at}[{index}]: element representing nested block must not be unknown itself")
                continue
            prior_e = prior_list[index] if index < len(prior_list) else None
            errors += plan_errors(block.block, prior_e, config_e, planned_e, f"{at}[{index}]")
    return errors


def _attribute_plan_error(attr: Attribute, prior: Any, config: Any, planned: Any) -> str | None:
    if raw_equal(planned, config):
        return None
    if prior is not None and config is not None and raw_equal(planned, prior):
        return None  # the prior value kept as functionally equal to the configured one
    if is_write_only(attr):
        return "planned value for write-only attribute is not null" if planned is not None else None
    if attr.computed and not attr.optional:
        return None
    if config is None and attr.computed:
        return None
    if config is None:
        return f"planned value {planned!r} for a non-computed attribute"
    return f"planned value {planned!r} does not match config value {config!r} nor prior value {prior!r}"


def compatible_errors(schema: Any, planned: Any, actual: Any, path: str = "") -> list[str]:
    """AssertObjectCompatible: `actual` (a later plan, or the applied state) keeps every known value of
    `planned`."""
    if planned is None or actual is None:
        if (planned is None) != (actual is None):
            return [f"{path or 'root'}: was {'absent' if planned is None else 'present'}, but now is not"]
        return []
    attrs, blocks = _fields(schema)
    errors = []
    for name, attr in attrs.items():
        at = f"{path}.{name}" if path else name
        planned_v, actual_v = planned.get(name), actual.get(name)
        if planned_v is Unknown or raw_equal(planned_v, actual_v):
            continue
        shown = "(sensitive)" if attr.sensitive else f"{planned_v!r} -> {actual_v!r}"
        errors.append(f"{at}: planned value changed: {shown}")
    for name, block in blocks.items():
        at = f"{path}.{name}" if path else name
        planned_v, actual_v = planned.get(name), actual.get(name)
        if planned_v is Unknown or actual_v is Unknown or planned_v is None or actual_v is None:
            continue
        if len(planned_v) != len(actual_v):
            errors.append(f"{at}: block count changed from {len(planned_v)} to {len(actual_v)}")
            continue
        for index, (planned_e, actual_e) in enumerate(zip(planned_v, actual_v, strict=True)):
            errors += compatible_errors(block.block, planned_e, actual_e, f"{at}[{index}]")
    return errors


def unknowns(value: Any, path: str = "") -> list[str]:
    """Where `value` holds an unknown (an applied state must hold none)."""
    if value is Unknown:
        return [path or "root"]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in unknowns(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in unknowns(v, f"{path}[{i}]")]
    return []
