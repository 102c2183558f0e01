"""Run test code in a forked child of the test process and talk to it over a pipe.

The crash and disk-full suites need a process they may kill with SIGKILL or give a file
size limit, without paying for a fresh interpreter each time: the test process has
already imported ``kube_actors``, so a fork starts in milliseconds. The child uses only
objects it creates itself, talks back through one pipe in lines (a line shorter than
``PIPE_BUF`` is written whole or not at all, so a kill never leaves half an
acknowledgement) and always leaves with ``os._exit``, so pytest's own state is never
run twice.
"""

from __future__ import annotations

import base64
import contextlib
import os
import pickle
import select
import signal
import time
import traceback
import warnings
from collections.abc import Callable
from typing import Any, final

_write = os.write  # the real one: a child may wrap os.write to watch the log's writes

RESULT = b"R"
ERROR = b"E"


@final
class Channel:
    """The child's end of the pipe."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, line: bytes) -> None:
        """Send one line (without its newline)."""
        data = line + b"\n"
        while data:
            data = data[_write(self.fd, data) :]


@final
class Child:
    """The parent's handle on a forked child."""

    def __init__(self, pid: int, fd: int) -> None:
        self.pid = pid
        self.fd = fd
        self._buffer = b""
        self._eof = False
        self.status: int | None = None

    def read_line(self, timeout: float = 60.0) -> bytes | None:
        """The next whole line from the child, or ``None`` once it has gone.

        Raises:
            TimeoutError: nothing came for ``timeout`` seconds (the child is killed).
        """
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buffer:
            if self._eof:
                return None
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                self.kill()
                raise TimeoutError(f"the forked child said nothing for {timeout:g}s")
            chunk = os.read(self.fd, 1 << 16)
            if chunk:
                self._buffer += chunk
            else:
                self._eof = True
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def read_all(self, timeout: float = 60.0) -> list[bytes]:
        """Every line until the child has gone (a last line without newline is dropped)."""
        lines = []
        while (line := self.read_line(timeout)) is not None:
            lines.append(line)
        self._buffer = b""
        return lines

    def kill(self) -> None:
        """SIGKILL the child (if it still runs)."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)

    def reap(self) -> int:
        """Wait for the child, close the pipe and return its wait status."""
        if self.status is None:
            _, self.status = os.waitpid(self.pid, 0)
            os.close(self.fd)
        return self.status


def fork(target: Callable[[Channel], Any]) -> Child:
    """Run ``target(channel)`` in a forked child.

    The child sends ``R<result>`` when ``target`` returns and ``E<traceback>`` when it
    raises, then exits; see ``result`` for the parent's side.
    """
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        # Python 3.12+ warns when a process with threads forks; the child here touches
        # no lock another thread could hold (it builds its own objects) and never returns.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        code = 70
        try:
            os.close(read_end)
            channel = Channel(write_end)
            try:
                value = target(channel)
            except BaseException:
                channel.send(ERROR + _pack(traceback.format_exc()))
            else:
                channel.send(RESULT + _pack(value))
                code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    return Child(pid, read_end)


def result(child: Child, timeout: float = 60.0) -> Any:
    """Wait for a child started with ``fork`` to finish and return what ``target`` returned.

    Raises:
        AssertionError: the child raised (its traceback is the message) or died.
    """
    lines = child.read_all(timeout)
    status = child.reap()
    for line in lines:
        if line.startswith(ERROR):
            raise AssertionError(f"in the forked child:\n{unpack(line[1:])}")
        if line.startswith(RESULT):
            return unpack(line[1:])
    raise AssertionError(f"the forked child died without a result (wait status {status})")


def child_error(lines: list[bytes]) -> str | None:
    """The traceback a child reported among ``lines``, if any."""
    for line in lines:
        if line.startswith(ERROR):
            return str(unpack(line[1:]))
    return None


def _pack(value: object) -> bytes:
    return base64.b64encode(pickle.dumps(value))


def unpack(data: bytes) -> Any:
    """The value a child sent with ``_pack``."""
    return pickle.loads(base64.b64decode(data))
