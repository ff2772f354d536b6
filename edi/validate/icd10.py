"""ICD-10-CM tabular data for the code rules, loaded on first use and cached on disk.

The data comes from the tabular list that PyPI ``simple-icd-10-cm`` ships. Importing that
package parses a 10 MB XML file (seconds), so the first use condenses what the rules need
into compact JSON in the user cache folder (`edi.cache`), keyed by the package version; later
runs read only that file. Every run needs the codes' flags, parents and Excludes1 references, but
titles and "code first" notes only for the messages of the few codes with findings, so the
codes are cached a second time without them and the full records are read only when a
message asks. Codes may be given with or without the dot (``E11.9`` or ``E119``).
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add
from pathlib import Path
from typing import Any, Self

from edi import cache

PACKAGE = "simple-icd-10-cm"
FORMAT = 4  # bump when the cached records change
ENTRIES_FORMAT = 2  # bump when the cached entries change

LEAF, MANIFESTATION, ADDITIONAL_ONLY = 1, 2, 4
MEMO_SIZE = 20_000  # lookups remembered per table (then forgotten at once), so memory stays flat on large files
# "in diseases classified elsewhere", "in other diseases ...", "in bacterial diseases ...".
MANIFESTATION_TITLE = re.compile(r"\bin\b.*\bdiseases? classified elsewhere")
ADDITIONAL_ONLY_NOTE = re.compile(r"for use as (?:an )?additional codes?|supplementary or additional codes")

# One code reference inside a note, as an inclusive range of code prefixes (a single code is lo == hi).
Reference = tuple[str, str]
# code -> (flags, parent, own Excludes1 references, title, own "code first" note, own partial Excludes1 references)
Record = tuple[int, str, tuple[Reference, ...], str, str, tuple[Reference, ...]]
# code -> (flags, parent, own Excludes1 references, own partial Excludes1 references): a record without its texts
Own = tuple[int, str, tuple[Reference, ...], tuple[Reference, ...]]
# an `Own` entry and the first characters of every code a whole Excludes1 reference along its lineage covers
Entry = tuple[int, str, tuple[Reference, ...], tuple[Reference, ...], str]
# a code with its own Excludes1 references, all and partial
Notes = tuple[str, tuple[Reference, ...], tuple[Reference, ...]]
# a code (no dot), its lineage and the notes along it
Line = tuple[str, tuple[str, ...], tuple[Notes, ...]]

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.?[0-9A-Z]{1,4})?"
_ITEM = re.compile(rf"({_CODE})(?:\.?-)?(?:\s*-\s*({_CODE})(?:\.?-)?)?")
# A range whose every code takes the same ending: "E08-E13 with .42", "B27.0-B27.9 with fifth character 1".
_WITH = re.compile(
    rf"({_CODE})\s*-\s*({_CODE})\s+WITH\s+(?:\.([0-9A-Z]{{1,3}})|(?:FIFTH|SIXTH|SEVENTH) CHARACTER ([0-9A-Z]))"
)
_PARENTHESES = re.compile(r"\(([^()]*)\)")
# What `Lines` groups rows by: the first five characters of their first field.
PREFIX = 5
_PREFIX = re.compile(rf"^[^\t\n]{{0,{PREFIX}}}", re.MULTILINE)


@dataclass(slots=True, frozen=True)
class Code:
    """What the rules know about one ICD-10-CM item (chapter, block, category or subcategory)."""

    code: str
    parent: str
    leaf: bool
    manifestation: bool
    additional_only: bool
    table: Table

    @property
    def title(self) -> str:
        """The item's title in the tabular."""
        return self.table.texts(self.code)[0]

    @property
    def code_first(self) -> str:
        """The item's "code first" note (its own or the nearest ancestor's), for manifestations only."""
        return self.table.texts(self.code)[1]


def normalize(code: str) -> str:
    """The code as X12 carries it: upper case, no dot, no surrounding spaces."""
    return code.strip().upper().replace(".", "")


