"""``ApiServer``: the Kubernetes API over HTTP(S) for a running ``Cluster`` or a snapshot.

```python
async with Cluster() as cluster:
    async with cluster.serve(port=0) as api:      # api.url, api.ca_pem, api.token
        ...                                       # kubectl, client libraries, operators
```

It runs Uvicorn in the cluster's own event loop (asyncio), so handlers read the fold and
write through the store directly, and a ``TimeDriver`` moves the cluster's clock (see
``server.timing``). Binding is loopback-only unless an address is given explicitly; plain
HTTP (``tls=False``) is refused on any other address. A fresh bearer token is made on
every start unless one is given; TLS uses a CA and certificate kept in ``pki_dir`` (a
temporary directory when not given) and made on first use.
"""

from __future__ import annotations

import contextlib
import ipaddress
import os
import secrets
import socket
import tempfile
from collections.abc import Generator
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Self, final

import anyio
import anyio.lowlevel
import uvicorn

from kube_actors.replay import Snapshot
from kube_actors.server.app import build_app
from kube_actors.server.context import ApiContext, ServerOptions
from kube_actors.server.kubeconfig import kubeconfig, write_kubeconfig
from kube_actors.server.timing import TimeDriver
from kube_actors.server.tls import ensure_certs

if TYPE_CHECKING:
    from kube_actors.cluster import Cluster

LOOPBACK = "127.0.0.1"


class _Uvicorn(uvicorn.Server):
    """Uvicorn without its own signal handlers: the embedding program owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def is_loopback(address: str) -> bool:
    """Whether ``address`` is a loopback address (or ``localhost``)."""
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@final
class ApiServer:
    """Serves ``source`` (a live ``Cluster`` or a read-only ``Snapshot``) while entered.

    Args:
        source: what to serve.
        address: where to listen; loopback unless ``allow_remote`` says otherwise.
        port: the TCP port (0: any free one; see ``url``).
        tls: HTTPS with a self-signed CA (the default), or plain HTTP (loopback only).
        token: the bearer token clients must send (default: a fresh random one).
        pki_dir: where the CA and serving certificate are kept.
        kubeconfig_path: write a kubeconfig there on start.
        speed: tie virtual time to the wall clock this many times faster.
        allow_remote: the caller named a non-loopback address explicitly.
        options: body limit, table columns, watch settings.

    Raises:
        ValueError: plain HTTP or an implicit non-loopback bind on a non-loopback address.
    """

    def __init__(
        self,
        source: Cluster | Snapshot,
        *,
        address: str = LOOPBACK,
        port: int = 0,
        tls: bool = True,
        token: str | None = None,
        pki_dir: str | os.PathLike[str] | None = None,
        kubeconfig_path: str | os.PathLike[str] | None = None,
        speed: float | None = None,
        allow_remote: bool = False,
        options: ServerOptions | None = None,
    ) -> None:
        if not is_loopback(address):
            if not tls:
                raise ValueError(
                    f"plain HTTP is refused on {address}: it is not a loopback address (use TLS)"
                )
            if not allow_remote:
                raise ValueError(
                    f"{address} is not a loopback address: pass it explicitly to serve on it"
                )
        self.source = source
        self.address = address
        self.port = port
        self.tls = tls
        self.token = token or secrets.token_urlsafe(32)
        self._pki_dir = pki_dir
        self.kubeconfig_path = Path(kubeconfig_path) if kubeconfig_path is not None else None
        self.options = options or ServerOptions()
        self.speed = speed
        self.ca_pem: bytes | None = None
        self.url = ""
        self.kubeconfig = ""
        self.context: ApiContext | None = None
        self._driver_scope: anyio.CancelScope | None = None
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        try:
            await self._start()
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def _start(self) -> None:
        driver, ctx = self._context()
        self.context = ctx
        sock = self._bind()
        host = self.address if ":" not in self.address else f"[{self.address}]"
        bound = sock.getsockname()[1]
        scheme = "https" if self.tls else "http"
        self.url = f"{scheme}://{host}:{bound}"
        cert_file, key_file = self._tls_files()
        config = uvicorn.Config(
            build_app(ctx, self.token, f"{host}:{bound}"),
            lifespan="off",
            log_level="warning",
            access_log=False,
            timeout_graceful_shutdown=1,
            ssl_certfile=cert_file,
            ssl_keyfile=key_file,
        )
        server = _Uvicorn(config)
        group = await self._stack.enter_async_context(anyio.create_task_group())
        self._stack.callback(self._stop, server, ctx)
        group.start_soon(server.serve, [sock])
        if driver is not None:
            group.start_soon(self._drive, driver)
        while not server.started:
            if server.should_exit:
                raise OSError(f"the API server could not start on {self.url}")
            await anyio.sleep(0.005)
        self.kubeconfig = kubeconfig(self.url, self.token, self.ca_pem)
        if self.kubeconfig_path is not None:
            write_kubeconfig(self.kubeconfig_path, self.kubeconfig)

    def _context(self) -> tuple[TimeDriver | None, ApiContext]:
        source = self.source
        if isinstance(source, Snapshot):
            reason = (
                f"the server is serving a read-only snapshot at resourceVersion {source.rv}: "
                "writes are not allowed"
            )
            snapshot_now = source.now
            return None, ApiContext(
                source,
                cluster=None,
                driver=None,
                now=lambda: snapshot_now,
                options=self.options,
                read_only=reason,
            )
        driver = TimeDriver(source, self.speed)
        return driver, ApiContext(
            source.store, cluster=source, driver=driver, now=source.now, options=self.options
        )

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.address, self.port))
        except OSError:
            sock.close()
            raise
        self._stack.callback(sock.close)
        return sock

    def _tls_files(self) -> tuple[str | None, str | None]:
        if not self.tls:
            return None, None
        directory = self._pki_dir
        if directory is None:
            directory = self._stack.enter_context(
                tempfile.TemporaryDirectory(prefix="kube-actors-pki-")
            )
        certs = ensure_certs(directory, [self.address])
        self.ca_pem = certs.ca_pem
        return str(certs.cert_file), str(certs.key_file)

    async def _drive(self, driver: TimeDriver) -> None:
        with anyio.CancelScope() as self._driver_scope:
            await driver.run()

    def _stop(self, server: uvicorn.Server, ctx: ApiContext) -> None:
        ctx.close()
        if self._driver_scope is not None:
            self._driver_scope.cancel()
        server.should_exit = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._stack.aclose()
        # Closed connections finish closing in the loop's next iterations.
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
        # Closed connections finish closing in the loop's next iterations.
        for _ in range(3):
            await anyio.lowlevel.checkpoint()
