"""The warm server, opt-in, so that Terraform's 3-5 launches per command each start in milliseconds
instead of paying ~110 ms of Python, grpc and protobuf. Its command line (`terraform-provider-oci
warm`: start, status, stop) and its start on first use are `provider.launch.warm_cli`.

The server imports what a launch needs (grpc, protobuf, tf, this provider, the Palette client with
httpx and pydantic) and creates no gRPC channel or server, starts no thread; then it waits on a unix
socket. Each launch Terraform makes connects (`provider.launch.handover`, the launcher's side), the server
forks, and the child takes the launcher's stdin/stdout/stderr, environment, working directory and
umask and runs `provider.launch.serve.serve` exactly as a cold start does; nothing is shared between
launches but the imported code. The child ends with its launcher (the socket closes); a server
killed meanwhile does not end its children.

Safety:
- The socket lives in a directory of this user only (0700: `$XDG_RUNTIME_DIR/terraform-provider-oci`,
  else `~/.cache/terraform-provider-oci`); both sides check the other's uid (SO_PEERCRED). The
  server binds a temporary name and renames it into place once it listens, so a socket that refuses
  connections is stale and the launcher removes it; one of another owner, or not a socket, is removed
  too.
- One socket per provider version and Python, and the hello names both: a launcher never hands over
  to a server of another version or Python (after an upgrade it starts cold, or starts a new server).
  A Python is its resolved interpreter, its environment and the provider package's directory.
- A forked launch runs in the server's execution context, not the one Terraform started it in, so
  the server forks only for a launcher whose context is its own (`why_not_served`: the launcher's
  /proc/PID, its pid from SO_PEERCRED): namespaces, ids and groups, capabilities, no_new_privs,
  seccomp, affinity, nice, scheduling policy, OOM score adjustment, cgroup, rlimits, LSM label, root
  directory. Any other launcher is answered "start cold"
  and logs, at DEBUG, which items differed (names, never values). The launcher pays nothing for it.
- The release package's executable (PyInstaller) is no Python: the server it starts is the
  executable itself (`warm --foreground`), without Python's options.
- The server's own environment holds only what it needs to find its socket and files (PATH, HOME,
  locale, XDG directories, TMPDIR): it is started, or re-executes itself, with only those
  (`warm_cli.clean_environment`), so no API
  key or AWS secret is in its /proc/PID/environ. The launch's environment goes straight to the
  forked child, never through the server's memory or log, never into process arguments.
- It exits after an idle time without launches (10 minutes by default), on `warm --stop`, on
  SIGTERM, and when its socket is taken away; it removes its socket.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

from provider.files import try_lock
from provider.launch import handover

# A launcher has this long to send its request and payload before the server or child gives up.
REQUEST_TIMEOUT = 5.0
# How often the server checks that its socket is still its own while idle.
CHECK_EVERY = 30.0
_FD_BYTES = 4


class WarmError(Exception):
    """The warm server cannot start or be reached; the message says why and what to do."""


def current_version() -> str:
    from provider.version import __version__

    return __version__


def private_directory() -> Path:
    """The socket directory, created 0700; refused when it is not this user's alone."""
    directory = Path(handover.socket_dir())
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        why = error.strerror or error
        raise WarmError(f"cannot create {directory} ({why}); set XDG_RUNTIME_DIR to a directory of yours") from None
    if not handover.private_dir(str(directory)):
        st = directory.lstat()
        if st.st_uid == os.getuid() and not directory.is_symlink() and directory.is_dir():
            directory.chmod(0o700)  # ours, but open to others: close it
        if not handover.private_dir(str(directory)):
            raise WarmError(
                f"{directory} is not a directory of this user with mode 0700 (owner uid {st.st_uid}, mode "
                f"{st.st_mode & 0o777:o}); the warm server will not listen there. Remove it, or set XDG_RUNTIME_DIR"
            )
    return directory


def server_lock(directory: Path, name: str) -> Any | None:
    """The server's lock (held for its life): the open file, or None when another server holds it."""
    return try_lock(directory / (name + ".lock"))


