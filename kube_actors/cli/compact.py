"""``compact --before RV``: rewrite a log's history before RV into a base record.

As etcd's compaction: the state at the compaction point and after is kept exactly; reads
at an earlier position (``--at``, ``--at-time``) are refused from then on with an error
naming the compaction point. The rewrite is atomic (``store.compaction``).
"""

from __future__ import annotations

import argparse

from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import out
from kube_actors.store.compaction import compact


def cmd_compact(opts: argparse.Namespace) -> int:
    """``kube-actors compact --before RV``: one line saying what was compacted."""
    before = opts.before
    if before < 2:
        raise CliError(f"--before must be a resourceVersion greater than 1, got {before}")
    path = Options.of(opts).log
    done = compact(path, before)
    base = done.base
    out(
        f"{path}: compacted {done.records} records before resourceVersion {before} into a "
        f"base of {done.objects} objects at resourceVersion {base.rv}; kept {done.kept} "
        f"records ({done.old_size:,} -> {done.new_size:,} bytes)\n"
    )
    return 0
