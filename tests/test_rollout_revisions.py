"""``rollout history`` and ``rollout undo`` for DaemonSets and StatefulSets, from the
ControllerRevisions their controllers write (kubectl's history.go and rollback.go)."""

from __future__ import annotations

import pytest

from kube_actors.api.apps import ControllerRevision, DaemonSet
from kube_actors.cluster import Cluster
from kube_actors.errors import BadRequest

pytestmark = pytest.mark.anyio

AGENT = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "agent:1"}]
"""


def image(ds: DaemonSet) -> str:
    return str(ds.spec.template.spec["containers"][0]["image"])


async def rolled(c: Cluster) -> DaemonSet:
    await c.apply(AGENT)
    await c.settle()
    await c.set_image("DaemonSet", "agent", {"agent": "agent:2"}, change_cause="to 2")
    await c.settle()
    return c.get(DaemonSet, "agent")


async def test_history_lists_each_revision_with_its_change_cause() -> None:
    async with Cluster() as c:
        await rolled(c)
        assert c.rollout_history("agent", kind="DaemonSet") == [(1, "<none>"), (2, "to 2")]
        first = c.rollout_history("agent", 1, kind="DaemonSet")
        assert first.spec["containers"][0]["image"] == "agent:1"
        with pytest.raises(BadRequest, match="unable to find the specified revision"):
            c.rollout_history("agent", 7, kind="DaemonSet")


async def test_undo_sends_the_previous_template_back_and_it_becomes_the_newest() -> None:
    async with Cluster() as c:
        await rolled(c)
        message = await c.rollout_undo("agent", kind="DaemonSet")
        assert message == "daemonset.apps/agent rolled back"
        await c.settle()
        ds = c.get(DaemonSet, "agent")
        assert image(ds) == "agent:1"
        assert [number for number, _ in c.rollout_history("agent", kind="DaemonSet")] == [2, 3]
        assert len(c.list(ControllerRevision)) == 2
        pods = c.list("Pod", selector="app=agent")
        assert pods
        assert {p.spec["containers"][0]["image"] for p in pods} == {"agent:1"}


async def test_undo_to_the_running_revision_is_skipped() -> None:
    async with Cluster() as c:
        await rolled(c)
        message = await c.rollout_undo("agent", 2, kind="DaemonSet")
        assert message == (
            "daemonset.apps/agent skipped rollback (current template already matches revision 2)"
        )


async def test_undo_refuses_a_missing_revision_and_a_history_of_one() -> None:
    async with Cluster() as c:
        await c.apply(AGENT)
        await c.settle()
        with pytest.raises(BadRequest, match=r"^no last revision to roll back to$"):
            await c.rollout_undo("agent", kind="DaemonSet")
        with pytest.raises(BadRequest, match="unable to find specified revision 4 in history"):
            await c.rollout_undo("agent", 4, kind="DaemonSet")


async def test_kinds_without_history_are_refused() -> None:
    async with Cluster() as c:
        with pytest.raises(BadRequest, match="no history viewer has been implemented"):
            c.rollout_history("web", kind="ReplicaSet")
