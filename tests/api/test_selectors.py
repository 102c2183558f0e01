from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kube_actors.api.meta import LabelSelector, LabelSelectorRequirement
from kube_actors.api.selectors import (
    EVERYTHING,
    NOTHING,
    add_label_to_selector,
    format_labels,
    parse_selector,
    selector_from_label_selector,
    selector_from_set,
)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("app=web,env!=prod", "app=web,env!=prod"),
        ("env!=prod,app=web", "app=web,env!=prod"),
        ("app==web", "app==web"),
        ("tier in (b,a)", "tier in (a,b)"),
        ("tier  in  ( a , b )", "tier in (a,b)"),
        ("tier notin (x)", "tier notin (x)"),
        ("!canary", "!canary"),
        ("key", "key"),
        ("", ""),
        ("a>3", "a>3"),
        ("a<3", "a<3"),
        ("app=", "app="),
        ("example.com/app=web", "example.com/app=web"),
    ],
)
def test_parse_selector_prints_the_upstream_canonical_form(text: str, canonical: str) -> None:
    assert str(parse_selector(text)) == canonical


@pytest.mark.parametrize(
    ("text", "labels", "expected"),
    [
        ("app=web", {"app": "web", "x": "y"}, True),
        ("app=web", {"app": "db"}, False),
        ("app=web", {}, False),
        ("env!=prod", {}, True),
        ("env!=prod", {"env": "prod"}, False),
        ("env!=prod", {"env": "dev"}, True),
        ("tier in (a,b)", {"tier": "b"}, True),
        ("tier in (a,b)", {}, False),
        ("tier notin (a,b)", {}, True),
        ("tier notin (a,b)", {"tier": "a"}, False),
        ("canary", {"canary": ""}, True),
        ("!canary", {"canary": ""}, False),
        ("!canary", {}, True),
        ("gen>3", {"gen": "4"}, True),
        ("gen>3", {"gen": "3"}, False),
        ("gen<3", {"gen": "x"}, False),
        ("app=web,tier in (a,b),!canary", {"app": "web", "tier": "a"}, True),
        ("app=web,app=db", {"app": "web"}, False),
        ("", {"anything": "goes"}, True),
    ],
)
def test_selectors_match_labels_with_upstream_semantics(
    text: str, labels: dict[str, str], expected: bool
) -> None:
    assert parse_selector(text).matches(labels) is expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a=b c", "found 'c', expected: ',' or 'end of string'"),
        ("a in b", "found 'b' expected: '('"),
        ("a,", "expected: identifier after ','"),
        ("=a", "expected: !, identifier, or 'end of string'"),
        ("a b", "expected: in, notin, =, ==, !=, gt, lt"),
        ("a in (b", "expected: ',' or ')'"),
        ("bad key!=x y", "found 'key', expected: in, notin"),
        ("a=b!", "found '!'"),
        ("-a=b", "invalid requirement on key '-a'"),
        ("a=-b", "values: '-b'"),
        ("a>b", "exactly one integer value"),
    ],
)
def test_parse_selector_rejects_bad_syntax_with_a_clear_message(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match="unable to parse label selector") as info:
        parse_selector(text)
    assert fragment in str(info.value)


def test_a_missing_label_selector_matches_nothing_and_an_empty_one_everything() -> None:
    assert selector_from_label_selector(None) is NOTHING
    assert not NOTHING.matches({})
    assert not NOTHING.empty
    assert selector_from_label_selector(LabelSelector()) is EVERYTHING
    assert selector_from_label_selector(LabelSelector(match_labels={})).matches({"a": "b"})
    assert EVERYTHING.empty


