"""botocore in the bundle: its code, and of its data only what the ECR preflight loads.

pyinstaller-hooks-contrib's own hook collects every service model (~28 MB, 400+ services); the
preflight creates `sts` and `ecr` clients only. botocore also needs its top-level data (endpoints,
partitions, retry and default configuration) and its CA bundle. Hooks given with
`--additional-hooks-dir` take precedence over the contributed one.
"""

from PyInstaller.utils.hooks import collect_data_files

# The AWS services provider/preflight/ecr.py makes clients for; the rest of botocore/data is left out.
SERVICES = ("ecr", "sts")

hiddenimports = ["html.parser"]
datas = [
    (source, target)
    for source, target in collect_data_files("botocore")
    if target in ("botocore", "botocore/data")  # cacert.pem; endpoints, partitions, retry and default config
    or any(target.startswith(f"botocore/data/{service}/") for service in SERVICES)
]
