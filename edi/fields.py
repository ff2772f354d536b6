"""Named fields of one segment, for the 837 and the 835 alike: declared once, read and written back.

A `SegmentMap` says which elements of a segment become which JSON keys, each as a declared
kind of value. Reading keeps what the names cannot say in ``other_elements`` (element-keyed,
as in the structural JSON), so that writing the named fields plus ``other_elements`` gives
the segment back exactly. Each map is compiled once into one reading function.

The 835 JSON has value conventions of its own, declared as kinds of their own: ``raw`` texts,
``exact_date`` dates, ``procedure`` composites, ``run`` lists and ``whole_groups``. How one
element's text becomes each kind's value and back is in `edi.kinds`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from edi.convert.structure import Element, element_value, segment_from_json
from edi.kinds import EXACT, SIMPLE, decode, integer, iso_date, iso_time, procedure_parts, x12_date
from edi.x12.segment import Delimiters, Segment
from edi.x12.values import DECIMAL, check_value, unsafe_characters, value_problem

OTHER = "other_elements"
_REF = re.compile(r"([A-Z0-9]{2,3}?)(\d\d)(?:-(\d+)(?::(\d+))?)?")


@dataclass(frozen=True, slots=True)
class Field:
    """One JSON key and the element (or components) it stands for.

    ``ref`` is ``CLM02`` (an element), ``CLM05-1`` (a component) or ``SV101-3:6``
    (components 3 to 6 as a list). ``when`` = (ref, code): the field applies only when
    that element holds the code (``!code``: any other value); writing the field sets it.
    ``kind``: text; amount (a decimal string kept as written); date; datetime (this element
    and the next, date and time); int; list (components); pointers (components as
    integers); groups (``count`` runs of elements named ``names``, as in PER and CAS);
    elements (up to ``count`` consecutive elements as a list, as in CRC03-CRC07).
    ``codes`` maps each code to its JSON word; a code not in it is left to ``other_elements``.

    The 835 kinds name only what writes back exactly: raw (the text as read: only a repetition
    separator is refused); exact_date (a CCYYMMDD date that writes back as read); procedure
    (a composite as {qualifier, code, modifiers, description, product_id}); run (raw texts of
    ``count`` consecutive elements, or of the elements ``at``, up to the first missing);
    whole_groups (groups as ``groups``, up to the first that misses a name).
    """

    key: str
    ref: str
    kind: str = "text"
    when: tuple[str, str] | None = None
    codes: dict[str, str] | None = None
    names: tuple[str, ...] = ()
    count: int = 0
    at: tuple[int, ...] = ()

    @property
    def where(self) -> tuple[int, int | None, int | None]:
        """(element, first component, last component), all 1-based."""
        return _where(self.ref)


@cache
def _where(ref: str) -> tuple[int, int | None, int | None]:
    found = _REF.fullmatch(ref)
    assert found, ref
    first = int(found.group(3)) if found.group(3) else None
    last = int(found.group(4)) if found.group(4) else first
    return int(found.group(2)), first, last


@dataclass(frozen=True, slots=True)
class SegmentMap:
    """How one segment (by ID and qualifying codes) maps to a JSON object.

    ``key`` is where the object goes in the loop's object ("" = the loop's own object);
    ``many`` makes it a list with one object per segment. ``match`` identifies the
    segment and is written back; ``fixed`` values are only written back. The segment is
    written when the object holds any of its fields (``requires``: that one field), or
    always for a loop's trigger. ``flat`` (the 835 layout: one object per segment) keeps
    ``other_elements`` on the object itself, merged with those of the object's other
    segments, instead of under the segment's label; its kinds name only values that write
    back exactly, so a read does not check them again.
    """

    seg: str
    fields: tuple[Field, ...]
    match: tuple[tuple[int, str], ...] = ()
    fixed: tuple[tuple[int, int, str], ...] = ()
    key: str = ""
    many: bool = False
    always: bool = False
    requires: str = ""
    flat: bool = False

    @property
    def label(self) -> str:
        """The key of this segment's entry in ``other_elements``: ``REF*EI``, ``N3``."""
        return "*".join([self.seg, *(code for _, code in self.match)])

    def matches(self, segment: Segment) -> bool:
        """True when ``segment`` is the one this map describes."""
        if segment.id != self.seg:
            return False
        for index, code in self.match:  # noqa: SIM110 - a loop, not all() over a generator: it runs for every loop read
            if segment.get(index) != code:
                return False
        return True

    def present_in(self, data: dict[str, Any]) -> bool:
        """True when ``data`` holds anything this map writes."""
        if self.always:
            return True
        if self.flat:
            if any(_own(ref, self.seg) for ref in data.get(OTHER, {})):
                return True
        elif self.label in data.get(OTHER, {}):
            return True
        return _has(data, self.requires) if self.requires else any(_has(data, f.key) for f in self.fields)


