"""``pods_should_be_on_node`` and the failed-pod back-off, as tables over the pure functions."""

from __future__ import annotations

from datetime import timedelta

from daemonset_builders import (
    NOW,
    mark_pod_ready,
    new_daemon_set,
    new_node,
    new_pod,
    rolling,
    with_strategy,
)

from kube_actors.api.core import Node, Pod, Taint
from kube_actors.controllers.daemonset.backoff import Backoff, failed_pods_backoff_key
from kube_actors.controllers.daemonset.manage import (
    Plan,
    creation_order_key,
    group_by_node,
    pods_should_be_on_node,
    unscheduled_pods_without_node,
)

NODE = new_node("node-1")
NEW = "new"


def plan_for(
    pods: list[Pod] | None,
    *,
    node: Node = NODE,
    surge: bool = False,
    backoff: Backoff | None = None,
    monotonic: float = 0.0,
) -> Plan:
    ds = new_daemon_set("ds")
    if surge:
        ds = with_strategy(ds, rolling(0, 1))
    plan = Plan()
    mapping = {} if pods is None else {"node-1": pods}
    pods_should_be_on_node(
        plan,
        node,
        mapping,
        ds,
        NEW,
        backoff or Backoff(),
        monotonic,
        NOW,
    )
    return plan


def test_a_node_without_pods_gets_one() -> None:
    assert plan_for(None).create == ["node-1"]


def test_a_node_with_an_empty_entry_gets_none_without_surge() -> None:
    """Upstream: ``shouldRun && !exists`` only; the terminating pod must go first."""
    plan = plan_for([new_pod("a", "node-1", deleting=True)])
    assert (plan.create, plan.delete) == ([], [])


def test_with_surge_a_node_whose_pods_are_all_deleting_gets_a_new_one() -> None:
    plan = plan_for([new_pod("a", "node-1", deleting=True)], surge=True)
    assert plan.create == ["node-1"]


def test_a_failed_pod_is_deleted_with_a_warning_then_backed_off() -> None:
    backoff = Backoff()
    failed = [new_pod("bad", "node-1", phase="Failed")]
    first = plan_for(failed, backoff=backoff, monotonic=100.0)
    assert first.delete == ["bad"]
    assert first.events == [
        (
            "Warning",
            "FailedDaemonPod",
            "Found failed daemon pod default/bad on node node-1, will try to kill it",
        )
    ]
    again = plan_for(failed, backoff=backoff, monotonic=100.5)
    assert (again.delete, again.events, again.requeue_after) == ([], [], 1.0)
    third = plan_for(failed, backoff=backoff, monotonic=101.0)
    assert third.delete == ["bad"]
    fourth = plan_for(failed, backoff=backoff, monotonic=102.0)
    assert (fourth.delete, fourth.requeue_after) == ([], 2.0)


def test_a_succeeded_pod_is_deleted_with_a_normal_event() -> None:
    plan = plan_for([new_pod("done", "node-1", phase="Succeeded")])
    assert plan.delete == ["done"]
    assert plan.events == [
        (
            "Normal",
            "SucceededDaemonPod",
            "Found succeeded daemon pod default/done on node node-1, will try to delete it",
        )
    ]


def test_without_surge_only_the_oldest_running_pod_stays() -> None:
    older = new_pod("b-older", "node-1", created=NOW - timedelta(minutes=5))
    newer = new_pod("a-newer", "node-1", created=NOW)
    assert plan_for([newer, older]).delete == ["a-newer"]


def test_scheduled_pods_count_as_older_than_unscheduled_ones() -> None:
    unscheduled = new_pod("a", "", created=NOW - timedelta(hours=1))
    bound = new_pod("b", "node-1", created=NOW)
    assert sorted([unscheduled, bound], key=creation_order_key) == [bound, unscheduled]


def test_with_surge_a_new_pod_that_is_not_ready_keeps_the_old_one() -> None:
    old = mark_pod_ready(new_pod("old", "node-1", hash_="old", created=NOW - timedelta(hours=1)))
    new = new_pod("new", "node-1", hash_=NEW)
    assert plan_for([old, new], surge=True).delete == []


def test_with_surge_an_available_new_pod_replaces_the_old_one() -> None:
    old = mark_pod_ready(new_pod("old", "node-1", hash_="old", created=NOW - timedelta(hours=1)))
    new = mark_pod_ready(new_pod("new", "node-1", hash_=NEW))
    assert plan_for([old, new], surge=True).delete == ["old"]


def test_with_surge_an_old_pod_that_is_not_ready_goes_at_once() -> None:
    old = new_pod("old", "node-1", hash_="old", created=NOW - timedelta(hours=1))
    new = new_pod("new", "node-1", hash_=NEW)
    assert plan_for([old, new], surge=True).delete == ["old"]


def test_with_surge_extra_pods_of_either_revision_go() -> None:
    pods = [
        new_pod("old-1", "node-1", hash_="old", created=NOW - timedelta(hours=3)),
        new_pod("old-2", "node-1", hash_="old", created=NOW - timedelta(hours=2)),
        mark_pod_ready(new_pod("new-1", "node-1", hash_=NEW, created=NOW - timedelta(hours=1))),
        new_pod("new-2", "node-1", hash_=NEW, created=NOW),
    ]
    assert plan_for(pods, surge=True).delete == ["old-2", "new-2", "old-1"]


def test_an_untolerated_no_execute_taint_removes_every_pod() -> None:
    node = new_node("node-1", taints=[Taint(key="k", effect="NoExecute")])
    pods = [new_pod("a", "node-1"), new_pod("b", "node-1", deleting=True)]
    plan = plan_for(pods, node=node)
    assert (plan.create, plan.delete) == ([], ["a"])


def test_an_untolerated_no_schedule_taint_keeps_the_pod_but_starts_none() -> None:
    node = new_node("node-1", taints=[Taint(key="k", effect="NoSchedule")])
    assert plan_for(None, node=node).create == []
    assert plan_for([new_pod("a", "node-1")], node=node).delete == []


def test_pods_are_grouped_by_target_node_without_deleted_terminal_ones() -> None:
    pods = [
        new_pod("a", "node-1"),
        new_pod("b", "node-2", phase="Failed", deleting=True),
        new_pod("c", ""),
    ]
    assert group_by_node(pods, include_deleted_terminal=False) == {"node-1": [pods[0]]}
    assert set(group_by_node(pods, include_deleted_terminal=True)) == {"node-1", "node-2"}


def test_only_unscheduled_pods_for_vanished_nodes_are_deleted_here() -> None:
    mapping = {
        "node-1": [new_pod("a", "node-1")],
        "gone": [new_pod("b", "gone"), new_pod("c", "")],
    }
    assert unscheduled_pods_without_node([NODE], mapping) == ["c"]


def test_backoff_doubles_to_its_maximum_and_resets_after_twice_the_maximum() -> None:
    backoff = Backoff(initial=1.0, maximum=4.0)
    for now, expected in [(0.0, 1.0), (1.0, 2.0), (3.0, 4.0), (7.0, 4.0)]:
        backoff.next("k", now)
        assert backoff.get("k") == expected
    assert backoff.is_in_back_off_since_update("k", 10.0)
    assert not backoff.is_in_back_off_since_update("k", 11.0)
    backoff.next("k", 20.0)
    assert backoff.get("k") == 1.0
    backoff.gc(29.0)
    assert backoff.get("k") == 0.0


def test_backoff_key_names_the_set_generation_and_node() -> None:
    assert failed_pods_backoff_key(new_daemon_set("ds"), "node-1") == "uid-ds/0/node-1"
