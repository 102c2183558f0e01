from __future__ import annotations

import kube_actors


def test_all_is_sorted_complete_and_free_of_private_names() -> None:
    names = kube_actors.__all__
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert not [n for n in names if n.startswith("_")]
    for name in names:
        assert hasattr(kube_actors, name), name


def test_every_public_object_is_listed_in_all() -> None:
    public = {n for n in vars(kube_actors) if not n.startswith("_") and n not in {"annotations"}}
    modules = {n for n in public if type(getattr(kube_actors, n)).__name__ == "module"}
    assert public - modules - set(kube_actors.__all__) == set()