def _own(ref: str, seg_id: str) -> bool:
    """Whether the element reference ``ref`` (``N403``) is one of ``seg_id``'s."""
    return ref.startswith(seg_id) and ref[len(seg_id) :].isdigit()


def _has(data: dict[str, Any], key: str) -> bool:
    head, _, rest = key.partition(".")
    if head not in data:
        return False
    return _has(data[head], rest) if rest else True


def set_path(data: dict[str, Any], key: str, value: Any) -> None:
    """Set the value at a dotted key, creating the objects on the way."""
    *heads, last = key.split(".")
    for part in heads:
        data = data.setdefault(part, {})
    data[last] = value


class _Spec:
    """One `Field` compiled once: its key split at the dots, its element and components, its `when`."""

    __slots__ = (
        "as_is",
        "field",
        "first",
        "index",
        "key",
        "kind",
        "last",
        "path",
        "plain",
        "positions",
        "when_code",
        "when_index",
        "when_not",
    )

    def __init__(self, f: Field) -> None:
        self.field = f
        self.key = f.key
        self.path = tuple(f.key.split("."))
        self.index, self.first, self.last = f.where
        self.kind = f.kind
        self.when_index = int(f.when[0][-2:]) if f.when else 0
        self.when_not = bool(f.when) and f.when[1].startswith("!")  # type: ignore[index]
        self.when_code = (f.when[1][1:] if self.when_not else f.when[1]) if f.when else ""
        self.as_is = f.kind in ("text", "list", "groups")  # written back as read: check it can be
        self.plain = f.kind == "text" and self.first is None and f.codes is None and len(self.path) == 1
        self.positions = f.at or tuple(range(self.index, self.index + f.count))  # of a run


class _Plan:
    """A `SegmentMap` compiled once: its fields' specs and what every segment it writes starts with.

    ``direct``: no key of the map is another's or the start of another's, so a read can write
    each field back as it reads it instead of looking every key up again afterwards.
    ``in_place``: the elements a read fills by components in place, with how many each has.
    """

    __slots__ = ("direct", "in_place", "preset", "reader", "smap", "specs", "start", "words")

    def __init__(self, smap: SegmentMap) -> None:
        self.smap = smap
        self.specs = tuple(_Spec(f) for f in smap.fields)
        self.preset = tuple((index, None, code) for index, code in smap.match) + tuple(
            (index, component or None, code) for index, component, code in smap.fixed
        )
        keys = [f.key for f in smap.fields]
        self.direct = len(set(keys)) == len(keys) and not any(b.startswith(a + ".") for a in keys for b in keys)
        self.words = {id(f): {word: code for code, word in f.codes.items()} for f in smap.fields if f.codes}
        self.start = _Elements.of(self.preset)  # copied by every read and write
        # Wide enough for every whole element a read sets inline (trailing blanks are trimmed anyway).
        width = max([s.index for s in self.specs] + [s.when_index for s in self.specs], default=0)
        self.start.values.extend([""] * (width - len(self.start.values)))
        self.reader = None
        self.in_place = _component_widths(self) if self.direct else {}
        for index, count in self.in_place.items():
            self.start.values[index - 1] = [""] * count
            self.start.composite = True
        if self.direct:
            self.reader = _compile_reader(self)


def _inline(spec: _Spec) -> str | None:
    """The test of `_INLINE` a field read inline passes; None for a field read by `_read_spec` or as an exact kind."""
    check = _INLINE.get(spec.kind) if spec.field.codes is None else None
    if check is None or (spec.first is not None and spec.kind not in ("text", "list", "pointers")):
        return None
    return check


def _component_widths(plan: _Plan) -> dict[int, int]:
    """The elements a read writes only by components, inline, each with its last component written.

    They start as lists of that many components, which a read fills in place.
    """
    if any(_inline(spec) is None for spec in plan.specs):
        return {}
    whole = {index for index, _, _ in plan.preset} | {spec.when_index for spec in plan.specs}
    widths: dict[int, int] = {}
    for spec in plan.specs:
        if spec.first is None or spec.last is None:
            whole.add(spec.index)
        else:
            widths[spec.index] = max(widths.get(spec.index, 0), spec.last)
    return {index: count for index, count in widths.items() if index not in whole}


