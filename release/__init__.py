"""Release packaging: the self-contained provider package (PyInstaller) and the release directory.

    build.py     the PyInstaller onedir bundle and its zip, as Terraform's provider package
    layout.py    the release directory: SHA256SUMS and its signature, the registry manifest,
                 a packed filesystem mirror and a network mirror
    entry.py     the frozen program's entry point (provider.__main__:main)
    hooks/       PyInstaller hooks that keep the bundle small

Not part of the provider: `scripts/release` and the tests import it; the wheel does not ship it.
"""
