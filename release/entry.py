"""The bundle's entry point: what `terraform-provider-oci` runs, frozen by PyInstaller (release/build.py)."""

import sys

from provider.__main__ import main

sys.exit(main())
