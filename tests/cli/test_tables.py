"""kubectl's column layout (Go's tabwriter) and its human durations, checked in-process."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kube_actors.cli.tables import age, human_duration, plain_table, rfc1123z, tabwrite


def test_get_tables_pad_to_the_widest_cell_plus_three_and_leave_the_last_column_unpadded() -> None:
    text = plain_table(
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        [
            ["nginx-deployment-1564180365", "3", "3", "3", "6s"],
            ["nginx-deployment-2035384211", "0", "0", "0", "36s"],
        ],
    )
    assert text == (
        "NAME                          DESIRED   CURRENT   READY   AGE\n"
        "nginx-deployment-1564180365   3         3         3       6s\n"
        "nginx-deployment-2035384211   0         0         0       36s\n"
    )


def test_narrow_columns_get_kubectls_minimum_width_of_six() -> None:
    assert plain_table(["A", "B"], [["1", "2"]]) == "A     B\n1     2\n"


def test_describe_alignment_restarts_at_lines_without_cells() -> None:
    text = (
        "Name:\tnginx\nRollingUpdateStrategy:\t25%\nPod Template:\n  Labels:\tapp=nginx\n"
        "Conditions:\n  Type\tStatus\tReason\n  Available \tTrue\tMinimumReplicasAvailable\n"
        "OldReplicaSets:\t<none>\n"
    )
    assert tabwrite(text) == (
        "Name:                   nginx\n"
        "RollingUpdateStrategy:  25%\n"
        "Pod Template:\n"
        "  Labels:  app=nginx\n"
        "Conditions:\n"
        "  Type           Status  Reason\n"
        "  Available      True    MinimumReplicasAvailable\n"
        "OldReplicaSets:  <none>\n"
    )


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (-1, "0s"),
        (-5, "<invalid>"),
        (0, "0s"),
        (45, "45s"),
        (119, "119s"),
        (120, "2m"),
        (150, "2m30s"),
        (600, "10m"),
        (2 * 3600 + 59, "120m"),
        (3 * 3600, "3h"),
        (5 * 3600 + 7 * 60, "5h7m"),
        (30 * 3600, "30h"),
        (3 * 86400 + 3600, "3d1h"),
        (8 * 86400, "8d"),
        (400 * 86400, "400d"),
        (3 * 365 * 86400 + 4 * 86400, "3y4d"),
        (10 * 365 * 86400, "10y"),
    ],
)
def test_human_duration_follows_apimachinery(seconds: int, text: str) -> None:
    assert human_duration(timedelta(seconds=seconds)) == text


def test_age_and_describe_times() -> None:
    now = datetime(2024, 1, 1, 0, 2, 30, tzinfo=UTC)
    assert age(datetime(2024, 1, 1, tzinfo=UTC), now) == "2m30s"
    assert age(None, now) == "<unknown>"
    assert rfc1123z(now) == "Mon, 01 Jan 2024 00:02:30 +0000"
