"""``rollout undo`` goes through the Deployment controller's rollback, which records the
``DeploymentRollback`` event of the seed's "Deployments" page; revisions and ReplicaSets
come out as kubectl's own template patch leaves them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import structlog

from kube_actors import Cluster, Deployment, Event, ReplicaSet
from kube_actors.cli import main
from kube_actors.cli.demo import NGINX_DEPLOYMENT
from kube_actors.sim import SimProfile

NAME = "nginx-deployment"
REVISION = "deployment.kubernetes.io/revision"
TYPO = SimProfile(image_pull_failures=["nginx:1.161"])


def events(c: Cluster, d: Deployment) -> list[tuple[str, str, str, str]]:
    """``(type, reason, source, message)`` of the Deployment's events, oldest first."""
    return [
        (e.type or "", e.reason or "", e.source.component or "", e.message or "")
        for e in c.events(d)
        if isinstance(e, Event)
    ]


def revisions(c: Cluster) -> dict[str, str]:
    """Image of each ReplicaSet's template by revision."""
    return {
        rs.metadata.annotations[REVISION]: rs.spec.template.spec["containers"][0]["image"]
        for rs in c.list(ReplicaSet)
    }


async def three_revisions(c: Cluster) -> None:
    """The seed's rollout: nginx:1.14.2, then 1.16.1, then the typo 1.161 that never pulls."""
    await c.apply(NGINX_DEPLOYMENT)
    await c.settle()
    for image in ("nginx:1.16.1", "nginx:1.161"):
        await c.set_image("Deployment", NAME, {"nginx": image})
        await c.settle()


@pytest.mark.anyio
async def test_undo_records_deployment_rollback_from_the_deployment_controller() -> None:
    async with Cluster(sim=TYPO) as c:
        await three_revisions(c)
        assert await c.rollout_undo(NAME) == f"deployment.apps/{NAME} rolled back"
        await c.settle()
        d = c.get(Deployment, NAME)
        bad = next(rs.name for rs in c.list(ReplicaSet) if rs.metadata.annotations[REVISION] == "3")
        assert events(c, d)[-2:] == [
            (
                "Normal",
                "DeploymentRollback",
                "deployment-controller",
                f'Rolled back deployment "{NAME}" to revision 2',
            ),
            (
                "Normal",
                "ScalingReplicaSet",
                "deployment-controller",
                f"Scaled down replica set {bad} to 0",
            ),
        ]
        assert [rev for rev, _ in c.rollout_history(NAME)] == [1, 3, 4]
        assert revisions(c) == {"1": "nginx:1.14.2", "3": "nginx:1.161", "4": "nginx:1.16.1"}
        assert d.metadata.annotations[REVISION] == "4"
        assert "deprecated.deployment.rollback.to" not in d.metadata.annotations
        assert d.spec.template.spec["containers"][0]["image"] == "nginx:1.16.1"
        assert c.rollout_status(NAME).done


@pytest.mark.anyio
async def test_undo_to_a_given_revision_names_that_revision_in_the_event() -> None:
    async with Cluster(sim=TYPO) as c:
        await three_revisions(c)
        assert await c.rollout_undo(NAME, to_revision=1) == f"deployment.apps/{NAME} rolled back"
        await c.settle()
        d = c.get(Deployment, NAME)
        rollbacks = [e for e in events(c, d) if e[1] == "DeploymentRollback"]
        assert rollbacks == [
            (
                "Normal",
                "DeploymentRollback",
                "deployment-controller",
                f'Rolled back deployment "{NAME}" to revision 1',
            )
        ]
        assert revisions(c) == {"2": "nginx:1.16.1", "3": "nginx:1.161", "4": "nginx:1.14.2"}


@pytest.fixture(autouse=True)
def _restore_structlog() -> Iterator[None]:
    """``main()`` configures structlog for the process; put the previous config back."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def test_the_cli_shows_the_rollback_event_in_describe_and_events(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KUBE_ACTORS_LOG", raising=False)
    (tmp_path / "nginx.yaml").write_text(NGINX_DEPLOYMENT)

    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    assert run("apply", "-f", "nginx.yaml")[0] == 0
    assert run("set", "image", f"deployment/{NAME}", "nginx=nginx:1.16.1")[0] == 0
    assert run("rollout", "undo", f"deployment/{NAME}") == (
        0,
        f"deployment.apps/{NAME} rolled back\n",
        "",
    )
    line = f'Rolled back deployment "{NAME}" to revision 1'
    described = run("describe", "deployment", NAME)[1]
    assert any(
        row.split()[:2] == ["Normal", "DeploymentRollback"]
        and "deployment-controller" in row
        and row.endswith(line)
        for row in described.splitlines()
    )
    listed = run("events", "--for", f"deployment/{NAME}")[1]
    assert any("DeploymentRollback" in row and row.endswith(line) for row in listed.splitlines())
    assert run("rollout", "undo", f"deployment/{NAME}", "--to-revision=9") == (
        1,
        "",
        "error: unable to find specified revision 9 in history\n",
    )
