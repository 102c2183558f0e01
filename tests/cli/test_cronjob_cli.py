"""``kube-actors get cronjobs`` and ``describe cronjob`` for the seed's ``hello`` CronJob."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import Run

SEED = Path(__file__).parents[1] / "fixtures" / "seeds" / "002_12_CronJob_hello.yaml"

ZONED = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: morning
  labels:
    team: ops
spec:
  schedule: "0 9 * * *"
  timeZone: Asia/Tokyo
  suspend: true
  concurrencyPolicy: Forbid
  startingDeadlineSeconds: 120
  successfulJobsHistoryLimit: 5
  jobTemplate:
    spec:
      parallelism: 2
      completions: 4
      activeDeadlineSeconds: 600
      template:
        spec:
          containers:
          - name: report
            image: busybox
          restartPolicy: Never
"""


def test_a_new_cronjob_settles_at_once_and_shows_no_schedule_yet(cli: Run) -> None:
    assert cli("apply", "-f", str(SEED)).out == "cronjob.batch/hello created\n"
    assert cli("get", "cronjobs").out.splitlines() == [
        "NAME    SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
        "hello   * * * * *   <none>     false     0        <none>          0s",
    ]


def test_get_cronjobs_shows_the_last_schedule_and_the_active_jobs(cli: Run) -> None:
    cli("apply", "-f", str(SEED))
    assert cli("advance", "2m1s").code == 0
    assert cli("get", "cj").out.splitlines() == [
        "NAME    SCHEDULE    TIMEZONE   SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
        "hello   * * * * *   <none>     false     1        0s              2m",
    ]
    wide = cli("get", "cronjobs", "-o", "wide").out.splitlines()
    assert wide[0].split()[-4:] == ["AGE", "CONTAINERS", "IMAGES", "SELECTOR"]
    assert wide[1].split()[-3:] == ["hello", "busybox:1.28", "<none>"]


def test_get_cronjobs_shows_the_time_zone(cli: Run, tmp_path: Path) -> None:
    manifest = tmp_path / "morning.yaml"
    manifest.write_text(ZONED)
    cli("apply", "-f", str(manifest))
    assert cli("get", "cronjobs").out.splitlines() == [
        "NAME      SCHEDULE    TIMEZONE     SUSPEND   ACTIVE   LAST SCHEDULE   AGE",
        "morning   0 9 * * *   Asia/Tokyo   true      0        <none>          0s",
    ]


def test_describe_cronjob_prints_kubectls_layout(cli: Run, tmp_path: Path) -> None:
    manifest = tmp_path / "morning.yaml"
    manifest.write_text(ZONED)
    cli("apply", "-f", str(manifest))
    result = cli("describe", "cronjob", "morning")
    assert result.code == 0
    assert result.out == (
        "Name:                          morning\n"
        "Namespace:                     default\n"
        "Labels:                        team=ops\n"
        "Annotations:                   <none>\n"
        "Schedule:                      0 9 * * *\n"
        "Concurrency Policy:            Forbid\n"
        "Suspend:                       true\n"
        "Successful Job History Limit:  5\n"
        "Failed Job History Limit:      1\n"
        "Starting Deadline Seconds:     120s\n"
        "Selector:                      <unset>\n"
        "Parallelism:                   2\n"
        "Completions:                   4\n"
        "Active Deadline Seconds:       600s\n"
        "Pod Template:\n"
        "  Labels:  <none>\n"
        "  Containers:\n"
        "   report:\n"
        "    Image:           busybox\n"
        "    Port:            <none>\n"
        "    Host Port:       <none>\n"
        "    Environment:     <none>\n"
        "    Mounts:          <none>\n"
        "  Volumes:           <none>\n"
        "  Node-Selectors:    <none>\n"
        "  Tolerations:       <none>\n"
        "Last Schedule Time:  <unset>\n"
        "Active Jobs:         <none>\n"
        "Events:              <none>\n"
    )


def test_describe_cronjob_lists_active_jobs_and_the_controllers_events(cli: Run) -> None:
    cli("apply", "-f", str(SEED))
    cli("advance", "1m1s")
    out = cli("describe", "cj", "hello").out
    assert "Last Schedule Time:  Mon, 01 Jan 2024 00:01:00 +0000\n" in out
    job = "hello-28401121"
    assert f"Active Jobs:         {job}\n" in out
    assert out.endswith(
        "Events:\n"
        "  Type    Reason            Age   From                Message\n"
        "  ----    ------            ----  ----                -------\n"
        f"  Normal  SuccessfulCreate  0s    cronjob-controller  Created job {job}\n"
    )


def test_a_job_from_a_cronjob_by_hand_is_unexpected_and_not_scheduled(cli: Run) -> None:
    cli("apply", "-f", str(SEED))
    assert cli("create", "job", "manual", "--from=cronjob/hello").code == 0
    row = cli("get", "cj", "hello").out.splitlines()[1]
    assert row.startswith("hello   * * * * *   <none>     false     0        <none>")
    events = cli("get", "events").out
    assert "Saw a job that the controller did not create or forgot: manual" in events
