"""Palette API client (knows nothing of Terraform).

`client.PaletteClient` talks to Palette, `models` holds the wire models, `errors` the error
kinds. This package imports nothing heavy itself: the plugin loads httpx and pydantic only when
an operation needs the client (`from provider.palette.client import PaletteClient`).
"""