def test_label_selector_structs_compile_to_sorted_requirements() -> None:
    ls = LabelSelector(
        match_labels={"tier": "web", "app": "x"},
        match_expressions=[
            LabelSelectorRequirement(key="env", operator="NotIn", values=["prod", "dev"]),
            LabelSelectorRequirement(key="canary", operator="DoesNotExist"),
            LabelSelectorRequirement(key="zone", operator="Exists"),
        ],
    )
    selector = selector_from_label_selector(ls)
    assert str(selector) == "app=x,!canary,env notin (dev,prod),tier=web,zone"
    assert selector.matches({"app": "x", "tier": "web", "zone": "a"})
    assert not selector.matches({"app": "x", "tier": "web", "zone": "a", "env": "prod"})


def test_an_unknown_label_selector_operator_is_an_error() -> None:
    ls = LabelSelector(match_expressions=[LabelSelectorRequirement(key="a", operator="Foo")])
    with pytest.raises(ValueError, match='"Foo" is not a valid label selector operator'):
        selector_from_label_selector(ls)


def test_in_with_no_values_is_an_error() -> None:
    ls = LabelSelector(match_expressions=[LabelSelectorRequirement(key="a", operator="In")])
    with pytest.raises(ValueError, match="values set can't be empty"):
        selector_from_label_selector(ls)


def test_equality_selectors_from_sets_select_everything_when_empty() -> None:
    assert selector_from_set(None).empty
    assert selector_from_set({}).matches({"x": "y"})
    selector = selector_from_set({"app": "nginx"})
    assert str(selector) == "app=nginx"
    assert selector.matches({"app": "nginx", "pod-template-hash": "abc"})
    assert not selector.matches({"app": "web"})


def test_compiled_selectors_compare_and_hash_by_requirements() -> None:
    assert parse_selector("b=1,a=2") == parse_selector("a=2,b=1")
    assert len({parse_selector("a=1"), parse_selector("a=1")}) == 1
    assert parse_selector("a") != NOTHING
    assert repr(NOTHING) == "Selector(<nothing>)"


def test_adding_a_label_to_a_selector_copies_it() -> None:
    ls = LabelSelector(match_labels={"app": "web"})
    out = add_label_to_selector(ls, "pod-template-hash", "abc")
    assert out is not None
    assert out.match_labels == {"app": "web", "pod-template-hash": "abc"}
    assert ls.match_labels == {"app": "web"}
    assert add_label_to_selector(None, "a", "b") is None


def test_empty_values_in_sets_parse_like_upstream() -> None:
    assert parse_selector("a in ()").matches({"a": ""})
    assert str(parse_selector("a in (,b)")) == "a in (,b)"
    with pytest.raises(ValueError, match="expected: ',', or identifier"):
        parse_selector("a in (,,)")


def test_labels_format_sorted_like_kubectl() -> None:
    assert format_labels({"b": "2", "a": "1"}) == "a=1,b=2"
    assert format_labels(None) == ""


_names = st.sampled_from(["a", "b", "app", "tier", "x.io/k"])
_values = st.sampled_from(["", "1", "web", "db", "v-2"])
_set_values = st.sampled_from(["1", "web", "db", "v-2"])
_requirements = st.one_of(
    st.builds(lambda k, v: f"{k}={v}", _names, _values),
    st.builds(lambda k, v: f"{k}!={v}", _names, _values),
    st.builds(
        lambda k, vs: f"{k} in ({','.join(vs)})",
        _names,
        st.lists(_set_values, min_size=1, max_size=3),
    ),
    st.builds(
        lambda k, vs: f"{k} notin ({','.join(vs)})",
        _names,
        st.lists(_set_values, min_size=1, max_size=3),
    ),
    st.builds(lambda k: k, _names),
    st.builds(lambda k: f"!{k}", _names),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_requirements, max_size=4),
    st.dictionaries(_names, _values, max_size=4),
)
def test_compiled_matching_agrees_with_each_requirement_and_survives_printing(
    parts: list[str], labels: dict[str, str]
) -> None:
    selector = parse_selector(",".join(parts))
    expected = all(r.matches(labels) for r in selector.requirements)
    assert selector.matches(labels) is expected
    assert parse_selector(str(selector)).matches(labels) is expected