_PLANS: dict[int, _Plan] = {}


def _plan(smap: SegmentMap) -> _Plan:
    """The compiled form of ``smap`` (the maps are module constants: each is compiled once)."""
    found = _PLANS.get(id(smap))
    if found is None or found.smap is not smap:
        found = _PLANS[id(smap)] = _Plan(smap)
    return found


class _Elements:
    """A segment's elements, grown as values are set: each a text, or its components once one is set."""

    __slots__ = ("composite", "values")

    def __init__(self, values: list[str | list[str]], composite: bool) -> None:
        self.values = values
        self.composite = composite  # whether any element holds components

    @classmethod
    def of(cls, preset: tuple[tuple[int, int | None, str], ...]) -> _Elements:
        """The elements holding the codes ``preset``: (element, component or None, code)."""
        elements = cls([], False)
        for index, component, code in preset:
            elements.set(index, component, code)
        return elements

    def copy(self) -> _Elements:
        """A copy to grow on its own (components are copied too)."""
        if self.composite:
            return _Elements([v if type(v) is str else v[:] for v in self.values], True)
        return _Elements(self.values[:], False)

    def set(self, index: int, component: int | None, value: str) -> None:
        values = self.values
        if len(values) < index:
            values.extend([""] * (index - len(values)))
        if component is None:
            values[index - 1] = value
            return
        parts = values[index - 1]
        if isinstance(parts, str):
            parts = values[index - 1] = [parts]
            self.composite = True
        if len(parts) < component:
            parts.extend([""] * (component - len(parts)))
        parts[component - 1] = value

    def texts(self, seg_id: str, delimiters: Delimiters, unsafe: re.Pattern[str] | None) -> list[str]:
        """The element texts, each component checked to be data (`UnsafeValue` otherwise) unless ``unsafe`` is None.

        ``unsafe`` is `unsafe_characters` of ``delimiters``. Ends the elements' use.
        """
        values = self.values
        if not self.composite:
            out: list[str] = values  # type: ignore[assignment]  # no element holds components
            flat = "".join(out) if unsafe is not None else ""
        else:
            join = delimiters.component.join
            out = [value if isinstance(value, str) else join(_trim(value)) for value in values]
            flat = "".join([value if isinstance(value, str) else "".join(value) for value in values])
        if unsafe is not None and unsafe.search(flat):
            for index, value in enumerate(values, start=1):
                for part in [value] if isinstance(value, str) else value:
                    check_value(part, delimiters, f"{seg_id}{index:02d}")
        while out and out[-1] == "":
            out.pop()
        return out


def _trim(parts: list[str]) -> list[str]:
    end = len(parts)
    while end > 1 and parts[end - 1] == "":
        end -= 1
    return parts[:end]


# Reading ----------------------------------------------------------------------------------


def read_fields(segment: Segment, smap: SegmentMap, into: dict[str, Any] | None = None) -> dict[str, Any]:
    """The named fields of ``segment``, plus ``other_elements`` for whatever they miss (added to ``into`` if given)."""
    plan = _PLANS.get(id(smap))
    if plan is None or plan.smap is not smap:
        plan = _plan(smap)
    delimiters = segment.delimiters
    unsafe = unsafe_characters(delimiters)
    values: dict[str, Any] = {} if into is None else into
    if plan.reader is not None:
        elements = plan.reader(segment, segment.elements, unsafe, values)
        rebuilt = elements.texts(smap.seg, delimiters, None if smap.flat else unsafe)
    else:
        named: dict[str, Any] = {}
        for spec in plan.specs:
            _read_spec(segment, spec, plan, named, None, unsafe)
        rebuilt = write_fields(smap, named, delimiters).elements
        values.update(named)
    other = _differences(segment, rebuilt) if rebuilt != segment.elements else None
    if other:
        if smap.flat:
            values.setdefault(OTHER, {}).update(other)
        else:
            values[OTHER] = {smap.label: other}
    return values


# Kinds read inline (see `_compile_reader`), each with the test a value passes (else it is not read).
_INLINE = {
    "text": "search(value) is None",
    "raw": "not (rep and rep in value)",
    "amount": "amount.fullmatch(value)",
    "int": "value.isdigit() and str(int(value)) == value",
    "list": "search(value) is None",
    "pointers": "value.isdigit() and str(int(value)) == value",
}


