"""The provider's version: one place, read by the build, the User-Agent and `install`."""

__version__ = "0.1.0"