def parse_references(note: str) -> tuple[Reference, ...]:
    """The code references in the parentheses of an Excludes note: ``(E10.-)``, ``(E00-E07, E15-E16)``."""
    found: list[Reference] = []
    for group in _PARENTHESES.findall(note):
        for item in group.split(","):
            text = item.strip().upper()
            match = _ITEM.fullmatch(text)
            if match:
                low = normalize(match.group(1))
                found.append((low, normalize(match.group(2)) if match.group(2) else low))
            elif ranged := _WITH.fullmatch(text):
                found += _with_ending(*ranged.groups())
    return tuple(found)


def _with_ending(low: str, high: str, suffix: str | None, character: str | None) -> list[Reference]:
    """Each code of the range ``low``-``high`` (same stem, numbered last two or one characters) with the ending."""
    low, high = normalize(low), normalize(high)
    width = 2 if len(low) == 3 else 1
    stem = low[:-width]
    if len(low) != len(high) or high[:-width] != stem or not (low[-width:] + high[-width:]).isdigit():
        return []
    ending = suffix or character or ""
    codes = [f"{stem}{n:0{width}d}{ending}" for n in range(int(low[-width:]), int(high[-width:]) + 1)]
    return [(code, code) for code in codes]


def covers(reference: Reference, code: str) -> bool:
    """True when ``code`` (no dot) is the referenced code, one of its descendants, or inside the range."""
    low, high = reference
    return code[: len(low)] >= low and code[: len(high)] <= high


class Lines:
    """Rows of text fields as lines of one string, sorted by their first field and found among the few that begin alike.

    A few objects rather than hundreds of thousands: loading them leaves no freed objects
    among them, and processes forked once they are loaded (`validate -j`) read them without
    writing reference counts, so their pages stay shared.
    """

    __slots__ = ("_blocks", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # The rows whose first field begins alike (a subcategory and its next character: "E113", "E1131"), as the span
        # of text from the line break before the first (0 for the first row) to the end of the last: a lookup
        # searches those few lines, not all of them, and an unknown start is answered at once.
        ends = list(accumulate(map(add, map(len, text.split("\n")), repeat(1))))
        prefixes = _PREFIX.findall(text)
        last = dict(zip(prefixes, ends, strict=True))
        first = dict(zip(reversed(prefixes), [0, *ends][-2::-1], strict=True))
        self._blocks: dict[str, tuple[int, int]] = {
            prefix: (max(first[prefix] - 1, 0), last[prefix]) for prefix in last
        }

    @classmethod
    def of(cls, rows: Iterable[tuple[str, ...]]) -> Self:
        """The rows, each a tuple of fields (tabs, line breaks and backslashes escaped)."""
        return cls("\n".join("\t".join(_escaped(field) for field in row) for row in sorted(rows)))

    def fields(self, key: str) -> list[str] | None:
        """The fields of the row whose first field is ``key``, or None."""
        block = self._blocks.get(key[:PREFIX])
        if block is None:
            return None
        text, (start, end) = self.text, block
        found = text.find(f"\n{key}\t", start, end) + 1
        if not found and (start or not text.startswith(f"{key}\t")):
            return None
        if text.find("\t", found) != found + len(key):  # a key holding a tab is not a first field
            return None
        stop = text.find("\n", found)
        row = text[found : stop if stop >= 0 else None]
        if "\\" in row:
            return [_ESCAPE.sub(_unescaped, field) for field in row.split("\t")]
        return row.split("\t")


_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}
_ESCAPE = re.compile(r"\\(.)")


def _escaped(field: str) -> str:
    return field.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _unescaped(match: re.Match[str]) -> str:
    return _ESCAPES[match.group(1)]