def _store_lines(spec: _Spec, pad: str, read: str) -> list[str]:
    """The lines of `_compile_reader` that keep a value read (``read``) and write its `when` code back."""
    if len(spec.path) == 1:
        lines = [f"{pad}values[{spec.key!r}] = {read}"]
    else:  # `set_path`, spelled out
        heads = "".join(f".setdefault({head!r}, {{}})" for head in spec.path[:-1])
        lines = [f"{pad}values{heads}[{spec.path[-1]!r}] = {read}"]
    if spec.when_index and not spec.when_not:
        lines.append(f"{pad}out[{spec.when_index - 1}] = {spec.when_code!r}")
    return lines


def _list_lines(spec: _Spec, pad: str, check: str, in_place: bool) -> list[str]:
    """The lines of `_compile_reader` that read a list of components.

    A whole element's components are split from ``value``; a run of them (``SV101-3:6``) is
    cut from the element's components split once (``c1``), and written ``in_place`` into the
    element's list when it starts as one (`_component_widths`).
    """
    i, start = spec.index, (spec.first or 1) - 1
    read = "[int(value) for value in parts]" if spec.kind == "pointers" else "parts"
    if spec.first is None:
        lines = [f'{pad}value = own[{i - 1}] if count >= {i} else ""', f"{pad}if value:"]
        lines.append(f"{pad}    parts = value.split(delimiters.component)")
    else:
        lines = [f"{pad}if True:", f"{pad}    parts = c{i}[{start}:{spec.last}]"]
    if in_place:
        write = [f"{pad}        out[{i - 1}][{start}:{start} + len(parts)] = parts"]
    else:
        write = [
            f"{pad}        for offset, part in enumerate(parts, {start + 1}):",
            f"{pad}            elements.set({i}, offset, part)",
        ]
    return [
        *lines,
        f'{pad}    while parts and parts[-1] == "":',
        f"{pad}        parts.pop()",
        f"{pad}    if parts and all([{check} for value in parts]):",
        *_store_lines(spec, pad + "        ", read),
        *write,
    ]


_Reader = Callable[[Segment, list[str], re.Pattern[str], dict[str, Any]], "_Elements"]


def _compile_reader(plan: _Plan) -> _Reader:
    """A read of ``plan``'s segments as one function, with each field's steps in the order of the map.

    Texts, amounts, integers and lists of components are read and written back by lines of
    their own (the tests of `_INLINE`); any other field goes through `_read_spec`. The result
    is the same as reading field by field with `_read_spec`, without the dispatch on each.
    The values go into the dict given; the function returns the elements written back.
    """
    lines = [
        "def read(segment, own, unsafe, values):",
        "    count = len(own)",
        "    search = unsafe.search",
        "    delimiters = segment.delimiters",
        "    rep = delimiters.repetition",
        # `_Elements.copy`, without the call, when no element starts as components
        "    elements = start.copy()" if plan.start.composite else "    elements = Elements(values0[:], False)",
        "    out = elements.values",
    ]
    names: dict[str, Any] = {"start": plan.start, "plan": plan, "_read_spec": _read_spec}
    names |= {"Elements": _Elements, "values0": plan.start.values}
    names["amount"] = DECIMAL
    in_place = plan.in_place
    for i in sorted({spec.index for spec in plan.specs if spec.first is not None and _inline(spec)}):
        lines.append(f"    c{i} = own[{i - 1}].split(delimiters.component) if count >= {i} else []")
    # Whole elements tested for refused characters: one test of all the elements answers for every field when clean.
    tested = [spec for spec in plan.specs if _inline(spec) == _INLINE["text"]]
    clean = len(tested) >= 3 and all(spec.first is None for spec in tested)
    if clean:
        lines.append('    clean = search("".join(own)) is None')
    for n, spec in enumerate(plan.specs):
        pad = "    "
        if spec.when_index:
            w, op = spec.when_index, "!=" if spec.when_not else "=="
            lines.append(f'    if (own[{w - 1}] if count >= {w} else "") {op} {spec.when_code!r}:')
            pad = "        "
        i, first = spec.index, spec.first
        check = _inline(spec)
        if clean and check == _INLINE["text"]:
            check = f"(clean or {check})"
        if check is None and spec.kind in EXACT and first is None:  # read by its function, written back as read
            names[f"exact{n}"] = EXACT[spec.kind]
            lines += [
                f'{pad}value = own[{i - 1}] if count >= {i} else ""',
                f"{pad}if value:",
                f"{pad}    try:",
                f"{pad}        got = exact{n}(value, delimiters)",
                f"{pad}    except ValueError:",
                f"{pad}        pass",
                f"{pad}    else:",
                *_store_lines(spec, pad + "        ", "got"),
                f"{pad}        out[{i - 1}] = value",
            ]
            continue
        if check is None:
            names[f"spec{n}"] = spec
            lines.append(f"{pad}_read_spec(segment, spec{n}, plan, values, elements, unsafe)")
            continue
        if spec.kind in ("list", "pointers"):
            lines += _list_lines(spec, pad, check, i in in_place)
            continue
        if first is None:
            lines.append(f'{pad}value = own[{i - 1}] if count >= {i} else ""')
        else:  # one component of the element
            lines.append(f'{pad}value = c{i}[{first - 1}] if len(c{i}) >= {first} else ""')
        lines.append(f"{pad}if value and {check}:")
        lines += _store_lines(spec, pad + "    ", "int(value)" if spec.kind == "int" else "value")
        if first is None:
            lines.append(f"{pad}    out[{i - 1}] = value")
        elif i in in_place:
            lines.append(f"{pad}    out[{i - 1}][{first - 1}] = value")
        else:
            lines.append(f"{pad}    elements.set({i}, {first}, value)")
    lines.append("    return elements")
    exec("\n".join(lines), names)  # the code is made above from the maps' constants
    return cast(_Reader, names["read"])


