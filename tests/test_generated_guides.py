"""grammars/ and edi/guides/data/ are what tools/gen_guides.py makes from the guide maps: no hand edits."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tests.conftest import REFERENCE, ROOT

MAPS = REFERENCE / "pyx12-maps"


@pytest.mark.skipif(not MAPS.is_dir(), reason=f"guide maps not found at {MAPS}")
def test_generated_files_match_the_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_guides", ROOT / "tools" / "gen_guides.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    (tmp_path / "grammars").mkdir()
    (tmp_path / "edi" / "guides" / "data").mkdir(parents=True)
    generator.main(str(MAPS), tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert Path("grammars/837D.lark") in made and Path("edi/guides/data/835.json") in made
    for relative in made:
        assert (tmp_path / relative).read_bytes() == (ROOT / relative).read_bytes(), relative
