"""Settings of one emulator instance (filled from the command line and PALETTE_EMULATOR_* variables)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

DEFAULT_API_KEY = "emulator-api-key"
DEFAULT_PROJECT = "Default"

ValidateMode = Literal["contact", "accept"]


@dataclass(frozen=True)
class EmulatorConfig:
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    system_api_keys: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    db: str | None = None
    sync_delay: float = 1.0
    validate: ValidateMode = "contact"
    # Seconds the validate/sync checks wait for a registry or AWS before calling it unreachable.
    contact_timeout: float = 10.0
    project_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        names = (DEFAULT_PROJECT, *(p for p in self.projects if p != DEFAULT_PROJECT))
        object.__setattr__(self, "project_names", tuple(dict.fromkeys(names)))