def _read_spec(
    segment: Segment,
    spec: _Spec,
    plan: _Plan,
    values: dict[str, Any],
    elements: _Elements | None,
    unsafe: re.Pattern[str],
) -> None:
    """Read one field into ``values`` and, when given, write it back into ``elements``."""
    if spec.when_index and (segment.get(spec.when_index) == spec.when_code) is spec.when_not:
        return
    try:
        value = _read_value(segment, spec)
    except (ValueError, KeyError):
        return
    if value in ("", [], None):
        return
    delimiters = segment.delimiters
    if spec.as_is and (unsafe.search(value) if type(value) is str else not _writable(value, delimiters)):
        return
    if len(spec.path) == 1:
        values[spec.key] = value
    else:
        set_path(values, spec.key, value)
    if elements is not None:
        _write_value(elements, spec, plan, value, delimiters)


def _writable(value: Any, delimiters: Delimiters) -> bool:
    """True when every text in ``value`` can be written back as data (else it stays in ``other_elements``)."""
    if isinstance(value, dict):
        return all(_writable(v, delimiters) for v in value.values())
    if isinstance(value, list):
        return all(_writable(v, delimiters) for v in value)
    return value_problem(str(value), delimiters) is None


def _read_value(segment: Segment, spec: _Spec) -> Any:
    kind, index, first = spec.kind, spec.index, spec.first
    f = spec.field
    if kind == "text" and first is None and f.codes is None:
        return segment.get(index)
    if kind == "datetime":
        day, time = segment.get(index), segment.get(index + 1)
        return iso_date(day) + ("T" + iso_time(time) if time else "")
    if kind in EXACT:
        text = segment.get(index)
        return EXACT[kind](text, segment.delimiters) if text else ""
    if kind == "run":
        return _read_run(segment, spec)
    if kind == "whole_groups":
        return _read_whole_groups(segment, index, f)
    if kind == "groups":
        return _read_groups(segment, index, f)
    if kind == "elements":
        return _read_elements(segment, index, f)
    if kind in ("list", "pointers"):
        parts = segment.components(index)
        last = spec.last
        if first is not None and last is not None:
            parts = parts[first - 1 : last]
        while parts and parts[-1] == "":
            parts.pop()
        return [integer(p) for p in parts] if kind == "pointers" else parts
    text = segment.get(index, first) if first is not None else segment.get(index)
    if not text:
        return ""
    if f.codes is not None:
        return f.codes[text]
    return SIMPLE[kind](text)


def _read_elements(segment: Segment, index: int, f: Field) -> list[str]:
    texts = [segment.get(index + n) for n in range(f.count)]
    while texts and texts[-1] == "":
        texts.pop()
    if "" in texts:
        raise ValueError(texts)
    return [f.codes[t] for t in texts] if f.codes is not None else texts


