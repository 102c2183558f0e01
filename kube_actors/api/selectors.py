"""Label selectors: parse the string and struct forms once, match many times.

A ``Selector`` is compiled: equality requirements become one dict-items subset test, the
others are grouped by operator, so ``matches`` (called for every pod x every controller)
does no parsing and no allocation. Semantics are upstream's:

- ``selector_from_label_selector(None)`` matches nothing; an empty ``LabelSelector`` (no
  ``matchLabels``, no ``matchExpressions``) matches everything.
- ``!=`` and ``notin`` match objects that do not have the key at all.
- ``str(selector)`` is the canonical form: requirements sorted by key, ``in``/``notin``
  values sorted (``app=web,tier in (a,b)``).

Upstream: staging/src/k8s.io/apimachinery/pkg/labels/selector.go,
pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Final, final

from kube_actors.api.meta import LabelSelector, LabelSelectorRequirement
from kube_actors.api.naming import is_qualified_name, is_valid_label_value

EQUALS: Final = "="
DOUBLE_EQUALS: Final = "=="
NOT_EQUALS: Final = "!="
IN: Final = "in"
NOT_IN: Final = "notin"
EXISTS: Final = "exists"
DOES_NOT_EXIST: Final = "!"
GREATER_THAN: Final = "gt"
LESS_THAN: Final = "lt"

_OPERATORS = (
    EQUALS,
    DOUBLE_EQUALS,
    NOT_EQUALS,
    IN,
    NOT_IN,
    EXISTS,
    DOES_NOT_EXIST,
    GREATER_THAN,
    LESS_THAN,
)
_LABEL_SELECTOR_OPS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


@final
@dataclass(frozen=True, slots=True)
class Requirement:
    """One requirement: ``key``, an operator constant of this module, sorted ``values``."""

    key: str
    operator: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether ``labels`` satisfy this requirement (upstream Requirement.Matches)."""
        op = self.operator
        value = labels.get(self.key)
        if op in (EQUALS, DOUBLE_EQUALS, IN):
            return value is not None and value in self.values
        if op in (NOT_EQUALS, NOT_IN):
            return value is None or value not in self.values
        if op == EXISTS:
            return value is not None
        if op == DOES_NOT_EXIST:
            return value is None
        if value is None or len(self.values) != 1:
            return False
        try:
            have, want = int(value), int(self.values[0])
        except ValueError:
            return False
        return have > want if op == GREATER_THAN else have < want

    def __str__(self) -> str:
        op = self.operator
        if op == EXISTS:
            return self.key
        if op == DOES_NOT_EXIST:
            return "!" + self.key
        if op in (IN, NOT_IN):
            return f"{self.key} {op} ({','.join(self.values)})"
        symbol = {GREATER_THAN: ">", LESS_THAN: "<"}.get(op, op)
        return f"{self.key}{symbol}{','.join(self.values)}"


def new_requirement(key: str, operator: str, values: Iterable[str] = ()) -> Requirement:
    """A validated requirement; values are sorted and deduplicated.

    Raises:
        ValueError: bad key or value syntax, unknown operator, or a wrong number of values.

    Upstream: labels.NewRequirement
    """
    vals = tuple(values)
    errs = list(is_qualified_name(key))
    if operator in (IN, NOT_IN):
        if not vals:
            errs.append("for 'in', 'notin' operators, values set can't be empty")
    elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
        if len(vals) != 1:
            errs.append("exact-match compatibility requires one single value")
    elif operator in (EXISTS, DOES_NOT_EXIST):
        if vals:
            errs.append("values set must be empty for exists and does not exist")
    elif operator in (GREATER_THAN, LESS_THAN):
        if len(vals) != 1 or not _is_int(vals[0]):
            errs.append("for 'Gt', 'Lt' operators, exactly one integer value is required")
    else:
        errs.append(f'unsupported operator "{operator}"')
    for value in vals:
        errs.extend(f"values: {value!r}: {msg}" for msg in is_valid_label_value(value))
    if errs:
        raise ValueError(f"invalid requirement on key {key!r}: {'; '.join(errs)}")
    return Requirement(key, operator, tuple(sorted(set(vals))))


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return text.strip() == text and "_" not in text


