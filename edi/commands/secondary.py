"""`edi build --secondary`: the checks and messages around `edi.claims.secondary.build_secondary`."""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape

from edi.commands.common import stderr
from edi.errors import InputError


def build_secondary_claims(
    file: Path | None,
    claims: Path | None,
    remit: list[Path] | None,
    payer: str | None,
    envelope: tuple[int | None, str | None, str | None, str | None],
) -> str:
    """The 837 to the next payer; each skipped claim is named on standard error."""
    from edi.claims.envelope import EnvelopeOptions
    from edi.claims.secondary import build_secondary

    if file is not None:
        raise InputError(f"--secondary reads --claims and --remit, not {file}")
    if claims is None or not remit:
        raise InputError("--secondary needs --claims F.837 and --remit F.835")
    text, skipped = build_secondary(claims, remit, payer, EnvelopeOptions(*envelope))
    for claim in skipped:
        stderr.print(f"[yellow]skipped[/]: {escape(str(claim))}", soft_wrap=True)
    return text
