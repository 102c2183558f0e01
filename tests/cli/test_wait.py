"""``wait --for=condition=...|delete``: the cluster runs until the condition holds or the
(virtual) timeout passes, with kubectl's words and exit codes."""

from __future__ import annotations

from tests.cli.conftest import Run
from tests.manifests import WEB


def test_wait_for_a_condition_runs_the_cluster_until_it_holds(cli: Run) -> None:
    assert cli("apply", "-f", "-", "--no-settle", stdin=WEB).code == 0
    waited = cli("wait", "--for=condition=available", "deploy/web", "--timeout=5m")
    assert waited.code == 0, waited.err
    assert waited.out == "deployment.apps/web condition met\n"
    assert cli("wait", "--for=condition=Available=True", "deployments", "--all").code == 0


def test_wait_times_out_in_virtual_time_and_keeps_what_ran(cli: Run) -> None:
    assert cli("apply", "-f", "-", "--no-settle", stdin=WEB).code == 0
    before = cli("replay").out
    timed_out = cli("wait", "--for=condition=Progressing=False", "deploy/web", "--timeout=20s")
    assert timed_out.code == 1
    assert timed_out.err == "error: timed out waiting for the condition on deployments/web\n"
    assert cli("replay").out != before  # the 20 s the cluster ran stay in the log


def test_wait_for_delete(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=WEB).code == 0
    assert cli("delete", "deploy/web", "--no-settle").code == 0
    gone = cli("wait", "--for=delete", "deploy/web", "--timeout=1m")
    assert gone.code == 0
    missing = cli("wait", "--for=delete", "deploy/never")
    assert (missing.code, missing.out, missing.err) == (0, "", "")


def test_wait_refuses_unknown_conditions_and_missing_objects(cli: Run) -> None:
    bad = cli("wait", "--for=ready", "deploy/web")
    assert bad.err == "error: unrecognized condition: 'ready'\n"
    absent = cli("wait", "--for=condition=complete", "job/pi")
    assert absent.code == 1
    assert absent.err == 'Error from server (NotFound): jobs.batch "pi" not found\n'
    none = cli("wait", "--for=condition=complete", "jobs", "--all")
    assert none.err == "error: no matching resources found\n"
