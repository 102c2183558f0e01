"""``set image``, ``rollout status|history|undo|restart`` for DaemonSets from the CLI, with
kubectl's words."""

from __future__ import annotations

from tests.cli.conftest import Run
from tests.test_rollout_revisions import AGENT


def test_a_daemon_set_rolls_out_shows_history_and_rolls_back(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=AGENT).code == 0
    status = cli("rollout", "status", "ds/agent")
    assert status.out == 'daemon set "agent" successfully rolled out\n'
    changed = cli("set", "image", "ds/agent", "agent=agent:2")
    assert changed.out == "daemonset.apps/agent image updated\n"
    history = cli("rollout", "history", "daemonset/agent")
    assert history.out == (
        "daemonset.apps/agent \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n"
    )
    one = cli("rollout", "history", "ds/agent", "--revision", "1")
    assert one.out.startswith("daemonset.apps/agent with revision #1\nPod Template:\n")
    assert "Image:\tagent:1\n" in one.out  # raw tabs, as kubectl prints a template
    undone = cli("rollout", "undo", "ds/agent")
    assert undone.out == "daemonset.apps/agent rolled back\n"
    assert "agent:1" in cli("get", "ds", "agent", "-o", "wide").out
    missing = cli("rollout", "undo", "ds/agent", "--to-revision", "9")
    assert missing.code == 1
    assert missing.err == "error: unable to find specified revision 9 in history\n"
    restarted = cli("rollout", "restart", "ds/agent")
    assert restarted.out == "daemonset.apps/agent restarted\n"
    assert cli("rollout", "history", "ds/agent").out.count("\n") == 6  # revisions 2, 3, 4


def test_pause_is_refused_for_a_daemon_set(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=AGENT).code == 0
    paused = cli("rollout", "pause", "ds/agent")
    assert paused.code == 1
    assert "rollout pause is not supported for daemonset.apps" in paused.err