class Entries(Lines):
    """Each code's flags, parent, Excludes1 references (all, partial) and what its lineage's whole references reach,
    as `Lines`; lookups remembered."""

    __slots__ = ("_memo",)

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._memo: dict[str, Entry | None] = {}

    @classmethod
    def of_entries(cls, entries: dict[str, Own]) -> Entries:
        """The entries of a dictionary."""
        reach: dict[str, str] = {}

        def reached(code: str) -> str:
            """The first characters the whole references along the code's lineage cover, as one sorted string."""
            found = reach.get(code)
            if found is None:
                entry = entries.get(code)
                if entry is None:
                    return ""
                above = reached(entry[1]) if entry[1] else ""
                found = reach[code] = "".join(sorted(set(above) | _first_characters(entry[2])))
            return found

        rows = (
            (code, str(flags), parent, _packed(refs), _packed(partial), reached(code))
            for code, (flags, parent, refs, partial) in entries.items()
        )
        return cls.of(rows)

    def get(self, code: str) -> Entry | None:
        """The entry of ``code`` (no dot), or None."""
        memo = self._memo
        if code in memo:
            return memo[code]
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        row = self.fields(code)
        found = memo[code] = (
            None if row is None else (int(row[1]), row[2], _unpacked(row[3]), _unpacked(row[4]), row[5])
        )
        return found

    def __contains__(self, code: str) -> bool:
        return self.get(code) is not None

    def __getitem__(self, code: str) -> Entry:
        found = self.get(code)
        if found is None:
            raise KeyError(code)
        return found


def _packed(references: tuple[Reference, ...]) -> str:
    return ",".join(f"{low}:{high}" for low, high in references)


def _unpacked(text: str) -> tuple[Reference, ...]:
    return tuple((low, high) for low, _, high in (item.partition(":") for item in text.split(","))) if text else ()


class Table:
    """The condensed ICD-10-CM tabular: lookups by code, ancestors and Excludes1 references."""

    __slots__ = ("_found", "_lines", "_texts", "entries", "version")

    def __init__(self, version: str, entries: Entries, records: dict[str, Record] | None = None) -> None:
        self.version = version
        self.entries = entries
        self._texts = _texts(records) if records is not None else None
        self._found: dict[str, Code | None] = {}  # code as given -> its item, for codes looked up before
        self._lines: dict[str, Line] = {}

    def texts(self, code: str) -> tuple[str, str]:
        """The title and "code first" note of ``code``: the full records are read (or built) on first use."""
        if self._texts is None:
            self._texts = _texts(_full_records(self.version))
        row = self._texts.fields(code)
        if row is None:
            raise KeyError(code)
        return row[1], row[2]

    def get(self, code: str) -> Code | None:
        """The item for ``code`` (with or without the dot), or None when the tabular has no such code."""
        if code in self._found:
            return self._found[code]
        if len(self._found) >= MEMO_SIZE:
            self._found.clear()
        found = self._found[code] = self._item(code)
        return found

    def flags(self, key: str) -> int | None:
        """The flags (`LEAF` ...) of a code given as `normalize` makes it, or None when the tabular has no such code."""
        entry = self.entries.get(key)
        return None if entry is None else entry[0]

    def _item(self, code: str) -> Code | None:
        key = normalize(code)
        entry = self.entries.get(key)
        if entry is None:
            return None
        flags, parent = entry[0], entry[1]
        return Code(key, parent, bool(flags & LEAF), bool(flags & MANIFESTATION), bool(flags & ADDITIONAL_ONLY), self)

    def lineage(self, code: str) -> Iterator[str]:
        """The code itself, then its ancestors up to the chapter."""
        key: str | None = normalize(code)
        while key:
            yield key
            entry = self.entries.get(key)
            key = entry[1] if entry else None

    def excludes1(self, code: str) -> list[Reference]:
        """The Excludes1 references of the code and of all its ancestors."""
        return [ref for key in self.lineage(code) if key in self.entries for ref in self.entries[key][2]]

    def excludes(self, code: str, other: str, partial: bool = False) -> bool:
        """True when an Excludes1 note of ``code`` or an ancestor covers ``other`` (with ``partial``, a note that
        excludes only one of the conditions its code stands for).

        A note on an ancestor that ``other`` shares never counts: the tabular has a few notes
        that name a descendant of the node holding them (D72 names D72.824).
        """
        return _covered(self._line(code), self._line(other), partial)

    def _line(self, code: str) -> Line:
        """The code's lineage, and the entries along it that hold Excludes1 notes (remembered: codes repeat).

        Built on the parent's line, itself remembered: most codes share their few ancestors.
        """
        found = self._lines.get(code)
        if found is None:
            if len(self._lines) >= MEMO_SIZE:
                self._lines.clear()
            key = normalize(code)
            entry = self.entries.get(key) if key else None
            if entry is None:
                found = (key, (key,) if key else (), ())
            else:
                _, keys, noted = self._line(entry[1]) if entry[1] else ("", (), ())
                if entry[2] or entry[3]:
                    noted = ((key, entry[2], entry[3]), *noted)
                found = (key, (key, *keys), noted)
            self._lines[code] = found
        return found

    def excluded_pair(self, code: str, other: str) -> bool:
        """True when the two codes should not be reported together: an Excludes1 note covers one of them,
        and no note links them that excludes only one of the conditions its code stands for.

        The tabular marks that exception by naming, in the Excludes1 note, one of the inclusion terms
        of the code holding it: F45.8 (Other somatoform disorders) excludes "sleep related teeth
        grinding (G47.63)" because "Teeth grinding" is one of its inclusion terms; its other inclusion
        terms (psychogenic dysmenorrhea ...) are unrelated conditions, so F45.8 and G47.63 may be
        reported together (ICD-G I.A.12.a). Such a note, in either direction, lifts the pair.
        """
        return any(self.excluded_pairs([code, other]))

    def excluded_pairs(self, codes: list[str]) -> Iterator[tuple[int, int]]:
        """(earlier, later) indexes of the codes that `excluded_pair` says should not go together, by later
        code, then earlier."""
        if len(codes) < 2:
            return
        keys = [normalize(code) for code in codes]
        reach = [self._reach(key) for key in keys]
        for later, key in enumerate(keys):
            first, reached = key[:1], reach[later]
            for earlier in range(later):
                other = keys[earlier]
                # Most pairs: no whole reference along either lineage reaches the other code's first character, which
                # the entries tell without walking the lineages.
                if (
                    ((first and first in reach[earlier]) or (other[:1] and other[:1] in reached))
                    and other != key
                    and _excluded(self._line(other), self._line(key))
                ):
                    yield earlier, later

    def _reach(self, key: str) -> str:
        """The first characters of every code a whole Excludes1 reference along the lineage of ``key`` covers."""
        entry = self.entries.get(key) if key else None
        return entry[4] if entry is not None else ""


