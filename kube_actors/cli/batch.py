"""``create job`` and ``create cronjob``: kubectl's generators for batch work.

``create job NAME --image=IMG [-- COMMAND...]`` makes a one-container Job (restartPolicy
Never), ``create job NAME --from=cronjob/CJ`` instantiates a CronJob's job template by hand
(annotation ``cronjob.kubernetes.io/instantiate: manual``, owned by the CronJob), and
``create cronjob NAME --image=IMG --schedule=S [-- COMMAND...]`` a CronJob (restartPolicy
OnFailure unless ``--restart``). Each prints ``job.batch/NAME created``.

Upstream: staging/src/k8s.io/kubectl/pkg/cmd/create/create_job.go, create_cronjob.go
"""

from __future__ import annotations

import argparse
from typing import Any

from kube_actors.api.batch import CronJob
from kube_actors.api.codec import from_dict, to_dict
from kube_actors.api.meta import AnyObject
from kube_actors.cli.kinds import CliError, resolve, resource_name
from kube_actors.cli.options import Options
from kube_actors.cli.running import report, with_cluster

INSTANTIATE_ANNOTATION = "cronjob.kubernetes.io/instantiate"


def _container(name: str, image: str, command: list[str]) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if command:
        container["command"] = command
    return container


def job_from_image(name: str, image: str, command: list[str]) -> dict[str, Any]:
    """Upstream: create_job.go createJob"""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "spec": {
                    "containers": [_container(name, image, command)],
                    "restartPolicy": "Never",
                }
            }
        },
    }


def job_from_cronjob(name: str, cronjob: CronJob) -> dict[str, Any]:
    """The CronJob's job template as a Job of its own, owned by the CronJob (without
    ``blockOwnerDeletion``, as kubectl leaves it out).

    Upstream: create_job.go createJobFromCronJob
    """
    template = to_dict(cronjob)["spec"].get("jobTemplate") or {}
    meta = template.get("metadata") or {}
    annotations = {INSTANTIATE_ANNOTATION: "manual", **(meta.get("annotations") or {})}
    metadata: dict[str, Any] = {
        "name": name,
        "annotations": annotations,
        "ownerReferences": [
            {
                "apiVersion": "batch/v1",
                "kind": "CronJob",
                "name": cronjob.name,
                "uid": cronjob.uid,
                "controller": True,
            }
        ],
    }
    if meta.get("labels"):
        metadata["labels"] = meta["labels"]
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": metadata,
        "spec": template.get("spec") or {},
    }


def cronjob_from_image(
    name: str, image: str, schedule: str, restart: str, command: list[str]
) -> dict[str, Any]:
    """Upstream: create_cronjob.go createCronJob"""
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": name},
        "spec": {
            "schedule": schedule,
            "jobTemplate": {
                "metadata": {"name": name},
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [_container(name, image, command)],
                            "restartPolicy": restart,
                        }
                    }
                },
            },
        },
    }


def _from_cronjob(text: str) -> str:
    """The CronJob a ``--from`` names (``cronjob/NAME``, ``cj/NAME``...)."""
    kind_text, _, name = text.partition("/")
    if not name or resolve(kind_text) != "CronJob":
        raise CliError(f"from must be an existing cronjob: {text}")
    return name


def _create(options: Options, build: Any) -> int:
    async def action(cluster: Any) -> None:
        manifest = build(cluster)
        manifest["metadata"]["namespace"] = options.namespace
        created: AnyObject = await cluster.create(from_dict(manifest))
        report(cluster, f"{resource_name(created)} created\n")

    with_cluster(options, action)
    return 0


def cmd_create_job(opts: argparse.Namespace) -> int:
    """``create job NAME --image=IMG [-- COMMAND...]`` or ``--from=cronjob/NAME``."""
    options = Options.of(opts)
    command = list(opts.command or [])
    if bool(opts.image) == bool(opts.from_):
        raise CliError("either --image or --from must be specified")
    if command and opts.from_:
        raise CliError("cannot specify --from and command")
    if opts.image:
        return _create(options, lambda cluster: job_from_image(opts.name, opts.image, command))
    source = _from_cronjob(opts.from_)

    def build(cluster: Any) -> dict[str, Any]:
        return job_from_cronjob(opts.name, cluster.get(CronJob, source, options.namespace))

    return _create(options, build)


def cmd_create_cronjob(opts: argparse.Namespace) -> int:
    """``create cronjob NAME --image=IMG --schedule=S [--restart=R] [-- COMMAND...]``."""
    options = Options.of(opts)
    if not opts.image:
        raise CliError("--image must be specified")
    if not opts.schedule:
        raise CliError("--schedule must be specified")
    manifest = cronjob_from_image(
        opts.name, opts.image, opts.schedule, opts.restart, list(opts.command or [])
    )
    return _create(options, lambda cluster: manifest)
