"""``kube-actors apply`` after editing the file: what the user removed is gone from the live object."""

from __future__ import annotations

import json
from pathlib import Path

WEB = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
        ports: [{containerPort: 80}]
"""


def _app(cli) -> dict:
    got = json.loads(cli("get", "deploy/web", "-o", "json").out)
    return next(c for c in got["spec"]["template"]["spec"]["containers"] if c["name"] == "app")


def test_reapplying_an_edited_file_removes_the_env_entry_and_fields_it_dropped(
    cli, tmp_path: Path
) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(WEB)
    assert cli("apply", "-f", "web.yaml", "--no-settle").code == 0
    manifest.write_text(WEB.replace(', {name: B, value: "2"}', ""))
    assert cli("apply", "-f", "web.yaml", "--no-settle").out == "deployment.apps/web configured\n"
    assert _app(cli)["env"] == [{"name": "A", "value": "1"}]
    manifest.write_text(
        WEB.replace('        env: [{name: A, value: "1"}, {name: B, value: "2"}]\n', "")
    )
    assert cli("apply", "-f", "web.yaml", "--no-settle").out == "deployment.apps/web configured\n"
    assert "env" not in _app(cli)
    assert cli("apply", "-f", "web.yaml", "--no-settle").out == "deployment.apps/web unchanged\n"


def test_reapplying_keeps_a_scale_when_the_file_does_not_mention_replicas(
    cli, tmp_path: Path
) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(WEB.replace("  replicas: 2\n", ""))
    cli("apply", "-f", "web.yaml", "--no-settle")
    assert cli("scale", "deploy/web", "--replicas=5", "--no-settle").code == 0
    manifest.write_text(
        WEB.replace("  replicas: 2\n", "").replace("        ports: [{containerPort: 80}]\n", "")
    )
    assert cli("apply", "-f", "web.yaml", "--no-settle").out == "deployment.apps/web configured\n"
    got = json.loads(cli("get", "deploy/web", "-o", "json").out)
    assert got["spec"]["replicas"] == 5
    assert "ports" not in _app(cli)
    assert _app(cli)["imagePullPolicy"] == "Always"
