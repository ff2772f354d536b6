"""The ICD-10-CM table: lookups, Excludes1 references, and the on-disk cache."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from edi import cache
from edi.validate import icd10
from tests.conftest import ROOT


@pytest.fixture
def fresh_table() -> Iterator[None]:
    """Forget the loaded table before and after the test."""
    icd10.table.cache_clear()
    yield
    icd10.table.cache_clear()


def code(value: str) -> icd10.Code:
    """The table's item for ``value``, which must exist."""
    found = icd10.table().get(value)
    assert found is not None, value
    return found


@pytest.mark.parametrize(
    ("note", "references"),
    [
        ("type 1 diabetes mellitus (E10.-)", (("E10", "E10"),)),
        ("neonatal diabetes mellitus (P70.2)", (("P702", "P702"),)),
        ("gestational diabetes (O24.4-)", (("O244", "O244"),)),
        ("endocrine disease (E00-E07, E15-E16, E20-E34)", (("E00", "E07"), ("E15", "E16"), ("E20", "E34"))),
        ("pain in limb (M79.60-M79.66)", (("M7960", "M7966"),)),
        ("poisoning (T36-T65 with fifth or sixth character 1-4)", ()),
        ("diabetes mellitus (E08-E13 with .42)", tuple((f"E{n:02d}42", f"E{n:02d}42") for n in range(8, 14))),
        (
            "mononucleosis with polyneuropathy (B27.0-B27.9 with fifth character 1)",
            tuple((f"B27{n}1", f"B27{n}1") for n in range(10)),
        ),
        ("acute (chronic) bronchitis", ()),
    ],
)
def test_parse_references(note: str, references: tuple[icd10.Reference, ...]) -> None:
    assert icd10.parse_references(note) == references


@pytest.mark.parametrize(
    ("reference", "code", "covered"),
    [
        (("E10", "E10"), "E109", True),
        (("E10", "E10"), "E10", True),
        (("E10", "E10"), "E11", False),
        (("E00", "E07"), "E0500", True),
        (("E00", "E07"), "E07", True),
        (("E00", "E07"), "E08", False),
        (("M7960", "M7966"), "M79661", True),
        (("M7960", "M7966"), "M7967", False),
    ],
)
def test_covers(reference: icd10.Reference, code: str, covered: bool) -> None:
    assert icd10.covers(reference, code) is covered


def test_leaf_and_category() -> None:
    leaf = code("E119")
    assert leaf.leaf and leaf.parent == "E11" and leaf.title == "Type 2 diabetes mellitus without complications"
    assert not code("E11").leaf
    assert code("E11.9") == code("e11.9 ") == leaf
    assert icd10.table().get("E11.99") is None


def test_seventh_character_codes() -> None:
    assert code("S72.001A").leaf
    assert not code("S72001").leaf


def test_lineage_reaches_the_chapter() -> None:
    assert list(icd10.table().lineage("E11.9")) == ["E119", "E11", "E08-E13", "4"]


def test_manifestation_and_code_first() -> None:
    assert code("G63").manifestation and "underlying disease" in code("G63").code_first
    assert not code("E1142").manifestation and code("E1142").code_first == ""


def test_manifestation_inherited_from_category_title() -> None:
    assert code("M90511").manifestation


def test_additional_only_codes() -> None:
    assert all(code(value).additional_only for value in ("Z370", "B962", "Z1611"))
    assert not code("J069").additional_only


def test_excludes1_collects_ancestor_notes() -> None:
    table = icd10.table()
    assert ("E10", "E10") in table.excludes1("E119")  # the note sits on category E11
    assert table.excludes("E119", "E10.9") and table.excludes("E10.9", "E119")
    assert not table.excludes("E119", "I10")


def test_a_range_with_a_suffix_excludes_each_code_with_it() -> None:
    table = icd10.table()
    assert table.excluded_pair("E1142", "G63") and table.excluded_pair("G63", "E0842")
    assert not table.excluded_pair("E1140", "G63")


@pytest.mark.parametrize(
    ("note", "terms", "partial"),
    [
        ("sleep related teeth grinding (G47.63)", ["psychogenic dysmenorrhea", "teeth grinding"], True),
        ("sleep related teeth grinding (G47.63)", ["teeth grinding"], False),
        ("type 1 diabetes mellitus (E10.-)", ["diabetes mellitus nos", "type 2 diabetes"], False),
        ("congenital cardiospasm (Q39.5)", ["achalasia of cardia", "cardiospasm"], True),
    ],
)
def test_partial_note_names_one_of_several_inclusion_terms(note: str, terms: list[str], partial: bool) -> None:
    assert icd10.partial_note(note, terms) is partial


def test_a_pair_excluded_for_one_inclusion_term_only_is_allowed_both_ways() -> None:
    table = icd10.table()
    assert table.excludes("G4763", "F458")  # G47.63 names psychogenic bruxism (F45.8)
    assert not table.excluded_pair("F458", "G4763") and not table.excluded_pair("G4763", "F458")
    assert table.excluded_pair("E119", "E109")


