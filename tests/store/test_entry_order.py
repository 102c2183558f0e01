"""Listing order: entries sort by namespace, then name, whatever their keys hold.

``sorted_entries`` compares one flat string per entry instead of a pair; for any keys
(namespaces that prefix others, "-" and "." that sort before "/", names with a "/", NUL
characters) it must give the pair's order.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kube_actors.store.entries import Entry
from kube_actors.store.state import sorted_entries

_text = st.text(alphabet=st.sampled_from(["a", "b", "-", ".", "/", "\0", "z"]), max_size=5)
keys = st.lists(
    st.one_of(_text, st.builds(lambda ns, name: f"{ns}/{name}", _text, _text)),
    unique=True,
    max_size=30,
)


def _entry(key: str) -> Entry:
    return Entry("ConfigMap", key, "", 1, None, None)


def _pair(key: str) -> tuple[str, str]:
    ns, _, name = key.rpartition("/")
    return ns, name


@given(keys=keys)
def test_entries_list_in_namespace_then_name_order(keys: list[str]) -> None:
    listed = [entry.key for entry in sorted_entries(_entry(key) for key in keys)]
    assert listed == sorted(keys, key=_pair)


def test_a_namespace_that_prefixes_another_lists_first() -> None:
    keys = ["kube-system/a", "kube/b", "kube.x/c", "kube/a"]
    listed = [entry.key for entry in sorted_entries(_entry(key) for key in keys)]
    assert listed == ["kube/a", "kube/b", "kube-system/a", "kube.x/c"]