@final
class Selector:
    """A compiled label selector; immutable and safe to share between tasks."""

    __slots__ = (
        "_eq",
        "_equality_only",
        "_exists",
        "_in",
        "_missing",
        "_not_in",
        "_nothing",
        "_other",
        "_requirements",
    )

    def __init__(self, requirements: Iterable[Requirement] = (), *, nothing: bool = False) -> None:
        """Compile ``requirements``; ``nothing=True`` builds the selector that matches nothing."""
        reqs = tuple(sorted(requirements, key=lambda r: r.key))
        self._requirements = reqs
        self._nothing = nothing
        eq: dict[str, str] = {}
        in_: list[tuple[str, frozenset[str]]] = []
        not_in: list[tuple[str, frozenset[str]]] = []
        exists: list[str] = []
        missing: list[str] = []
        other: list[Requirement] = []
        for r in reqs:
            if r.operator in (EQUALS, DOUBLE_EQUALS, IN) and len(r.values) == 1 and r.key not in eq:
                eq[r.key] = r.values[0]
            elif r.operator in (EQUALS, DOUBLE_EQUALS, IN):
                in_.append((r.key, frozenset(r.values)))
            elif r.operator in (NOT_EQUALS, NOT_IN):
                not_in.append((r.key, frozenset(r.values)))
            elif r.operator == EXISTS:
                exists.append(r.key)
            elif r.operator == DOES_NOT_EXIST:
                missing.append(r.key)
            else:
                other.append(r)
        self._eq = eq.items()
        self._in, self._not_in = tuple(in_), tuple(not_in)
        self._exists, self._missing, self._other = tuple(exists), tuple(missing), tuple(other)
        self._equality_only = not (in_ or not_in or exists or missing or other or nothing)

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        """Whether an object with ``labels`` is selected."""
        if self._equality_only:
            return self._eq <= (labels or {}).items()
        if self._nothing:
            return False
        if labels is None:
            labels = {}
        if self._eq and not self._eq <= labels.items():
            return False
        for key, values in self._in:
            value = labels.get(key)
            if value is None or value not in values:
                return False
        for key, values in self._not_in:
            value = labels.get(key)
            if value is not None and value in values:
                return False
        for key in self._exists:
            if key not in labels:
                return False
        for key in self._missing:
            if key in labels:
                return False
        return all(r.matches(labels) for r in self._other)

    @property
    def empty(self) -> bool:
        """True for the select-everything selector (upstream Selector.Empty)."""
        return not self._nothing and not self._requirements

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """The requirements, sorted by key."""
        return self._requirements

    def add(self, *requirements: Requirement) -> Selector:
        """A new selector with ``requirements`` added (upstream Selector.Add)."""
        return Selector((*self._requirements, *requirements), nothing=self._nothing)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._requirements)

    def __repr__(self) -> str:
        if self._nothing:
            return "Selector(<nothing>)"
        return f"Selector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Selector):
            return NotImplemented
        return self._nothing == other._nothing and self._requirements == other._requirements

    def __hash__(self) -> int:
        return hash((self._nothing, self._requirements))


EVERYTHING: Final = Selector()
"""Matches every object (an empty ``LabelSelector``, an empty selector string)."""

NOTHING: Final = Selector(nothing=True)
"""Matches no object (a missing ``LabelSelector``)."""


def selector_from_set(labels: Mapping[str, str] | None) -> Selector:
    """An equality selector (ReplicationController selectors); empty or None selects all.

    Upstream: labels.SelectorFromValidatedSet (no syntax check, the set is trusted).
    """
    if not labels:
        return EVERYTHING
    return Selector(Requirement(k, EQUALS, (v,)) for k, v in labels.items())


def selector_from_label_selector(selector: LabelSelector | None) -> Selector:
    """Compile a ``LabelSelector``: None selects nothing, an empty one selects everything.

    Results are cached by content, so calling this per sync is cheap.

    Raises:
        ValueError: an invalid operator, key or value.

    Upstream: metav1.LabelSelectorAsSelector
    """
    if selector is None:
        return NOTHING
    labels = selector.match_labels or {}
    exprs = selector.match_expressions or []
    if not labels and not exprs:
        return EVERYTHING
    key = (
        tuple(labels.items()),
        tuple((e.key, e.operator, tuple(e.values or ())) for e in exprs),
    )
    return _compile(key)


@lru_cache(maxsize=4096)
def _compile(
    key: tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, tuple[str, ...]], ...]],
) -> Selector:
    labels, exprs = key
    reqs = [new_requirement(k, EQUALS, (v,)) for k, v in labels]
    for k, operator, values in exprs:
        op = _LABEL_SELECTOR_OPS.get(operator)
        if op is None:
            raise ValueError(f'"{operator}" is not a valid label selector operator')
        reqs.append(new_requirement(k, op, values))
    return Selector(reqs)


def add_label_to_selector(
    selector: LabelSelector | None, key: str, value: str
) -> LabelSelector | None:
    """A copy of ``selector`` with ``key=value`` added to ``matchLabels``; None stays None.

    Upstream: pkg/util/labels CloneSelectorAndAddLabel
    """
    if selector is None or not key:
        return selector
    return LabelSelector(
        match_labels={**(selector.match_labels or {}), key: value},
        match_expressions=selector.match_expressions,
    )


def format_labels(labels: Mapping[str, str] | None) -> str:
    """``a=1,b=2`` with keys sorted, as ``kubectl`` prints labels (upstream Set.String)."""
    if not labels:
        return ""
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def label_selector_requirements(selector: LabelSelector) -> list[LabelSelectorRequirement]:
    """``matchLabels`` folded into ``matchExpressions`` form (``In`` with one value)."""
    out = [
        LabelSelectorRequirement(key=k, operator="In", values=[v])
        for k, v in (selector.match_labels or {}).items()
    ]
    return out + list(selector.match_expressions or [])


