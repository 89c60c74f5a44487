"""The launcher's side of the warm server (`provider.launch.warm`): hand this launch over, or say "start cold".

Terraform execs the provider (the mirror's launcher, or the `terraform-provider-oci` console script);
before importing anything heavy, `provider.launch.cli` calls `handover()`. When a warm server of this
user, this provider version and this Python listens on its socket, and this process runs in exactly
the server's execution context (the server compares them: namespaces, credentials, capabilities,
no_new_privs, seccomp, affinity, nice, scheduling policy, OOM score adjustment, cgroup, rlimits, LSM
label, root directory), the server forks a child that
receives this process's stdin, stdout and stderr (SCM_RIGHTS), its environment, working directory
and umask (over the socket, never in process arguments), and serves Terraform exactly as a cold start
would. This process then only waits: it forwards SIGINT and SIGTERM to the child and exits with the
child's exit status; when this process is gone the child sees the socket close and stops, and when
Terraform is gone (killed with -9: this process's parent changes) this process ends too, as a cold
start's parent watchdog would. Anything else (no server, a stale or foreign socket, a server of
another version or Python, another execution context, a platform without SO_PEERCRED,
`PALETTE_OCI_WARM=0`) returns None: start cold, as always; `declined` then says why the server sent
this launch cold, for one debug line once logging is set up.

It must cost next to nothing when no server listens, and little when one does: standard library
only, and of it only the modules the interpreter has loaded anyway (os, sys) plus the two built-in
halves of `socket` and `signal` (`_socket`, `_signal`): `import socket` costs ~5 ms (enum,
selectors), a fifth of the 25 ms a warm launch may take.

The wire protocol (version 2), all on one unix stream socket:
  server -> launcher  "palette-oci-warm\\t2\\t<version>\\t<python hexversion>\\t<pid>\\t<interpreter>\\t<prefix>
                      \\t<package>\\n" (one line: `identity` with the server's pid after the hexversion)
  launcher -> server  b"R" with SCM_RIGHTS [0, 1, 2], then 8 hex digits of length and the payload:
                      cwd, umask (octal), then each environment entry "NAME=value", NUL-separated
                      (or b"S": status, answered with one JSON line; b"Q": stop)
  server -> launcher  b"C<what differs>\\n" when the launcher's execution context is not the server's
                      (the payload is never read: start cold)
  child -> launcher   b"P<pid>\\n" when it has taken over, b"E<status>\\n" when it exits
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs ~7 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from typing import Any

PROTOCOL = "2"
# go-plugin's handshake cookie for Terraform providers (terraform-plugin-go's tf6server, and tf): set,
# this process is Terraform's launch of the provider (the one a warm server may serve).
MAGIC_COOKIE_KEY = "TF_PLUGIN_MAGIC_COOKIE"
MAGIC_COOKIE_VALUE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
MAGIC = "palette-oci-warm"
# Seconds to wait for a server's hello and for the child's "taken over": a server that does not
# answer this fast is treated as absent (start cold).
CONNECT_TIMEOUT = 2.0
# How often a handed-over launcher looks whether Terraform (its parent) is still there: the cold
# start's parent watchdog polls once a second too (provider/tfx/serving.py).
PARENT_POLL = 1.0

# Why the warm server sent this launch cold (what differed, never a value), when it did.
declined: str | None = None


def frozen() -> bool:
    """This process is the release package's executable (PyInstaller), not a Python interpreter:
    sys.executable runs the provider itself and takes no Python options."""
    return bool(getattr(sys, "frozen", False))


def socket_dir() -> str:
    """Where this user's warm servers listen: $XDG_RUNTIME_DIR/terraform-provider-oci, else the cache."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "terraform-provider-oci")
    cache = os.environ.get("XDG_CACHE_HOME", "")  # relative XDG paths are ignored, as in provider.xdg
    cache = cache if os.path.isabs(cache) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "terraform-provider-oci")


def identity(version: str) -> str:
    """What must match between a launcher and a server: the provider version, and the code a launch
    runs: the Python's version, its interpreter by resolved path (`python` and `python3` in one
    virtualenv are one: install may record either), its environment (sys.prefix, resolved: two
    virtualenvs of one base Python resolve to one interpreter but are two) and the provider package's
    directory. Four tab-separated fields after the version; none holds a tab or a newline."""
    realpath = os.path.realpath
    package = os.path.dirname(os.path.dirname(realpath(__file__)))  # provider/, this module being in launch/
    python = (realpath(sys.executable), realpath(sys.prefix), package)
    return "\t".join(
        (version, f"{sys.hexversion:x}", *(field.replace("\t", " ").replace("\n", " ") for field in python))
    )


def socket_name(version: str) -> str:
    """One socket per provider version and Python: `warm-<version>-<hash of the Python>.sock`."""
    digest = 0xCBF29CE484222325  # FNV-1a, 64 bits: hashlib would cost an import
    for byte in identity(version).encode():
        digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"warm-{version}-{digest:016x}.sock"


