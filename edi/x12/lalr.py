"""LALR tables compiled by Lark from the grammars, and the loop that runs them over segments.

Lark compiles each ``grammars/*.lark`` file into an LALR(1) table. `edi` keeps that table
in a compact form (cached on disk, so a cold start does not recompile) and drives it
with one token per segment. Reductions build `Loop` nodes directly, without a generic
parse tree, which keeps a parse at a few steps per segment.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from edi import cache
from edi.x12.segment import Segment

UNPLACED = "UNPLACED"
END = "$END"

TABLE_FORMAT = 3  # bump when the cached table's layout changes
# Rule kinds: a helper Lark made up (``__x_star``), a loop or the start, and a helper ``A: A x``
HELPER, NODE, APPEND = 0, 1, 2


@dataclass(slots=True)
class Loop:
    """A loop of a transaction set: its guide ID (``2300``) and its segments and child loops in order."""

    id: str
    items: list[Segment | Loop] = field(default_factory=list)

    @property
    def trigger(self) -> Segment:
        """The segment that opens the loop."""
        first = self.items[0]
        assert isinstance(first, Segment)
        return first

    def segments(self) -> list[Segment]:
        """The loop's own segments, without those of child loops."""
        return [i for i in self.items if isinstance(i, Segment)]

    def loops(self, loop_id: str | None = None) -> list[Loop]:
        """The direct child loops, all or those with ``loop_id``."""
        return [i for i in self.items if isinstance(i, Loop) and (loop_id is None or i.id == loop_id)]

    def find(self, segment_id: str, qualifier: str | None = None) -> Segment | None:
        """The first own segment with that ID (and first element), or None."""
        for item in self.items:
            if isinstance(item, Segment) and item.id == segment_id and (qualifier is None or item.get(1) == qualifier):
                return item
        return None

    def find_all(self, segment_id: str, qualifier: str | None = None) -> list[Segment]:
        """Every own segment with that ID (and first element)."""
        return [
            i
            for i in self.items
            if isinstance(i, Segment) and i.id == segment_id and (qualifier is None or i.get(1) == qualifier)
        ]

    def walk(self) -> Iterable[tuple[Segment, Loop]]:
        """Every segment below this loop, in file order, with the loop that holds it."""
        for item in self.items:
            if isinstance(item, Segment):
                yield item, self
            else:
                yield from item.walk()


@dataclass(slots=True)
class Table:
    """A compact LALR table: per state, token or rule name -> shift state (>= 0) or ~rule.

    ``appends``: the states whose every action reduces by one APPEND rule (``A: A x``, just
    after its ``x`` is shifted), which `run` never enters: it appends the ``x`` at once.
    """

    actions: list[dict[str, int]]
    rules: list[tuple[str, int, int]]
    start: int
    end: int
    appends: frozenset[int] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        found = set()
        for state, row in enumerate(self.actions):
            steps = set(row.values())
            if len(steps) == 1:
                (step,) = steps
                if step < 0 and self.rules[~step][2] == APPEND:
                    found.add(state)
        self.appends = frozenset(found)

    def expected(self, state: int) -> list[str]:
        """The token types the parser could accept in ``state``."""
        return sorted(t for t in self.actions[state] if t.isupper() or t == END)


def compile_table(grammar: str) -> Table:
    """Compile a Lark grammar to a `Table`, using the on-disk cache when it is fresh.

    A cached table is keyed by the grammar text, so a cache hit does not even import Lark.
    """
    digest = hashlib.sha256(f"{TABLE_FORMAT}:{grammar}".encode()).hexdigest()[:20]
    name = f"table-{digest}.json"
    table = cache.load(name, _restore)
    if table is None:
        table = _build(grammar)
        # The fields the cache holds; ``appends`` is worked out again on loading.
        cache.store(name, {"actions": table.actions, "rules": table.rules, "start": table.start, "end": table.end})
    return table


