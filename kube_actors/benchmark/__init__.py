"""The benchmark harness: scenario files run on the virtual clock, measured from the log.

``scenario`` loads and validates a scenario, ``runner`` drives a ``Cluster`` through its
steps, ``measure`` (with ``pods``, ``workloads``, ``control_plane``) turns a log into a
result document, ``api_calls`` times the store's calls while a run goes on, ``rerun``
restarts the controllers on a recorded log to probe their queues, ``report`` writes and
renders a result, ``compare`` lines runs up. The CLI glue is ``kube_actors.cli.bench``.
"""

from __future__ import annotations

from kube_actors.benchmark.compare import compare as compare
from kube_actors.benchmark.measure import SCHEMA as SCHEMA
from kube_actors.benchmark.measure import measure_log as measure_log
from kube_actors.benchmark.runner import run_scenario as run_scenario
from kube_actors.benchmark.scenario import Scenario as Scenario
from kube_actors.benchmark.scenario import load_scenario as load_scenario
from kube_actors.benchmark.scenario import parse_scenario as parse_scenario

__all__ = [
    "SCHEMA",
    "Scenario",
    "compare",
    "load_scenario",
    "measure_log",
    "parse_scenario",
    "run_scenario",
]
