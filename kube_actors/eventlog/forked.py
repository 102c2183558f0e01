"""``ForkedCall``: a function run in a forked child, its bytes sent back through a pipe.

The plumbing the log's background work shares (the second half of a parallel fold, a
snapshot written from a copy-on-write image of the state): fork, run, send the answer
after its length, leave with ``os._exit`` (no cleanup of the parent's state runs in the
child). The caller checks first that forking is safe (``can_fork``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import struct
import threading
from collections.abc import Callable
from typing import Final, final

LENGTH: Final = struct.Struct("<Q")
PIPE_BYTES: Final = 1 << 20


def can_fork() -> bool:
    """Whether this process may fork: POSIX, and no other thread (``fork`` copies only the
    calling one, and whatever lock another held would stay held in the child).
    """
    return hasattr(os, "fork") and threading.active_count() == 1


def write_all(fd: int, data: bytes | memoryview) -> None:
    """Write every byte of ``data`` to ``fd`` (a write may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


@final
class ForkedCall:
    """``produce()`` running in a forked child."""

    def __init__(self, produce: Callable[[], bytes]) -> None:
        read, send = os.pipe()
        with contextlib.suppress(ImportError, AttributeError, OSError):
            import fcntl  # POSIX only, as is fork: a bigger pipe, fewer switches

            fcntl.fcntl(send, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        pid = os.fork()
        if pid == 0:  # the child: produce, answer, leave without running any cleanup
            status = 1
            try:
                os.close(read)
                answer = produce()
                write_all(send, LENGTH.pack(len(answer)) + answer)
                status = 0
            finally:
                os._exit(status)
        os.close(send)
        os.set_blocking(read, False)
        self._pid: int | None = pid
        self._status = 0
        self._read: int | None = read
        self._head = bytearray()  # the answer's length, as it arrives
        self._body: bytearray | None = None  # sized once the length is known
        self._filled = 0

    def running(self) -> bool:
        """Whether the child is still at work (what it has sent so far is taken in, so it
        never waits on a full pipe).
        """
        self._take()
        if self._pid is None:
            return False
        pid, status = os.waitpid(self._pid, os.WNOHANG)
        if pid == 0:
            return True
        self._pid, self._status = None, status
        return False

    def result(self) -> bytearray | None:
        """Wait for the child; its answer, or ``None`` when it failed or died part way."""
        if self._read is not None:
            os.set_blocking(self._read, True)
            self._take()
        if self._pid is not None:
            _, self._status = os.waitpid(self._pid, 0)
            self._pid = None
        self._close()
        body = self._body
        if self._status != 0 or body is None or self._filled != len(body):
            return None
        return body

    def kill(self) -> None:
        """End the child now (its answer is no longer wanted)."""
        if self._pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = None
        self._close()

    def _take(self) -> None:
        """Read what the child has sent: the length, then the answer straight into one
        buffer of that size (a blocking read goes on to its end).
        """
        fd = self._read
        if fd is None:
            return
        with contextlib.suppress(BlockingIOError):
            while True:
                body = self._body
                if body is None:
                    chunk = os.read(fd, LENGTH.size - len(self._head))
                    if not chunk:
                        return  # the child ended before it answered
                    self._head += chunk
                    if len(self._head) == LENGTH.size:
                        self._body = bytearray(LENGTH.unpack(self._head)[0])
                    continue
                view = memoryview(body)[self._filled :]
                if not view:
                    return
                got = os.readv(fd, [view])
                if not got:
                    return  # the child died part way
                self._filled += got

    def _close(self) -> None:
        if self._read is not None:
            os.close(self._read)
            self._read = None