def _restore(data: Any) -> Table:
    """A `Table` from its cached JSON (a ValueError when the data has another shape)."""
    actions = data["actions"]
    if not isinstance(actions, list) or not all(isinstance(row, dict) for row in actions):
        raise ValueError("the actions are not a list of tables")
    rules = [(str(origin), int(size), int(kind)) for origin, size, kind in data["rules"]]
    return Table(actions, rules, int(data["start"]), int(data["end"]))


def _build(grammar: str) -> Table:
    import lark
    from lark.lexer import Lexer

    class _SegmentLexer(Lexer):
        """Placeholder: tokens are made from segments by `edi`, not by Lark."""

        def __init__(self, conf: Any) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover - never called
            return iter(())

    parser = lark.Lark(grammar, parser="lalr", lexer=_SegmentLexer)
    lalr = parser.parser.parser.parser.parse_table
    rule_index: dict[Any, int] = {}
    rules: list[tuple[str, int, int]] = []
    actions: list[dict[str, int]] = [{} for _ in range(max(lalr.states) + 1)]
    for state, row in lalr.states.items():
        for symbol, (action, arg) in row.items():
            # Names are plain strings: some are lark Tokens, whose comparisons are slower.
            name = str(symbol)
            if action.name == "Shift":
                actions[state][name] = arg
                continue
            if arg not in rule_index:
                rule_index[arg] = len(rules)
                rules.append(_rule(arg))
            actions[state][name] = ~rule_index[arg]
    return Table(actions, rules, lalr.start_states["start"], lalr.end_states["start"])


def _rule(rule: Any) -> tuple[str, int, int]:
    """A Lark rule as (its name, how many symbols it reduces, its kind)."""
    origin, expansion = str(rule.origin.name), rule.expansion
    if not origin.startswith("__"):
        return origin, len(expansion), NODE
    appends = len(expansion) == 2 and str(expansion[0].name) == origin
    return origin, len(expansion), APPEND if appends else HELPER


class ParseFailure(Exception):
    """The table has no action for a token: carries the state's expected tokens."""

    def __init__(self, token: str, value: Any, expected: list[str]) -> None:
        super().__init__(token)
        self.token = token
        self.value = value
        self.expected = expected


Builder = Callable[[str, list[Any]], Any]


@dataclass(slots=True)
class Detached(Loop):
    """Where a loop stood that was handed out as soon as it was complete (see `run`); it holds nothing.

    ``level`` tells whether the loop was a hierarchical level (opened by an HL).
    """

    level: bool = False


@dataclass(slots=True)
class OpenLoop:
    """A loop still being read: its trigger segment and its items so far (a live list that grows)."""

    trigger: Segment
    items: list[Any]


@dataclass(slots=True)
class Unit:
    """A loop handed out as soon as it is complete, with the loops that hold it, outermost (ST) first."""

    loop: Loop
    path: list[OpenLoop]


class Unplaced:
    """Segments fed as the grammar's UNPLACED: how many, and the first few."""

    __slots__ = ("count", "first")
    KEEP = 5

    def __init__(self) -> None:
        self.count = 0
        self.first: list[Segment] = []

    def add(self, segment: Segment) -> None:
        self.count += 1
        if len(self.first) < self.KEEP:
            self.first.append(segment)


