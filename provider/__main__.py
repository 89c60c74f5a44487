"""Entry point of the `terraform-provider-oci` executable (filled in by the provider-core work)."""

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from provider.version import __version__

    if argv[:1] == ["--version"]:
        print(f"terraform-provider-oci {__version__}")
        return 0
    print("terraform-provider-oci: not runnable yet", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
