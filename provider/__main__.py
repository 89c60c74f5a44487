"""`python -m provider` and the `terraform-provider-oci` console script: the command line is
`provider.launch.cli`. This path stays the entry: the mirror's launcher (`install`), the warm
server's boot and the release bundle's entry import `main` from here."""

import sys

from provider.launch.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