def _excluded(one: Line, two: Line) -> bool:
    """`Table.excluded_pair` on the two codes' lines."""
    if not (_covered(one, two) or _covered(two, one)):
        return False
    return not (_covered(one, two, partial=True) or _covered(two, one, partial=True))


def _first_characters(references: tuple[Reference, ...]) -> frozenset[str]:
    """The first characters of every code the references cover (A00-B99 gives A and B)."""
    return frozenset(chr(n) for low, high in references for n in range(ord(low[0]), ord(high[0]) + 1))


def _covered(code: Line, other: Line, partial: bool = False) -> bool:
    """True when a note along ``code``'s lineage, on an ancestor ``other`` does not share, covers ``other``."""
    target, shared = other[0], other[1]
    for key, whole, part in code[2]:
        if key not in shared and any(covers(ref, target) for ref in (part if partial else whole)):
            return True
    return False


def package_version() -> str:
    """The installed version of simple-icd-10-cm, read without importing it."""
    spec = importlib.util.find_spec("simple_icd_10_cm")
    if spec is not None and spec.origin:
        # A directory listing is much cheaper than importlib.metadata's scan of every distribution.
        for info in Path(spec.origin).parent.parent.glob("simple_icd_10_cm-*.dist-info"):
            return info.name.removeprefix("simple_icd_10_cm-").removesuffix(".dist-info")
    return importlib.metadata.version(PACKAGE)


def _names(version: str) -> tuple[str, str]:
    """The cache names of the full records and of the entries."""
    return f"icd10cm-{version}-{FORMAT}.json", f"icd10cm-{version}-{FORMAT}-lines-{ENTRIES_FORMAT}.json"


