"""grpc in the bundle: its data files (the roots.pem its Cython core reads), as
pyinstaller-hooks-contrib's hook collects them, and its modules as .pyc files on disk (see ON_DISK in
release/build.py: grpc is the heaviest import of every launch). This hook replaces the contributed one."""

from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("grpc")
module_collection_mode = "pyc"