def private_dir(path: str) -> bool:
    """The directory is a real directory of this user, closed to everyone else (mode 0700 or stricter)."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return (st.st_mode & 0o170000) == 0o040000 and st.st_uid == os.getuid() and st.st_mode & 0o077 == 0


def usable_socket(path: str) -> bool:
    """A socket of this user; anything else at that name (another user's socket, a file) is removed.
    Only called inside a private directory, where nobody else can have put it but root."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    if (st.st_mode & 0o170000) == 0o140000 and st.st_uid == os.getuid():
        return True
    _remove(path)
    return False


def _remove(path: str) -> None:
    try:  # noqa: SIM105 (contextlib is an import this module avoids)
        os.unlink(path)
    except OSError:
        pass


def peer_uid(sock: Any) -> int:
    """The uid of the process at the other end of a unix socket (SO_PEERCRED: struct ucred)."""
    return _peer_credential(sock, 1)


def peer_pid(sock: Any) -> int:
    """The pid of the process that connected (SO_PEERCRED, as of its connect); 0 when the reader's pid
    namespace cannot see it."""
    return _peer_credential(sock, 0)


def _peer_credential(sock: Any, index: int) -> int:
    """Field `index` of SO_PEERCRED's struct ucred {pid, uid, gid}, three native 32-bit integers."""
    import _socket

    raw = sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_PEERCRED, 12)
    return int.from_bytes(raw[4 * index : 4 * index + 4], sys.byteorder)


class Lines:
    """Newline-terminated messages from a socket, read in chunks (not a system call per byte)."""

    def __init__(self, sock: Any):
        self.sock = sock
        self.buffer = b""

    def next(self, limit: int = 4096) -> bytes:
        """The next message without its newline; b"" when the stream ends first (or grows past `limit`)."""
        while b"\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk or len(self.buffer) > limit:
                return b""
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line


def connect(version: str) -> tuple[Any, Lines] | None:
    """A connected socket to a usable warm server of `version`, after its hello; None when there is none."""
    try:
        import _socket
    except ImportError:
        return None
    if not hasattr(_socket, "SO_PEERCRED"):  # Linux; elsewhere no warm start (cold, as before)
        return None
    directory = socket_dir()
    path = os.path.join(directory, socket_name(version))
    if not private_dir(directory) or not usable_socket(path):
        return None
    sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
    try:
        sock.settimeout(CONNECT_TIMEOUT)
        try:
            sock.connect(path)
        except (ConnectionRefusedError, FileNotFoundError):
            _remove(path)  # stale: its server is gone (servers bind elsewhere and rename into place)
            sock.close()
            return None
        if peer_uid(sock) != os.getuid():
            sock.close()
            return None
        lines = Lines(sock)
        if server_identity(lines.next()) != identity(version):
            sock.close()  # another version or Python (or not a warm server at all): never used
            return None
        return sock, lines
    except OSError:
        sock.close()
        return None


def server_identity(hello: bytes) -> str | None:
    """The identity a server's hello announces (what `identity` gives), without its pid."""
    fields = hello.decode("utf-8", "replace").split("\t", 7)
    if len(fields) != 8 or fields[0] != MAGIC or fields[1] != PROTOCOL:
        return None
    return "\t".join((fields[2], fields[3], *fields[5:]))


def payload() -> bytes:
    """What the child needs besides the descriptors: working directory, umask, environment."""
    umask = os.umask(0o022)
    os.umask(umask)
    parts = [os.getcwdb(), b"%o" % umask]
    parts.extend(key + b"=" + value for key, value in os.environb.items())
    return b"\0".join(parts)


def handover(version: str) -> int | None:
    """Serve this launch from a warm server: its exit status, or None to start cold."""
    global declined
    if os.environ.get("PALETTE_OCI_WARM", "") == "0":
        return None
    parent = os.getppid()  # Terraform: before any wait, so that its death during the hand-over counts
    connected = connect(version)
    if connected is None:
        return None
    import _socket

    sock, lines = connected
    fds = b"".join(fd.to_bytes(4, sys.byteorder) for fd in (0, 1, 2))
    body = payload()
    message = b"%08x" % len(body) + body
    try:
        # One sendmsg: a server that declines this launch answers and closes without reading the
        # payload, which a second send would meet as a broken pipe, losing the answer that says why.
        sent = sock.sendmsg([b"R", message], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, fds)])
        if sent < 1 + len(message):  # an environment larger than the socket's buffer
            sock.sendall(message[sent - 1 :])
    except OSError:
        pass  # the answer, if any, says what happened
    try:
        started = lines.next()
    except OSError:
        started = b""
    if started.startswith(b"C"):
        declined = started[1:].decode("ascii", "replace")
    if not started.startswith(b"P") or not started[1:].isdigit():
        sock.close()
        return None  # the child never started: nothing was written to Terraform yet, start cold
    return _wait(sock, lines, int(started[1:]), parent)


def _wait(sock: Any, lines: Lines, child: int, parent: int) -> int:
    """Forward SIGINT and SIGTERM to the child until it reports its exit status; end when Terraform
    (`parent`) is gone, which closes the socket and so ends the child too."""
    import _signal

    forwarded: list[int] = []

    def forward(signum: int, frame: object) -> None:
        forwarded.append(signum)
        try:  # noqa: SIM105 (contextlib is an import this module avoids)
            os.kill(child, signum)
        except OSError:
            pass

    for signum in (_signal.SIGINT, _signal.SIGTERM):
        _signal.signal(signum, forward)
    sock.settimeout(PARENT_POLL)
    while True:
        try:
            line = lines.next()
        except TimeoutError:
            if os.getppid() == parent:
                continue
            # Terraform was killed (-9: it could not stop us): nobody reads the child's answers any more.
            sock.close()
            return 1
        except OSError:
            line = b""
        break
    if line.startswith(b"E") and line[1:].isdigit():
        return int(line[1:])
    if forwarded:  # the child ended by the signal we passed on: end the same way
        _signal.signal(forwarded[-1], _signal.SIG_DFL)
        os.kill(os.getpid(), forwarded[-1])
    os.write(
        2,
        b"terraform-provider-oci: the provider process (pid %d) of the warm server ended without an exit "
        b"status; run the command again (terraform-provider-oci warm --stop stops the warm server)\n" % child,
    )
    return 1
