"""Settings of one emulator instance (filled from the command line and PALETTE_EMULATOR_* variables)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

DEFAULT_API_KEY = "emulator-api-key"

ValidateMode = Literal["contact", "accept"]


@dataclass(frozen=True)
class EmulatorConfig:
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    system_api_keys: tuple[str, ...] = ()
    db: str | None = None
    sync_delay: float = 1.0
    validate: ValidateMode = "contact"
    # Seconds the validate/sync checks wait for a registry or AWS before calling it unreachable.
    contact_timeout: float = 10.0
    # Answers Palette may give where the evidence is silent (variants.py); none: the likeliest.
    variants: frozenset[str] = frozenset()
