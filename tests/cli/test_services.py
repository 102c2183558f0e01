"""``get svc|endpoints|endpointslices`` and ``describe svc`` with kubectl 1.32's columns."""

from __future__ import annotations

import re

from tests.cli.conftest import Run
from tests.controllers.endpoints.test_endpoints import BACKEND


def test_services_endpoints_and_slices_as_kubectl_prints_them(cli: Run) -> None:
    assert cli("apply", "-f", "-", stdin=BACKEND.replace("replicas: 3", "replicas: 5")).code == 0
    svc = cli("get", "svc", "backend").out.splitlines()
    assert svc[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert re.fullmatch(
        r"backend +ClusterIP +10\.(9[6-9]|10\d|11[01])\.\d+\.\d+ +<none> +80/TCP +\S+", svc[1]
    )
    endpoints = cli("get", "endpoints", "backend").out.splitlines()
    assert endpoints[0].split() == ["NAME", "ENDPOINTS", "AGE"]
    assert re.fullmatch(
        r"backend +(10\.244\.\d+\.\d+:9376,){2}10\.244\.\d+\.\d+:9376 \+ 2 more\.\.\. +\S+",
        endpoints[1],
    )
    slices = cli("get", "endpointslices").out.splitlines()
    assert slices[0].split() == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert re.fullmatch(
        r"backend-[a-z0-9]{5} +IPv4 +9376 +(10\.244\.\d+\.\d+,){2}10\.244\.\d+\.\d+ \+ 2 more\.\.\. +\S+",
        slices[1],
    )
    text = cli("describe", "svc", "backend").out
    assert re.search(
        r"\nSelector: +app=backend\nType: +ClusterIP\nIP Family Policy: +SingleStack\n", text
    )
    assert re.search(r"\nPort: +<unset>  80/TCP\nTargetPort: +9376/TCP\nEndpoints: +", text)
    assert re.search(
        r"\nEndpoints: +(10\.244\.\d+\.\d+:9376,){2}10\.244\.\d+\.\d+:9376 \+ 2 more\.\.\.\n", text
    )
    assert text.endswith("Internal Traffic Policy:  Cluster\nEvents:                   <none>\n")


def test_a_service_asking_for_a_taken_address_is_refused(cli: Run) -> None:
    first = "apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {clusterIP: 10.96.0.10, ports: [{port: 80}]}\n"
    assert cli("apply", "-f", "-", stdin=first).code == 0
    second = cli("apply", "-f", "-", stdin=first.replace("name: a", "name: b"))
    assert second.code == 1
    assert second.err == (
        'The Service "b" is invalid: spec.clusterIPs: Invalid value: ["10.96.0.10"]: '
        "failed to allocate IP 10.96.0.10: provided IP is already allocated\n"
    )