_SPECIAL = frozenset("=!(),<>")
_WHITESPACE = frozenset(" \t\r\n")
_BINARY_OPS = {"in": IN, "notin": NOT_IN, "=": EQUALS, "==": DOUBLE_EQUALS, "!=": NOT_EQUALS}
_BINARY_OPS.update({">": GREATER_THAN, "<": LESS_THAN})
_ID = "identifier"
_EOS = "end of string"


def _lex(text: str) -> list[tuple[str, str]]:
    """``(token, literal)`` pairs; keywords ``in``/``notin`` and symbols are their own tokens."""
    tokens: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in _WHITESPACE:
            i += 1
        if i >= n:
            tokens.append((_EOS, ""))
            return tokens
        if text[i] in _SPECIAL:
            symbol = text[i : i + 2] if text[i : i + 2] in ("!=", "==") else text[i]
            tokens.append((symbol, symbol))
            i += len(symbol)
            continue
        start = i
        while i < n and text[i] not in _SPECIAL and text[i] not in _WHITESPACE:
            i += 1
        word = text[start:i]
        tokens.append((word if word in ("in", "notin") else _ID, word))


class _Parser:
    """Upstream's recursive-descent selector parser (labels/selector.go Parser)."""

    def __init__(self, text: str) -> None:
        self._tokens = _lex(text)
        self._pos = 0

    def _peek(self, values: bool = True) -> tuple[str, str]:
        tok, lit = self._tokens[self._pos]
        return (_ID, lit) if values and tok in ("in", "notin") else (tok, lit)

    def _next(self, values: bool = True) -> tuple[str, str]:
        item = self._peek(values)
        self._pos = min(self._pos + 1, len(self._tokens) - 1)
        return item

    def parse(self) -> list[Requirement]:
        """All requirements of the text, in source order."""
        reqs: list[Requirement] = []
        while True:
            tok, lit = self._peek()
            if tok == _EOS:
                return reqs
            if tok not in (_ID, "!"):
                raise ValueError(f"found '{lit}', expected: !, identifier, or 'end of string'")
            reqs.append(self._requirement())
            tok, lit = self._next()
            if tok == _EOS:
                return reqs
            if tok != ",":
                raise ValueError(f"found '{lit}', expected: ',' or 'end of string'")
            tok, lit = self._peek()
            if tok not in (_ID, "!"):
                raise ValueError(f"found '{lit}', expected: identifier after ','")

    def _requirement(self) -> Requirement:
        operator = ""
        tok, key = self._next()
        if tok == "!":
            operator = DOES_NOT_EXIST
            tok, key = self._next()
        if tok != _ID:
            raise ValueError(f"found '{key}', expected: identifier")
        if self._peek()[0] in (_EOS, ","):
            return new_requirement(key, operator or EXISTS)
        tok, lit = self._next(values=False)
        op = _BINARY_OPS.get(tok) if tok != _ID else None
        if op is None:
            raise ValueError(f"found '{lit}', expected: in, notin, =, ==, !=, gt, lt")
        if op in (IN, NOT_IN):
            return new_requirement(key, op, self._values())
        return new_requirement(key, op, self._exact_value())

    def _exact_value(self) -> tuple[str, ...]:
        if self._peek()[0] in (_EOS, ","):
            return ("",)
        tok, lit = self._next()
        if tok != _ID:
            raise ValueError(f"found '{lit}', expected: identifier")
        return (lit,)

    def _values(self) -> tuple[str, ...]:
        tok, lit = self._next()
        if tok != "(":
            raise ValueError(f"found '{lit}' expected: '('")
        tok, lit = self._peek()
        if tok == ")":
            self._next()
            return ("",)
        if tok not in (_ID, ","):
            raise ValueError(f"found '{lit}', expected: ',', ')' or identifier")
        values = self._identifiers()
        tok, lit = self._next()
        if tok != ")":
            raise ValueError(f"found '{lit}', expected: ')'")
        return values

    def _identifiers(self) -> tuple[str, ...]:
        values: list[str] = []
        while True:
            tok, lit = self._next()
            if tok == _ID:
                values.append(lit)
                tok2, lit2 = self._peek()
                if tok2 == ")":
                    return tuple(values)
                if tok2 != ",":
                    raise ValueError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == ",":
                if not values:
                    values.append("")
                tok2 = self._peek()[0]
                if tok2 == ")":
                    values.append("")
                    return tuple(values)
                if tok2 == ",":
                    self._next()
                    values.append("")
            else:
                raise ValueError(f"found '{lit}', expected: ',', or identifier")


@lru_cache(maxsize=1024)
def parse_selector(text: str) -> Selector:
    """Compile a selector string (``app=web,env!=prod``, ``tier in (a,b)``, ``!canary``).

    The empty string selects everything.

    Raises:
        ValueError: bad syntax; the message quotes the text and says what was expected.

    Upstream: labels.Parse
    """
    try:
        return Selector(_Parser(text).parse())
    except ValueError as exc:
        raise ValueError(f"unable to parse label selector {text!r}: {exc}") from None
