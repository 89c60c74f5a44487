"""Preflight: prove from this machine that a registry works before Palette stores it.

`run_preflight(values, provider_type)` -> `list[Problem]` (see run.py for the checks). Importing
this package is cheap: httpx and boto3 are imported only when a check runs.
"""

from provider.preflight.run import run_preflight
from provider.problems import Problem

__all__ = ["Problem", "run_preflight"]