def _log(message: str) -> None:
    """The server's log: its stderr (the terminal in the foreground, else its log file). Never secrets:
    nothing of a launch but its child's pid is known here."""
    sys.stderr.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} warm[{os.getpid()}] {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------
# The execution context: a forked launch runs in the server's, so only a launcher in that very
# context is served
# ---------------------------------------------------------------------------------------------

# From /proc/PID/status: credentials, capabilities, no_new_privs, seccomp (Seccomp_filters on newer
# kernels), the CPUs and memory nodes it may use (taskset, cpusets).
STATUS_ITEMS = (
    "Uid",
    "Gid",
    "Groups",
    "CapInh",
    "CapPrm",
    "CapEff",
    "CapBnd",
    "CapAmb",
    "NoNewPrivs",
    "Seccomp",
    "Seccomp_filters",
    "Cpus_allowed_list",
    "Mems_allowed_list",
)
# From /proc/PID/stat, counted from the field after the command's ")" (the state, field 3): nice
# (field 19) and scheduling policy (field 41).
STAT_ITEMS = (("nice", 19 - 3), ("scheduling policy", 41 - 3))
# /proc/PID/limits: the limit's name fills the first 26 columns, then soft, hard and units.
_LIMIT_NAME_WIDTH = 26
_UNREADABLE = "(unreadable)"


def execution_context(pid: int) -> dict[str, str]:
    """What a process runs in that a child forked from the warm server takes from the server, not from
    the launcher Terraform started: each namespace, credentials, capabilities, no_new_privs, seccomp,
    CPU and memory affinity, nice, scheduling policy, OOM score adjustment, rlimits, cgroup, LSM label
    and root directory (a chroot). Item name -> value; a value that cannot be
    read is "(unreadable)", so an unreadable launcher never matches a readable server."""
    proc = f"/proc/{pid}"
    context: dict[str, str] = {}
    try:
        namespaces = sorted(os.listdir(f"{proc}/ns"))
    except OSError:
        namespaces = []
    for name in namespaces:
        context[f"{name} namespace"] = _readlink(f"{proc}/ns/{name}")
    status = _read(f"{proc}/status")
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    for name in STATUS_ITEMS:
        context[name] = " ".join(fields[name].split()) if name in fields else _UNREADABLE
    stat = _read(f"{proc}/stat").rsplit(")", 1)[-1].split()
    for name, index in STAT_ITEMS:
        context[name] = stat[index] if index < len(stat) else _UNREADABLE
    context["oom_score_adj"] = _read(f"{proc}/oom_score_adj")
    for name, value in _limits(_read(f"{proc}/limits")).items():
        context[f"rlimit {name}"] = value
    context["cgroup"] = _read(f"{proc}/cgroup")
    context["LSM label"] = _read(f"{proc}/attr/current")
    try:
        root = os.stat(f"{proc}/root")
        context["root directory"] = f"{root.st_dev}:{root.st_ino}"
    except OSError:
        context["root directory"] = _UNREADABLE
    return context


def _limits(text: str) -> dict[str, str]:
    """/proc/PID/limits as limit name -> "soft hard units"."""
    rows = text.splitlines()[1:]  # the first line is the header
    return {row[:_LIMIT_NAME_WIDTH].strip(): " ".join(row[_LIMIT_NAME_WIDTH:].split()) for row in rows if row.strip()}


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return _UNREADABLE


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return _UNREADABLE


def context_difference(server: dict[str, str], launcher: dict[str, str]) -> list[str]:
    """The items of the two contexts that differ, by name only (a value may be anything: never said)."""
    items = list(server) + [name for name in launcher if name not in server]
    return [name for name in items if server.get(name) != launcher.get(name)]


def why_not_served(launcher_pid: int) -> str | None:
    """Why a launcher may not be forked from this server (what differs), or None: identical contexts."""
    if launcher_pid <= 0:
        return "process (not visible in the server's pid namespace)"
    differing = context_difference(execution_context(os.getpid()), execution_context(launcher_pid))
    return ", ".join(differing) if differing else None


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------


def preload() -> list[str]:
    """Import what launches need, create nothing: no gRPC channel or server, no thread, no client."""
    loaded = []
    for name in (
        "grpc",
        "grpc._server",  # grpc.server() imports these at its first call
        "grpc._interceptor",
        "concurrent.futures.thread",
        "queue",
        "tf.gen.tfplugin_pb2",  # tf's schema classes import it; the protocol itself is provider.tfx.gen
        "provider.launch.serve",  # what each forked launch runs
        "provider.tfx",
        "provider.plugin",
        "provider.registries.helm",
        "provider.registries.packs",
        "provider.registries.zarf",
        "provider.registries.lookup",
        "provider.datasources",
        "provider.listing",
        "provider.actions",
        "provider.diagnose",
        "provider.palette.client",
        "provider.palette.connections",  # the direct transport; httpcore below is only a proxy's
        "httpcore",  # httpx imports its transport (httpcore, h11, anyio, certifi, idna) at the first Client
        "httpcore._sync.connection_pool",
        "httpcore._sync.http11",
        "httpcore._sync.http_proxy",
        "httpcore._backends.sync",
        "httpcore._backends.auto",
        "h11",
        "anyio",
        "certifi",
        "encodings.idna",
        "stringprep",
        "provider.preflight.run",
        "cryptography.x509",  # a new plugin certificate, when a launch's HOME has none cached
        "cryptography.hazmat.primitives.asymmetric.ec",
        "cryptography.hazmat.backends.openssl.backend",
        "tempfile",
        "traceback",
    ):
        try:
            __import__(name)
            loaded.append(name)
        except ImportError:
            pass
    import gc

    import provider.tfx.servicer  # noqa: F401 - the servicer and the generated protocol code each launch uses

    gc.collect()
    gc.freeze()  # children share these pages instead of copying them when the collector runs
    return loaded


class Server:
    """Listens on the socket of this version and Python; forks one child per launch."""

    def __init__(self, idle_timeout: float):
        self.idle_timeout = idle_timeout
        self.version = current_version()
        self.directory = private_directory()
        self.name = handover.socket_name(self.version).removesuffix(".sock")
        self.path = self.directory / (self.name + ".sock")
        self.started = time.time()
        self.last_used = time.monotonic()
        self.launches = 0
        self.declined = 0
        self.last_declined = ""
        self.listener: Any = None
        self.inode: tuple[int, int] | None = None
        self.lock = server_lock(self.directory, self.name)

    @property
    def running_elsewhere(self) -> bool:
        return self.lock is None

    def hello(self) -> bytes:
        version, hexversion, python = handover.identity(self.version).split("\t", 2)
        fields = (handover.MAGIC, handover.PROTOCOL, version, hexversion, str(os.getpid()), python)
        return ("\t".join(fields) + "\n").encode()

    def listen(self) -> None:
        """Bind a temporary name, listen, then rename it into place: a socket at the real name always listens."""
        import socket

        # Nobody else holds the lock, so whatever is at the name is stale or foreign.
        if self.path.exists() or self.path.is_symlink():
            self.path.unlink()
        partial = self.directory / f".{self.name}.{os.getpid()}.sock"
        if len(os.fsencode(self.path)) >= 104:
            raise WarmError(f"the socket path {self.path} is too long for a unix socket; set XDG_RUNTIME_DIR shorter")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old_umask = os.umask(0o177)
        try:
            listener.bind(str(partial))
        finally:
            os.umask(old_umask)
        listener.listen(128)
        os.replace(partial, self.path)
        st = self.path.lstat()
        self.inode = (st.st_dev, st.st_ino)
        self.listener = listener
        self.last_used = time.monotonic()  # idle from now: the preload before may take longer than the timeout

    def still_ours(self) -> bool:
        try:
            st = self.path.lstat()
        except OSError:
            return False
        return (st.st_dev, st.st_ino) == self.inode

    def status(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "version": self.version,
            "python": python_description(),
            "socket": str(self.path),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.started)),
            "idle_timeout": self.idle_timeout,
            "idle_for": round(time.monotonic() - self.last_used, 1),
            "launches": self.launches,
            "declined": self.declined,
            "last_declined": self.last_declined,
        }

    def run(self) -> None:
        """Serve until idle, stopped, or the socket is no longer ours."""
        import select

        while True:
            idle_left = self.idle_timeout - (time.monotonic() - self.last_used)
            if idle_left <= 0:
                _log(f"idle for {self.idle_timeout:g} s: stopping")
                return
            ready, _, _ = select.select([self.listener], [], [], min(idle_left, CHECK_EVERY))
            if not self.still_ours():
                _log(f"{self.path} is no longer this server's socket: stopping")
                return
            if ready:
                conn, _ = self.listener.accept()
                try:
                    if self.answer(conn) == "stop":
                        _log("stopped by warm --stop")
                        return
                finally:
                    conn.close()

    def answer(self, conn: Any) -> str:
        """One connection: check its uid, say hello, take its request."""
        import socket

        conn.settimeout(REQUEST_TIMEOUT)
        uid = handover.peer_uid(conn)
        if uid != os.getuid():
            _log(f"refused a connection from uid {uid}")
            return "refused"
        fds: list[int] = []
        try:
            conn.sendall(self.hello())
            request, ancillary, _, _ = conn.recvmsg(1, socket.CMSG_SPACE(3 * _FD_BYTES))
            for level, kind, data in ancillary:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    usable = len(data) - len(data) % _FD_BYTES
                    fds.extend(int.from_bytes(data[i : i + _FD_BYTES], sys.byteorder) for i in range(0, usable, 4))
            if request == b"R" and len(fds) == 3:
                why = why_not_served(handover.peer_pid(conn))
                if why is not None:
                    # The launcher starts cold and logs why; its payload (environment) is never read.
                    self.declined += 1
                    self.last_declined = why
                    conn.sendall(b"C" + why.encode("ascii", "replace") + b"\n")
                    return "declined"
                self.last_used = time.monotonic()
                self.launches += 1
                self.fork(conn, fds)
                return "launched"
            if request == b"S":
                conn.sendall((json.dumps(self.status()) + "\n").encode())
                return "status"
            if request == b"Q":
                conn.sendall(b"stopping\n")
                return "stop"
            return "ignored"
        except OSError as error:
            _log(f"a launcher went away during its hand-over ({error.strerror or error})")
            return "failed"
        finally:
            for fd in fds:
                os.close(fd)

    def fork(self, conn: Any, fds: list[int]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _child(conn, fds, self.listener.fileno(), self.lock)

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()
            if self.still_ours():
                self.path.unlink()


def _recv_exact(conn: Any, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise EOFError("the launcher closed the connection during its hand-over")
        data += chunk
    return data


def _child(conn: Any, fds: list[int], listener: int, lock: Any) -> NoReturn:
    """A launch: become the process Terraform started, serve, report the exit status, end."""
    status = 1
    started = False
    try:
        os.close(listener)
        lock.close()  # the server's lock stays with the server
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        size = int(_recv_exact(conn, 8), 16)
        cwd, umask, *environment = _recv_exact(conn, size).split(b"\0")
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.chdir(cwd)
        os.umask(int(umask, 8))
        os.environb.clear()
        os.environb.update(entry.split(b"=", 1) for entry in environment if b"=" in entry)  # type: ignore[misc]
        import tempfile

        tempfile.tempdir = None  # TMPDIR is the launch's
        conn.settimeout(None)
        conn.sendall(b"P%d\n" % os.getpid())
        started = True
        from provider.launch.serve import serve

        status = serve([], watch=_launcher_watch(conn), finish=_reporter(conn))
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        if started:  # the launcher's stderr is ours now: as a cold start, the traceback goes there
            import traceback

            traceback.print_exc()
    if started:
        _reporter(conn)(status)
    os._exit(status)


def _reporter(conn: Any) -> Callable[[int], None]:
    def report(status: int) -> None:
        with contextlib.suppress(OSError):  # the launcher is gone; so is Terraform
            conn.sendall(b"E%d\n" % status)

    return report


def _launcher_watch(conn: Any) -> Callable[[Any, Callable[[], None] | None], None]:
    """In place of tfx's parent watchdog (our parent is the warm server, which may go and come):
    the launcher Terraform started is gone when its end of the socket closes."""
    import threading

    def start(shutdown: threading.Event, stop: Callable[[], None] | None) -> None:
        def watch() -> None:
            try:
                while conn.recv(64):
                    pass
            except OSError:
                pass
            if shutdown.is_set():
                return
            import logging

            logging.getLogger("provider.warm").warning("the launcher Terraform started is gone; the provider stops")
            if stop is not None:
                stop()
            shutdown.set()

        threading.Thread(target=watch, name="launcher-watchdog", daemon=True).start()

    return start


def run_server(idle_timeout: float) -> int:
    """The server in this process, until idle, stopped or signalled."""
    server = Server(idle_timeout)
    if server.running_elsewhere:
        _log(f"a warm server for {server.version} already runs ({server.path}); not starting another")
        return 0

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    # Children are reaped by the kernel: their exit status goes to their launcher, not to us.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        loaded = preload()
        from provider.palette.tls import tls_context

        # The default trust store's context (~20 ms to build), made once here: every launch whose trust
        # settings equal the server's inherits it; other settings make their own, once per launch.
        tls_context()
        server.listen()
        _log(
            f"palette/oci {server.version} on {python_description()}: listening on {server.path}, "
            f"idle timeout {idle_timeout:g} s ({len(loaded)} modules preloaded)"
        )
        print(f"listening on {server.path} (pid {os.getpid()})", flush=True)
        server.run()
    except KeyboardInterrupt:
        _log("interrupted: stopping")
    finally:
        server.close()
    return 0


def python_description() -> str:
    """The Python a server runs, as its identity names it: the resolved interpreter and its environment."""
    _, _, interpreter, prefix, _ = handover.identity(current_version()).split("\t")
    return f"{interpreter} (environment {prefix})"
