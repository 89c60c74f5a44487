"""Palette API client (knows nothing of Terraform).

`client.PaletteClient` talks to Palette (over `transport`: the HTTP client and its retries; with
`recovery` for a create whose answer was lost, `sync` for the wait on a sync), `models` holds the wire
models and normalises Palette's words, `errors` the error kinds, `paths`, `selection`, `hosts` and
`retry` pure helpers. This package imports nothing heavy itself: the plugin loads httpx and pydantic only when
an operation needs the client (`from provider.palette.client import PaletteClient`).
"""
