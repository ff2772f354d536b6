"""Which findings `edi validate` reports: ``--select``/``--ignore`` by rule id or prefix, ``--max-findings``, config.

The same settings may sit in a config file: an ``edi.toml`` (top-level keys) or a
``pyproject.toml`` with a ``[tool.edi]`` table, looked for in the current folder first and then
beside the first file validated. The command line wins over the file, key by key.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from edi.errors import InputError
from edi.validate.issue import Issue
from edi.validate.report import FileResult

CONFIG_KEYS = frozenset({"select", "ignore", "max-findings"})
RULE_PATTERN = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")


@dataclass(slots=True, frozen=True)
class Settings:
    """The finding filters of one run and the config file they partly came from."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    max_findings: int | None = None
    config: str | None = None


@dataclass(slots=True)
class Filtered:
    """One file's findings after filtering: ``result`` as shown (cut), those kept, and the rest counted by rule."""

    result: FileResult
    kept: list[Issue] = field(default_factory=list)
    suppressed: Counter[str] = field(default_factory=Counter)
    suppressed_errors: int = 0

    @property
    def truncated(self) -> bool:
        """True when ``--max-findings`` cut the findings shown."""
        return len(self.result.issues) < len(self.kept)

    def by_rule(self) -> dict[str, int]:
        """Kept findings counted by rule, most frequent first."""
        return dict(Counter(i.rule for i in self.kept).most_common())


def matches(rule: str, pattern: str) -> bool:
    """True when ``pattern`` is the rule's id or a dotted prefix of it (``snip5`` matches ``snip5.npi_check_digit``)."""
    return rule == pattern or rule.startswith(pattern + ".")


def split_patterns(values: Iterable[str], option: str) -> tuple[str, ...]:
    """Rule ids and prefixes given repeated or comma-separated; an `InputError` for a malformed one."""
    patterns = tuple(p.strip() for value in values for p in value.split(",") if p.strip())
    for pattern in patterns:
        if not RULE_PATTERN.fullmatch(pattern):
            raise InputError(f"{option}: {pattern!r} is not a rule id or prefix (like snip5 or snip5.npi_check_digit)")
    return patterns


def settings(select: Sequence[str], ignore: Sequence[str], max_findings: int | None, files: Sequence[Path]) -> Settings:
    """The filters of the command line, completed by the config file for the options not given."""
    found = find_config(files)
    config: dict[str, Any] = {}
    name = None
    if found is not None:
        name, config = str(found[0]), found[1]
    chosen_select = split_patterns(select, "--select") or _patterns(config, "select", name)
    chosen_ignore = split_patterns(ignore, "--ignore") or _patterns(config, "ignore", name)
    limit = max_findings if max_findings is not None else _limit(config, name)
    return Settings(chosen_select, chosen_ignore, limit, name if config else None)


def find_config(files: Sequence[Path]) -> tuple[Path, dict[str, Any]] | None:
    """The first config found: the current folder, then the first file's folder; None when there is none."""
    folders = [Path.cwd()]
    real = [f for f in files if str(f) != "-"]
    if real:
        folders.append(real[0].resolve().parent)
    for folder in dict.fromkeys(folders):
        for candidate in (folder / "edi.toml", folder / "pyproject.toml"):
            table = _read_config(candidate)
            if table is not None:
                return candidate, table
    return None


def _read_config(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the config: {exc}", file=str(path)) from exc
    table = data if path.name == "edi.toml" else data.get("tool", {}).get("edi")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise InputError("[tool.edi] must be a table", file=str(path))
    unknown = sorted(set(table) - CONFIG_KEYS)
    if unknown:
        raise InputError(f"unknown config keys {unknown}; known: {sorted(CONFIG_KEYS)}", file=str(path))
    return table


def _patterns(config: dict[str, Any], key: str, name: str | None) -> tuple[str, ...]:
    value = config.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{key} must be a list of rule ids or prefixes", file=name or "")
    return split_patterns(value, f"{name}: {key}")


def _limit(config: dict[str, Any], name: str | None) -> int | None:
    value = config.get("max-findings")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError("max-findings must be a whole number, 0 or more", file=name or "")
    return value


def apply(chosen: Settings, result: FileResult) -> Filtered:
    """Filter one file's findings: keep the selected and not ignored, then cut to ``max_findings``."""
    filtered = Filtered(result)
    for issue in result.issues:
        selected = not chosen.select or any(matches(issue.rule, p) for p in chosen.select)
        if selected and not any(matches(issue.rule, p) for p in chosen.ignore):
            filtered.kept.append(issue)
        else:
            filtered.suppressed[issue.rule] += 1
            filtered.suppressed_errors += issue.severity == "error"
    shown = filtered.kept if chosen.max_findings is None else filtered.kept[: chosen.max_findings]
    filtered.result = replace(result, issues=shown)
    return filtered
