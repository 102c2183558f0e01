"""The README's admission webhook transcript, run against the seed's webhook server.

The configurations are the README's YAML with the test server's address and CA; the
server's port is shown as 8443. A shown output ending in ``...`` is a prefix of the real one.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.cli.conftest import Run
from tests.webhook_server import webhook_server

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{labels}
spec:
  replicas: 2
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec: {{containers: [{{name: nginx, image: "nginx:1.25"}}]}}
"""
LABELS = "\n  labels: {app.kubernetes.io/name: web, app.kubernetes.io/version: '1.25'}"


def example() -> tuple[str, list[tuple[list[str], list[str]]]]:
    """The README's configuration YAML and its (command, output lines) pairs."""
    start = README.index("<!-- webhooks-example:start -->")
    end = README.index("<!-- webhooks-example:end -->")
    part = README[start:end]
    [yaml_text] = re.findall(r"```yaml\n(.*?)```", part, re.S)
    [console] = re.findall(r"```console\n(.*?)```", part, re.S)
    steps: list[tuple[list[str], list[str]]] = []
    for line in console.splitlines():
        if line.startswith("$ "):
            command = shlex.split(line[2:], comments=True)
            assert command[0] == "kube-actors"
            steps.append((command[1:], []))
        else:
            steps[-1][1].append(line)
    return yaml_text, steps


def test_the_readme_webhook_transcript_is_what_the_command_prints(cli: Run, tmp_path: Path) -> None:
    yaml_text, steps = example()
    Path("web.yaml").write_text(WEB.format(name="web", labels=""))
    Path("web-labelled.yaml").write_text(WEB.format(name="web", labels=LABELS))
    Path("api.yaml").write_text(WEB.format(name="api", labels=LABELS))
    with webhook_server() as server:
        config = yaml_text.replace("https://127.0.0.1:8443", server.url)
        Path("webhooks.yaml").write_text(config.replace("<base64 PEM of the CA>", server.ca_bundle))
        for args, shown in steps:
            if args == ["apply", "-f", "api.yaml"]:
                server.stop()
            result = cli(*args)
            printed = (result.out + result.err).replace(f":{server.port}", ":8443").splitlines()
            if shown and shown[-1] == "...":
                shown = shown[:-1]
                printed = printed[: len(shown)]
            assert printed == shown, args
    assert cli("get", "deploy", "api").code == 1  # the refused write wrote nothing
