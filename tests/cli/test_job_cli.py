"""``kube-actors get jobs`` / ``describe job`` and the pods of Jobs in ``get pods``, for the seeds' Jobs."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import FIXTURES, Run

SEEDS = FIXTURES / "seeds"
PI = SEEDS / "002_09_Job_pi.yaml"
JOB_FAILED_DEMO = SEEDS / "004_10_Job_job-failed-demo.yaml"
JOB_PARA_TEST = SEEDS / "004_11_Job_job-para-test.yaml"

FAILING = """\
containers:
- image: busybox
  exitCode: 1
  runFor: 0
"""


def test_get_jobs_shows_the_seeds_columns_and_the_pod_shows_completed(cli: Run) -> None:
    assert cli("apply", "-f", str(PI)).code == 0
    assert cli("get", "jobs").out.splitlines() == [
        "NAME   COMPLETIONS   DURATION   AGE",
        "pi     1/1           7s         7s",
    ]
    pods = cli("get", "pods").out.splitlines()
    assert pods[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert pods[1].split()[1:] == ["0/1", "Completed", "0", "7s"]


def test_get_jobs_wide_adds_status_containers_images_and_selector(cli: Run) -> None:
    cli("apply", "-f", str(PI))
    header, row = cli("get", "jobs", "-o", "wide").out.splitlines()
    assert header.split()[-5:] == ["AGE", "STATUS", "CONTAINERS", "IMAGES", "SELECTOR"]
    cells = row.split()
    assert cells[4:7] == ["Complete", "pi", "perl"]
    assert cells[7].startswith("controller-uid=")


def test_job_para_test_counts_to_eight_of_eight(cli: Run) -> None:
    cli("apply", "-f", str(JOB_PARA_TEST))
    row = cli("get", "job", "job-para-test").out.splitlines()[1].split()
    assert row[:2] == ["job-para-test", "8/8"]
    statuses = [line.split()[2] for line in cli("get", "pods").out.splitlines()[1:]]
    assert statuses == ["Completed"] * 8


def test_failed_job_pods_show_error_and_the_job_its_back_off_warning(
    cli: Run, tmp_path: Path
) -> None:
    profile = tmp_path / "failing.yaml"
    profile.write_text(FAILING)
    assert cli("--sim", str(profile), "apply", "-f", str(JOB_FAILED_DEMO)).code == 0
    statuses = [line.split()[2] for line in cli("get", "pods").out.splitlines()[1:]]
    assert statuses == ["Error"] * 7
    wide = cli("get", "jobs", "-o", "wide").out.splitlines()[1].split()
    assert wide[1] == "0/1"
    assert wide[4] == "Failed"
    text = cli("describe", "job", "job-failed-demo").out
    assert "Pods Statuses:    0 Active (0 Ready) / 0 Succeeded / 7 Failed\n" in text
    assert "Completed At" not in text
    assert text.rstrip().splitlines()[-1].split(None, 4) == [
        "Warning",
        "BackoffLimitExceeded",
        "0s",
        "job-controller",
        "Job has reached the specified backoff limit",
    ]


def test_describe_job_prints_kubectls_layout(cli: Run) -> None:
    cli("apply", "-f", str(PI))
    text = cli("describe", "job", "pi").out
    lines = text.splitlines()
    uid = lines[2].split("controller-uid=")[1]
    pod = cli("get", "pods", "-o", "name").out.strip().removeprefix("pod/")
    assert lines[:21] == [
        "Name:             pi",
        "Namespace:        default",
        f"Selector:         controller-uid={uid}",
        f"Labels:           batch.kubernetes.io/controller-uid={uid}",
        "                  batch.kubernetes.io/job-name=pi",
        f"                  controller-uid={uid}",
        "                  job-name=pi",
        "Annotations:      <none>",
        "Parallelism:      1",
        "Completions:      1",
        "Completion Mode:  NonIndexed",
        "Suspend:          false",
        "Backoff Limit:    4",
        "Start Time:       Mon, 01 Jan 2024 00:00:00 +0000",
        "Completed At:     Mon, 01 Jan 2024 00:00:07 +0000",
        "Duration:         7s",
        "Pods Statuses:    0 Active (0 Ready) / 1 Succeeded / 0 Failed",
        "Pod Template:",
        f"  Labels:  batch.kubernetes.io/controller-uid={uid}",
        "           batch.kubernetes.io/job-name=pi",
        f"           controller-uid={uid}",
    ]
    assert lines[-5:] == [
        "Events:",
        "  Type    Reason            Age   From            Message",
        "  ----    ------            ----  ----            -------",
        f"  Normal  SuccessfulCreate  7s    job-controller  Created pod: {pod}",
        "  Normal  Completed         0s    job-controller  Job completed",
    ]


def test_describe_indexed_job_lists_completed_indexes(cli: Run, tmp_path: Path) -> None:
    manifest = tmp_path / "indexed.yaml"
    manifest.write_text(
        PI.read_text().replace(
            "  backoffLimit: 4", "  backoffLimit: 4\n  completions: 3\n  completionMode: Indexed"
        )
    )
    cli("apply", "-f", str(manifest))
    lines = cli("describe", "job", "pi").out.splitlines()[:20]
    fields = {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}
    assert fields["Completion Mode"] == "Indexed"
    assert fields["Completed Indexes"] == "0-2"
    assert fields["Pods Statuses"] == "0 Active (0 Ready) / 3 Succeeded / 0 Failed"
