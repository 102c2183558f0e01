"""``kube-actors replay``: objects per kind, the position and the state hash of a log.

Its own module so that the verb loads only the fold and a table: it is the one a user runs
on a big log to check it, and it prints no object.
"""

from __future__ import annotations

import argparse

from kube_actors.cli.options import Options
from kube_actors.cli.output import now_text, out
from kube_actors.cli.snapshots import read_snapshot
from kube_actors.cli.tables import print_table, tabwrite


def cmd_replay(opts: argparse.Namespace) -> int:
    """``kube-actors replay``: objects per kind, the last resourceVersion and the state hash."""
    snap = read_snapshot(Options.of(opts))
    rows = [[kind, str(snap.state.count(kind))] for kind in snap.kinds()]
    if rows:
        print_table(["KIND", "OBJECTS"], rows)
        out("\n")
    summary = (
        f"resourceVersion:\t{snap.rv}\n"
        f"time:\t{now_text(snap.now) if snap.state.ts else '<none>'}\n"
        f"records:\t{snap.state.records}\n"
        f"objects:\t{len(snap.state)}\n"
        f"state hash:\t{snap.state.state_hash()}\n"
    )
    out(tabwrite(summary))
    return 0
