"""``kube-actors serve``: the cluster of a log as a Kubernetes API server, until a signal.

Opens the log as a running cluster (or, with ``--at``/``--at-time``, folds it read-only
up to that position), serves it (``kube_actors.server``), writes a kubeconfig and prints
how to use it. Loopback only unless ``--address`` names another address; plain HTTP
(``--insecure-http``) only on loopback. SIGINT or SIGTERM stops it cleanly: every
record appended so far stays in the log.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys

import anyio

from kube_actors.cli.kinds import CliError
from kube_actors.cli.options import Options
from kube_actors.cli.output import err
from kube_actors.cli.printers import table_rows
from kube_actors.cli.running import CLI_ACTOR
from kube_actors.cli.snapshots import read_snapshot
from kube_actors.eventlog import FileLog
from kube_actors.server import ApiServer, ServerOptions, is_loopback

DEFAULT_PORT = 6443
DEFAULT_KUBECONFIG = "kube-actors.kubeconfig"
DEFAULT_PKI = "kube-actors-pki"


def _server_kwargs(args: argparse.Namespace) -> dict[str, object]:
    """ApiServer's arguments from the flags, checked before anything is opened.

    Raises:
        CliError: a bad port, speed, body limit, or plain HTTP on a non-loopback address.
    """
    address = args.address or "127.0.0.1"
    if args.insecure_http and not is_loopback(address):
        raise CliError(f"--insecure-http is refused on {address}: it is not a loopback address")
    if not 0 <= args.port <= 65535:
        raise CliError(f"--port must be between 0 and 65535, got {args.port}")
    if args.speed is not None and not args.speed > 0:
        raise CliError(f"--speed must be > 0, got {args.speed}")
    if args.max_body < 1024:
        raise CliError(f"--max-body must be at least 1024 bytes, got {args.max_body}")
    return {
        "address": address,
        "port": args.port,
        "tls": not args.insecure_http,
        "pki_dir": args.pki,
        "kubeconfig_path": args.kubeconfig,
        "speed": args.speed,
        "allow_remote": args.address is not None,
        "options": ServerOptions(max_body=args.max_body, table=table_rows),
    }


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM; exit code 0."""
    options = Options.of(args)
    kwargs = _server_kwargs(args)
    if args.speed is not None and options.real_time:
        raise CliError("--speed and --real-time cannot be used together")
    if options.at is not None:
        snapshot = read_snapshot(options)
        anyio.run(_serve, ApiServer(snapshot, **kwargs))  # type: ignore[arg-type]
        return 0
    sim = options.load_sim()
    log = FileLog(options.log)
    try:
        anyio.run(_serve_log, log, options, sim, kwargs)
    finally:
        log.close()
    return 0


async def _serve_log(
    log: FileLog, options: Options, sim: object, kwargs: dict[str, object]
) -> None:
    from kube_actors.cluster import Cluster

    async with Cluster(
        log=log,
        seed=options.seed,
        sim=sim,  # type: ignore[arg-type]
        actor=CLI_ACTOR,
        clock="real" if options.real_time else "virtual",
    ) as cluster:
        await _serve(ApiServer(cluster, **kwargs))  # type: ignore[arg-type]


async def _serve(server: ApiServer) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with server:
            path = server.kubeconfig_path
            err(f"Serving the Kubernetes API at {server.url}\n")
            if path is not None:
                err(
                    f"Kubeconfig written to {path}; try:\n  KUBECONFIG={os.fspath(path)} kubectl get pods\n"
                )
            sys.stderr.flush()
            async for _ in signals:
                break
