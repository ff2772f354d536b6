"""The cache: JSON data in the platform's cache folder, one folder per version, rebuilt with a note when unusable."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from edi import cache
from edi.x12 import lalr

GRAMMAR = "start: A B\n%declare A B\n"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path


def test_the_folder_follows_xdg_cache_home_and_the_version(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = cache.cache_dir()
    assert folder.parent == cache_home / "edi"
    monkeypatch.setattr(cache, "__version__", "9.9.9")
    assert cache.cache_dir() != folder and cache.cache_dir().parent == folder.parent


def test_a_table_is_cached_as_json_and_read_back(cache_home: Path) -> None:
    table = lalr.compile_table(GRAMMAR)
    (path,) = cache.cache_dir().glob("table-*.json")
    assert orjson.loads(path.read_bytes())["data"]["start"] == table.start
    assert lalr.compile_table(GRAMMAR) == table


@pytest.mark.parametrize(
    "content",
    [
        lambda name: b"not json at all",
        lambda name: orjson.dumps({"name": "other.json", "data": {}}),
        lambda name: orjson.dumps({"name": name, "data": 1}),
        lambda name: pickle.dumps({"name": name}),
    ],
    ids=["garbage", "another entry", "another shape", "a pickle"],
)
def test_an_unusable_file_is_rebuilt_with_a_note(
    cache_home: Path, capsys: pytest.CaptureFixture[str], content: Callable[[str], bytes]
) -> None:
    table = lalr.compile_table(GRAMMAR)
    (path,) = cache.cache_dir().glob("table-*.json")
    path.write_bytes(content(path.name))
    rebuilt = lalr.compile_table(GRAMMAR)  # Lark may number the states differently on each build
    assert len(rebuilt.actions) == len(table.actions) and rebuilt.expected(rebuilt.start) == ["A"]
    error = capsys.readouterr().err
    assert "cannot be used" in error and str(path) in error and "Traceback" not in error
    assert orjson.loads(path.read_bytes())["name"] == path.name


def test_a_read_only_cache_is_not_an_error(cache_home: Path) -> None:
    blocker = cache_home / "edi"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    assert lalr.compile_table(GRAMMAR).start >= 0
    assert cache.load("missing.json", lambda data: data) is None