@functools.cache
def table() -> Table:
    """The ICD-10-CM table, its entries read from the cache or made (and cached) on first use."""
    version = package_version()
    entries = cache.load(_names(version)[1], _restore_entries)
    if entries is not None:
        return Table(version, entries)
    records = _full_records(version)
    entries = Entries.of_entries({code: (r[0], r[1], r[2], r[5]) for code, r in records.items()})
    cache.store(_names(version)[1], entries.text)
    return Table(version, entries, records)


def _texts(records: dict[str, Record]) -> Lines:
    """Each code's title and "code first" note, as `Lines`."""
    return Lines.of((code, record[3], record[4]) for code, record in records.items())


def _full_records(version: str) -> dict[str, Record]:
    """The full records, read from the cache or built (and cached)."""
    name = _names(version)[0]
    records = cache.load(name, _restore_records)
    if records is None:
        records = build_records()
        cache.store(name, records)
    return records


def _references(items: list[list[str]]) -> tuple[Reference, ...]:
    return tuple((low, high) for low, high in items) if items else ()


def _restore_entries(data: Any) -> Entries:
    """The entries from their cached text (a TypeError when the data has another shape)."""
    if not isinstance(data, str):
        raise TypeError("the entries are not one text")
    return Entries(data)


def _restore_records(data: dict[str, Any]) -> dict[str, Record]:
    """The full records from their cached JSON."""
    return {
        code: (flags, parent, _references(refs), title, note, _references(partial))
        for code, (flags, parent, refs, title, note, partial) in data.items()
    }


def build_records() -> dict[str, Record]:
    """Condense the tabular that ``simple_icd_10_cm`` ships into one record per code."""
    with warnings.catch_warnings():  # the package reads its data with a deprecated importlib.resources call
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as cm  # slow import: only a cache miss needs it

    records: dict[str, Record] = {}
    for item in cm.get_all_codes(with_dots=True):
        key = normalize(item)
        if key in records:
            continue
        records[key] = _record(cm, item)
    return records


def _record(cm: Any, item: str) -> Record:
    ancestors = [a for a in cm.get_ancestors(item) if a != item]
    parent = normalize(ancestors[0]) if ancestors else ""
    notes = list(cm.get_excludes1(item))
    if cm.get_parent(item) == item:  # a category alone in its block shares the block's name
        notes += cm.get_excludes1(item, prioritize_blocks=True)
    title = cm.get_description(item)
    lineage = [item, *(a for a in ancestors if not cm.is_chapter(a))]
    manifestation = any(
        MANIFESTATION_TITLE.search(cm.get_description(a).lower()) for a in lineage if cm.is_category_or_subcategory(a)
    )
    additional_only = any(
        ADDITIONAL_ONLY_NOTE.search(" ".join([cm.get_notes(a), *cm.get_inclusion_term(a)]).lower()) for a in lineage
    )
    flags = (
        (LEAF if cm.is_leaf(item) and cm.is_category_or_subcategory(item) else 0)
        | (MANIFESTATION if manifestation else 0)
        | (ADDITIONAL_ONLY if additional_only else 0)
    )
    code_first = cm.get_code_first(item, search_in_ancestors=True) if manifestation else ""
    terms = [term.lower() for term in cm.get_inclusion_term(item)]
    partial = [note for note in notes if partial_note(note, terms)]
    references = tuple(ref for note in notes if note not in partial for ref in parse_references(note))
    return (
        flags,
        parent,
        references,
        title,
        code_first,
        tuple(ref for note in partial for ref in parse_references(note)),
    )


def partial_note(note: str, terms: list[str]) -> bool:
    """True when an Excludes1 ``note`` names one of several inclusion ``terms`` of the code holding it.

    The note then excludes only that one of the conditions the code stands for; the code's other
    conditions may be reported with the excluded code when they are unrelated (ICD-G I.A.12.a).
    """
    words = note.split("(")[0].lower()
    return len(terms) > 1 and any(re.search(rf"\b{re.escape(term)}\b", words) for term in terms)
