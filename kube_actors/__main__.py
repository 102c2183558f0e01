"""``python -m kube_actors``: the ``kube-actors`` command."""

from __future__ import annotations

from kube_actors.cli import main

raise SystemExit(main())