def parse(table: Table, tokens: Iterable[tuple[str, Any]], build: Builder, fallback: str | None = None) -> Any:
    """Run ``table`` over ``tokens`` and return the root; ``build(rule, children)`` makes each node."""
    steps = run(table, tokens, build, fallback)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def run(
    table: Table,
    tokens: Iterable[tuple[str, Any]],
    build: Builder,
    fallback: str | None = None,
    detach: frozenset[str] = frozenset(),
    unplaced: Unplaced | None = None,
) -> Generator[Unit, None, Any]:
    """Run ``table`` over ``tokens``; yield each `Unit` of the rules in ``detach``, return the root.

    ``build(rule, children)`` makes each node. A node whose rule is in ``detach`` is yielded
    with the open loops that hold it as soon as it is reduced, and a `Detached` marker takes
    its place in its parent, so the tree never holds more than the loops still open. When a
    token has no action and ``fallback`` is given, the token is fed again as ``fallback``
    (the grammar's UNPLACED) and its value is marked ``unplaced`` (and counted in ``unplaced``).
    """
    actions, rules, appends = table.actions, table.rules, table.appends
    state = table.start
    states = [state]
    values: list[Any] = []
    # The state of `Table.appends` the last token was shifted into, standing in for it (-1: none).
    passed = -1
    for token, value in chain(tokens, ((END, None),)):
        while True:
            step = actions[state].get(token)
            if step is None:
                if passed >= 0:  # fail, or fall back, where the state passed by would have
                    row, where, passed = actions[passed], passed, -1
                    if token not in row:
                        if fallback is None or token in (fallback, END):
                            raise ParseFailure(token, value, table.expected(where))
                        value.unplaced = True
                        token = fallback
                        if token not in row:
                            raise ParseFailure(token, value, table.expected(where))
                        continue  # that state reduces on the fallback: go on with it from here
                if fallback is None or token in (fallback, END):
                    raise ParseFailure(token, value, table.expected(state))
                value.unplaced = True
                token = fallback
                continue
            if step >= 0:
                if token == fallback and unplaced is not None:
                    unplaced.add(value)
                if step in appends:  # the reduction that would follow, done now: the item joins its list
                    values[-1].append(value)
                    passed = step
                    break
                passed = -1
                states.append(step)
                values.append(value)
                state = step
                break
            name, size, kind = rules[~step]
            if kind == APPEND:
                # The common step: one more item for a loop's list of segments and loops. The list
                # stays where it is, in the state it was reached in (the goto of ``A`` again).
                last = values.pop()
                values[-1].append(last)
                states.pop()
                state = states[-1]
                continue
            children = values[len(values) - size :]
            del values[len(values) - size :]
            del states[len(states) - size :]
            node: Any
            if kind == HELPER:
                node = children
            else:
                node = build(name, children)
                if name in detach:
                    yield Unit(node, _open_loops(values))
                    node = _detached(node.id, node.trigger.id == "HL")
            if token == END and name == "start" and len(states) == 1:
                return node
            state = actions[states[-1]][name]
            states.append(state)
            values.append(node)
    raise ParseFailure(END, None, [])  # pragma: no cover - the END token always returns above


_DETACHED: dict[tuple[str, bool], Detached] = {}


def _detached(loop_id: str, level: bool) -> Detached:
    """One shared marker per kind of loop: each handed-out loop leaves a reference to it in its parent."""
    marker = _DETACHED.get((loop_id, level))
    if marker is None:
        marker = _DETACHED[(loop_id, level)] = Detached(loop_id, level=level)
    return marker


def _open_loops(values: list[Any]) -> list[OpenLoop]:
    """The loops still open on the parser's value stack: each trigger segment with its items so far."""
    found = []
    last = len(values) - 1
    for index, value in enumerate(values):
        if type(value) is Segment:
            following = values[index + 1] if index < last else None
            found.append(OpenLoop(value, following if type(following) is list else []))
    return found


class Incremental:
    """Feed tokens one at a time (for the envelope, which streams); no values are kept."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.states = [table.start]

    def feed(self, token: str) -> None:
        """Accept one token or raise `ParseFailure`."""
        actions, rules = self.table.actions, self.table.rules
        states = self.states
        while True:
            step = actions[states[-1]].get(token)
            if step is None:
                raise ParseFailure(token, None, self.table.expected(states[-1]))
            if step >= 0:
                states.append(step)
                return
            name, size, _ = rules[~step]
            if size:
                del states[-size:]
            if token == END and name == "start" and len(states) == 1:
                return
            states.append(actions[states[-1]][name])
