"""palette-emulator: a real HTTP server for the registries slice of the Palette API.

Start it with the `palette-emulator` command (see `__main__` and README.md beside this file) or
build the ASGI app with `palette_emulator.app.create_app(EmulatorConfig(...))`.

`swagger.json` beside this module is the registries slice of the Palette APIs 4.8 swagger
(`api/spec/palette-apis-spec.json` of spectrocloud/palette-sdk-go, Apache-2.0).
"""
