"""``create job`` and ``create cronjob``: the objects kubectl's generators make."""

from __future__ import annotations

import json

from tests.cli.conftest import Run


def test_create_job_from_an_image_with_a_command(cli: Run) -> None:
    created = cli("create", "job", "hello", "--image=busybox", "--no-settle", "--", "echo", "hi")
    assert created.out == "job.batch/hello created\n"
    job = json.loads(cli("get", "job", "hello", "-o", "json").out)
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never"
    assert [(c["name"], c["image"], c["command"]) for c in spec["containers"]] == [
        ("hello", "busybox", ["echo", "hi"])
    ]


def test_create_cronjob_then_a_job_from_it_by_hand(cli: Run) -> None:
    made = cli(
        "create", "cronjob", "tick", "--image=busybox", "--schedule=*/5 * * * *", "--no-settle"
    )
    assert made.out == "cronjob.batch/tick created\n"
    cronjob = json.loads(cli("get", "cj", "tick", "-o", "json").out)
    assert cronjob["spec"]["schedule"] == "*/5 * * * *"
    template = cronjob["spec"]["jobTemplate"]
    assert template["metadata"]["name"] == "tick"
    assert template["spec"]["template"]["spec"]["restartPolicy"] == "OnFailure"
    manual = cli("create", "job", "tick-manual", "--from=cronjob/tick", "--no-settle")
    assert manual.out == "job.batch/tick-manual created\n"
    job = json.loads(cli("get", "job", "tick-manual", "-o", "json").out)
    assert job["metadata"]["annotations"]["cronjob.kubernetes.io/instantiate"] == "manual"
    (owner,) = job["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"], owner["uid"], owner["controller"]) == (
        "CronJob",
        "tick",
        cronjob["metadata"]["uid"],
        True,
    )
    assert "blockOwnerDeletion" not in owner
    assert job["spec"]["template"]["spec"]["containers"][0]["image"] == "busybox"


def test_create_refuses_what_kubectl_refuses(cli: Run) -> None:
    assert cli("create").err == "error: must specify one of -f and -k\n"
    neither = cli("create", "job", "x")
    assert neither.err == "error: either --image or --from must be specified\n"
    both = cli("create", "job", "x", "--image=a", "--from=cronjob/y")
    assert both.err == "error: either --image or --from must be specified\n"
    command = cli("create", "job", "x", "--from=cronjob/y", "--", "date")
    assert command.err == "error: cannot specify --from and command\n"
    missing = cli("create", "job", "x", "--from=cronjob/absent")
    assert missing.code == 1
    assert 'cronjobs.batch "absent" not found' in missing.err
    not_cron = cli("create", "job", "x", "--from=deployment/web")
    assert not_cron.err == "error: from must be an existing cronjob: deployment/web\n"
    assert cli("create", "cronjob", "c", "--schedule=* * * * *").err == (
        "error: --image must be specified\n"
    )
    assert cli("create", "cronjob", "c", "--image=a").err == "error: --schedule must be specified\n"
    assert cli("get", "jobs").out == ""
    assert cli("get", "cronjobs").out == ""
