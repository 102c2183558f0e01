"""``BackgroundSync``: the ``batch`` fsync policy's group commit, in a helper process.

A thread would do the same work, but in CPython every wake-up of a second thread takes
the interpreter lock from the writer: measured on 2 vCPUs, a thread that merely woke
every 7 ms cost a busy cluster 20% of its throughput. A helper process shares nothing
with the writer but the open file (its descriptor is inherited, so a rename of the path
changes nothing), and costs the writer one pipe write per ``delay`` while it appends.

Protocol, over two pipes: the writer sends a byte after an append when ``delay`` has
passed since it last sent one; the helper waits ``delay`` (so appends gather), fsyncs,
and answers ``.``. An append not followed by a byte came within ``delay`` of one that
was, and the fsync that byte asks for starts after it: every append is synced within
``delay`` (plus the fsync). On an fsync error the helper answers ``!`` and the error, and
exits; the writer raises it on its next append. The helper exits when the writer closes
its pipe (or dies); a writer that closes the log kills it, having synced itself.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import IO, TYPE_CHECKING, Final, final

if TYPE_CHECKING:
    import subprocess

_HELPER: Final = r"""
import os, select, signal, sys, time
signal.signal(signal.SIGINT, signal.SIG_IGN)
fd, delay = int(sys.argv[1]), float(sys.argv[2])
control, answer = sys.stdin.fileno(), sys.stdout.fileno()
while os.read(control, 4096):
    time.sleep(delay)
    while select.select([control], [], [], 0)[0]:
        if not os.read(control, 4096):
            break
    try:
        os.fsync(fd)
    except OSError as exc:
        os.write(answer, ("!" + (exc.strerror or str(exc))).encode())
        sys.exit(1)
    os.write(answer, b".")
"""


@final
class BackgroundSync:
    """The helper process syncing one open log file."""

    def __init__(self, fd: int, delay: float) -> None:
        import subprocess  # here: every command imports the log, few of them write to it

        self._delay = delay
        self._process: subprocess.Popen[bytes] = subprocess.Popen(
            [sys.executable, "-S", "-I", "-c", _HELPER, str(fd), repr(delay)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            pass_fds=(fd,),
            start_new_session=True,  # a Ctrl-C reaches the writer, which syncs and closes
        )
        control, answers = self._process.stdin, self._process.stdout
        assert control is not None
        assert answers is not None
        self._control: IO[bytes] = control
        self._answers: IO[bytes] = answers
        os.set_blocking(answers.fileno(), False)
        self._next = 0.0
        self.syncs = 0
        """fsyncs the helper has reported so far."""
        self.failure: str | None = None
        """The helper's fsync error, once it has reported one."""

    def appended(self) -> None:
        """Note an append: ask for a sync unless one was asked for within ``delay``."""
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self._delay
        self.poll()
        if self.failure is None:
            try:
                os.write(self._control.fileno(), b"s")
            except OSError:
                self._gone()

    def poll(self) -> None:
        """Take in the helper's answers (``syncs``, ``failure``)."""
        with contextlib.suppress(BlockingIOError):
            while data := os.read(self._answers.fileno(), 65536):
                self.syncs += data.count(b".")
                if b"!" in data:
                    message = data[data.index(b"!") + 1 :].decode(errors="replace")
                    self.failure = message or "the fsync failed"
                    return
            self._gone()  # end of file: the helper has exited

    def _gone(self) -> None:
        if self.failure is None:
            self.failure = "the background fsync process exited"

    def stop(self) -> None:
        """End the helper at once: the writer syncs what is left itself, so the helper has
        nothing left to do (waiting for a helper still starting up would cost 30 ms).
        """
        self.poll()
        with contextlib.suppress(OSError):
            self._control.close()
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        self._process.wait()
        self._answers.close()
