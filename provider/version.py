"""The provider's version, semantic: written here only. Hatch reads it for the package metadata;
`--version`, the User-Agent, `install`, the mirrors and `scripts/release` import it."""

__version__ = "0.2.0"