def test_cache_is_read_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_table: None, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    records: dict[str, icd10.Record] = {"A000": (icd10.LEAF, "A00", (("A01", "A02"),), "Cholera", "", ())}
    cached = cache.cache_dir() / f"icd10cm-{icd10.package_version()}-{icd10.FORMAT}.json"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"not JSON")
    monkeypatch.setattr(icd10, "build_records", lambda: records)
    assert icd10.table().texts("A000") == ("Cholera", "")
    assert "cannot be used" in capsys.readouterr().err
    assert orjson.loads(cached.read_bytes())["data"] == {
        "A000": [icd10.LEAF, "A00", [["A01", "A02"]], "Cholera", "", []]
    }

    def no_build() -> dict[str, icd10.Record]:
        raise AssertionError("the cache should have been used")

    icd10.table.cache_clear()
    monkeypatch.setattr(icd10, "build_records", no_build)
    table = icd10.table()
    assert table.entries.get("A000") == (icd10.LEAF, "A00", (("A01", "A02"),), (), "A")
    assert table.texts("A000") == ("Cholera", "")


def test_package_version() -> None:
    assert icd10.package_version() == importlib.metadata.version(icd10.PACKAGE) == icd10.table().version


def test_warm_cache_does_not_import_the_package() -> None:
    icd10.table()  # make sure the cache exists
    code = "import sys; from edi.validate import icd10; icd10.table(); print('simple_icd_10_cm' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_note_on_a_shared_ancestor_does_not_exclude_its_own_descendants() -> None:
    table = icd10.table()
    assert ("D72824", "D72824") in table.excludes1("D7210")  # the note sits on category D72
    assert not table.excludes("D7210", "D72824")
    assert table.excludes("D72824", "D721")  # D72.82's own note names eosinophilia (D72.1)


@pytest.mark.parametrize("manifestation", ["G01", "F0280", "G63", "M90511"])
def test_manifestation_titles_with_words_between(manifestation: str) -> None:
    """'in bacterial diseases classified elsewhere' and 'in other diseases ...' are manifestations too."""
    assert code(manifestation).manifestation


@pytest.mark.parametrize("not_manifestation", ["B951", "E1121", "J069"])
def test_causes_of_diseases_elsewhere_are_not_manifestations(not_manifestation: str) -> None:
    assert not code(not_manifestation).manifestation


def test_titles_are_read_only_when_a_message_needs_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_table: None
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    records: dict[str, icd10.Record] = {"A000": (icd10.LEAF, "A00", (), "Cholera", "", ())}
    builds: list[int] = []
    monkeypatch.setattr(icd10, "build_records", lambda: builds.append(1) or records)
    icd10.table()
    full = cache.cache_dir() / f"icd10cm-{icd10.package_version()}-{icd10.FORMAT}.json"
    full.unlink()  # from here on, only the entries are cached
    icd10.table.cache_clear()
    found = icd10.table().get("A00.0")
    assert found is not None and found.leaf and found.parent == "A00"
    assert builds == [1]
    assert found.title == "Cholera" and found.code_first == ""
    assert builds == [1, 1]


def test_lines_find_every_row_whatever_the_length_of_its_first_field() -> None:
    """Rows are grouped by the first characters of their key: short keys and near misses must still answer right."""
    keys = ["1", "12", "A0", "A00", "A00-A09", "A000", "A001", "A01", "B", "E11", "E119", "E1165", "Z99"]
    lines = icd10.Lines.of((key, f"title of {key}", "tab\there") for key in keys)
    for key in keys:
        assert lines.fields(key) == [key, f"title of {key}", "tab\there"]
    for missing in ["", "0", "13", "A", "A002", "A00-", "A0-", "E1", "E12", "E11X", "Z9", "Z999", "ZZZ"]:
        assert lines.fields(missing) is None, missing


def test_entries_tell_what_the_notes_along_a_lineage_reach() -> None:
    """Each entry carries the first characters its lineage's whole references cover, the quick test of a pair."""
    own: dict[str, icd10.Own] = {
        "A00-B99": (0, "", (("C00", "D49"),), ()),
        "A00": (0, "A00-B99", (("K00", "K01"),), (("Z00", "Z00"),)),  # a partial reference reaches nothing
        "A000": (icd10.LEAF, "A00", (), ()),
        "K00": (icd10.LEAF, "", (), ()),
        "Z00": (icd10.LEAF, "", (), ()),
    }
    table = icd10.Table("test", icd10.Entries.of_entries(own))
    assert table.entries["A000"][4] == "CDK" and table.entries["K00"][4] == ""
    assert list(table.excluded_pairs(["K00", "Z00", "A00.0"])) == [(0, 2)]
    assert not table.excluded_pair("A000", "Z00")