def _read_run(segment: Segment, spec: _Spec) -> list[str]:
    out: list[str] = []
    for position in spec.positions:
        text = segment.get(position)
        if not text or decode(text, "raw", segment.delimiters) is None:
            break
        out.append(text)
    return out


def _read_whole_groups(segment: Segment, index: int, f: Field) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    width = len(f.names)
    for n in range(f.count):
        texts = [segment.get(index + n * width + i) for i in range(width)]
        if any(decode(text, "raw", segment.delimiters) is None for text in texts):
            break
        out.append(dict(zip(f.names, texts, strict=True)))
    return out


def _read_groups(segment: Segment, index: int, f: Field) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    width = len(f.names)
    for n in range(f.count):
        start = index + n * width
        group = {name: segment.get(start + i) for i, name in enumerate(f.names) if segment.get(start + i)}
        if not group:
            break
        out.append(group)
    return out


def _differences(original: Segment, new: list[str]) -> dict[str, Element]:
    old = original.elements
    if old == new:
        return {}
    other: dict[str, Element] = {}
    for i in range(max(len(old), len(new))):
        was = old[i] if i < len(old) else ""
        beyond = i >= len(new)
        if (beyond and (was or i == len(old) - 1)) or (not beyond and was != new[i]):
            other[f"{original.id}{i + 1:02d}"] = element_value(was, original.delimiters)
    return other


# Writing ----------------------------------------------------------------------------------

_MISSING = object()


def write_fields(smap: SegmentMap, data: dict[str, Any], delimiters: Delimiters) -> Segment:
    """The segment for ``data`` (named fields, then ``other_elements`` on top)."""
    plan = _plan(smap)
    elements = plan.start.copy()
    for spec in plan.specs:
        value = _value_at(data, spec.path)
        if value is not _MISSING:
            _write_value(elements, spec, plan, value, delimiters)
    texts = elements.texts(smap.seg, delimiters, unsafe_characters(delimiters))
    if smap.flat:
        other = {ref: value for ref, value in data.get(OTHER, {}).items() if _own(ref, smap.seg)}
    else:
        other = data.get(OTHER, {}).get(smap.label, {})
    if other:
        given = segment_from_json({"id": smap.seg, "elements": other}, delimiters)
        for ref in other:
            index = int(ref[len(smap.seg) :])
            while len(texts) < index:
                texts.append("")
            texts[index - 1] = given.get(index)
    return Segment(smap.seg, texts, delimiters)


def _value_at(data: Any, path: tuple[str, ...]) -> Any:
    """The value at a split dotted key, or `_MISSING`."""
    for part in path:
        if part not in data:
            return _MISSING
        data = data[part]
    return data


def _write_value(elements: _Elements, spec: _Spec, plan: _Plan, value: Any, delimiters: Delimiters) -> None:
    index, first, kind = spec.index, spec.first, spec.kind
    if spec.when_index and not spec.when_not:
        elements.set(spec.when_index, None, spec.when_code)
    if kind in ("text", "raw") and spec.field.codes is None:
        elements.set(index, first, value if type(value) is str else str(value))
    elif kind == "procedure":
        for component, part in enumerate(procedure_parts(value, delimiters), start=1):
            elements.set(index, component, str(part))
    elif kind == "run":
        for position, part in zip(spec.positions, value, strict=False):
            elements.set(position, None, str(part))
    elif kind == "whole_groups":
        width = len(spec.field.names)
        for n, group in enumerate(value[: spec.field.count]):
            for i, name in enumerate(spec.field.names):
                elements.set(index + n * width + i, None, str(group[name]))
    elif kind == "datetime":
        day, _, time = str(value).partition("T")
        elements.set(index, None, x12_date(day))
        if time:
            elements.set(index + 1, None, time.replace(":", ""))
    elif kind == "groups":
        names = spec.field.names
        width = len(names)
        for n, group in enumerate(value):
            for i, name in enumerate(names):
                if name in group:
                    elements.set(index + n * width + i, None, str(group[name]))
    elif kind == "elements":
        words = plan.words.get(id(spec.field), {})
        for offset, part in enumerate(value):
            elements.set(index + offset, None, words.get(str(part), str(part)))
    elif kind in ("list", "pointers"):
        for offset, part in enumerate(value):
            elements.set(index, (first or 1) + offset, str(part))
    else:
        text = str(value)
        if spec.field.codes is not None:
            text = plan.words[id(spec.field)][text]
        elif kind in ("date", "exact_date"):
            text = x12_date(text)
        elements.set(index, first, text)
