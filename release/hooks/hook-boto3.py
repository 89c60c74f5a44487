"""boto3 in the bundle: its code and its small data directory, without the s3/dynamodb/ec2 helpers
pyinstaller-hooks-contrib's hook adds (the preflight only makes `sts` and `ecr` clients)."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("boto3")
