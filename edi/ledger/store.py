"""Importing 837, 835, 999 and 277CA files into the ledger, once each, and keeping every touched claim up to date."""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TypeVar

from sqlalchemy import Connection, CursorResult, Engine, NestedTransaction, func, insert, select, update

from edi.errors import ReadError
from edi.guides import CLAIM_ACK_KIND, CLAIM_KIND, IMPLEMENTATION_ACK_KIND, REMITTANCE_KIND
from edi.ledger import schema as t
from edi.ledger.ack_store import neighbours, store_acknowledgments
from edi.ledger.acks import claim_statuses, set_answers
from edi.ledger.business import claim_contexts
from edi.ledger.claim_stream import BATCH as CLAIM_BATCH
from edi.ledger.claim_stream import ClaimBatch, ClaimSetEnd, ClaimSetStart, NotOnly837, stream_837
from edi.ledger.database import MEMORY, connect
from edi.ledger.facts import dumps
from edi.ledger.money import cents
from edi.ledger.parts import Parted, StoredClaim, StoredPayment, read_in_parts, stored_claim, stored_payment
from edi.ledger.reconciliation import reconciliation
from edi.ledger.refresh import known_claims, refresh, refresh_acknowledgments
from edi.ledger.stream import BATCH as PAYMENT_BATCH
from edi.ledger.stream import Claims, NotOnly835, SetEnd, SetStart, read_835, stream_835
from edi.reconcile import Reconciliation, SkippedFile
from edi.reconcile.extract import Remittance, claims_of
from edi.reconcile.match import RETURNED_LENGTH
from edi.x12.document import Document, Group, Interchange, Transaction
from edi.x12.plain import segments_digest
from edi.x12.reader import iter_segments, iter_transactions
from edi.x12.segment import Segment

KINDS = (CLAIM_KIND, REMITTANCE_KIND, IMPLEMENTATION_ACK_KIND, CLAIM_ACK_KIND)
# After the group's date and time, these order transaction sets the same whatever the import order.
ORDER_KEYS = ("sender", "interchange_control", "group_control", "transaction_control")
BATCH = 1000
Status = Literal["imported", "already imported", "skipped"]
T = TypeVar("T")


@dataclass(slots=True)
class ImportOutcome:
    """What importing one file did: new claims, claim payments and acknowledgments (and how many of these
    answer nothing in the ledger yet), transaction sets already there, or why skipped."""

    file: str
    status: Status
    reason: str = ""
    claims: int = 0
    payments: int = 0
    duplicates: list[str] = field(default_factory=list)
    acknowledgments: int = 0
    unmatched: int = 0

    def describe(self) -> str:
        """One line for people."""
        if self.status == "skipped":
            return f"{self.file}: skipped, {self.reason}"
        if self.status == "already imported":
            return f"{self.file}: already imported" + (f" ({'; '.join(self.duplicates)})" if self.duplicates else "")
        extra = f"; already imported: {'; '.join(self.duplicates)}" if self.duplicates else ""
        acks = f", {self.acknowledgments} acknowledgment(s)" if self.acknowledgments else ""
        if self.unmatched:
            acks += f" ({self.unmatched} answering no claim in the ledger yet)"
        return f"{self.file}: imported {self.claims} claim(s), {self.payments} claim payment(s){acks}{extra}"


@dataclass(slots=True)
class _Pending:
    """The transaction sets of one file being imported, and the claims they touch.

    The claims touched are noted only with ``refreshing`` (their summary rows are brought up to
    date after the import): else nothing grows with the file.
    """

    outcome: ImportOutcome
    business: bool
    refreshing: bool
    touched: set[str] = field(default_factory=set)
    kinds_seen: set[str] = field(default_factory=set)
    acknowledged: set[str] = field(default_factory=set)

    def touch(self, numbers: Iterable[str]) -> None:
        """Note claims whose summary rows the file changes, where those are refreshed."""
        if self.refreshing:
            self.touched.update(numbers)


class Ledger:
    """A ledger database: import files, then ask it about claims, payments, denials and balances."""

    def __init__(self, engine: Engine, business: bool = True, by_segments: bool = False) -> None:
        self.engine = engine
        self.business = business
        self.by_segments = by_segments  # a file is the same as another when its segments are, not its bytes

    @classmethod
    def open(cls, location: str | None = None) -> Ledger:
        """The ledger at ``location`` (URL or SQLite path; default: ``EDI_DB``, else the user data file)."""
        return cls(connect(location))

    @classmethod
    def memory(cls, business: bool = True) -> Ledger:
        """A ledger in a temporary in-memory SQLite database; without ``business`` no business JSON is kept."""
        return cls(connect(MEMORY), business)

    @classmethod
    @contextmanager
    def temporary(cls, business: bool = True, by_segments: bool = False) -> Iterator[Ledger]:
        """A ledger in a SQLite file of a temporary folder, removed after: memory stays small however much it holds.

        With ``by_segments`` two files are the same when their segments are, whatever lies between them.
        """
        with tempfile.TemporaryDirectory(prefix="edi-ledger-") as folder:
            ledger = cls(connect(str(Path(folder) / "ledger.sqlite3")), business, by_segments)
            try:
                yield ledger
            finally:
                ledger.close()

    def close(self) -> None:
        """Close the ledger's database connections."""
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def import_paths(self, paths: Iterable[Path], kinds: Sequence[str] = KINDS) -> list[ImportOutcome]:
        """Import every file of ``paths``; a folder stands for the files in it and below, in name order."""
        return [self.import_file(path, kinds) for path in _expand(paths)]

    def import_file(
        self, source: Path | Document, kinds: Sequence[str] = KINDS, reconcile: bool = True, jobs: int = 1
    ) -> ImportOutcome:
        """Import one file (a path, or a `Document` already read); ``kinds`` names the transaction sets to take.

        A file whose content was imported before changes nothing; so does a transaction set with
        the same sender, control numbers and content, or an 835 with the same trace number, payer,
        amount and date. With ``reconcile`` false the claims' summary rows (status, amounts,
        denials) are not brought up to date: `reconciliation` reads the facts themselves. ``jobs``:
        a large file is read by that many processes at once where no business JSON is kept
        (`edi.ledger.parts`), with the same outcome.
        """
        name = source.file if isinstance(source, Document) else str(source)
        outcome = ImportOutcome(name, "imported")
        try:
            digest = _digest(source, self.by_segments)
        except OSError as exc:
            return ImportOutcome(name, "skipped", f"cannot read the file: {exc.strerror}")
        except ReadError as error:
            return _unreadable(name, error)
        with self.engine.begin() as connection:
            if connection.execute(select(t.files.c.id).where(t.files.c.sha256 == digest)).first():
                return ImportOutcome(name, "already imported")
            file_id = _new_id(
                connection.execute(
                    insert(t.files).values(name=name, sha256=digest, imported_at=datetime.now(UTC).isoformat())
                )
            )
            pending = _Pending(outcome, self.business, reconcile)
            try:
                if isinstance(source, Path) and _streamed(connection, file_id, source, pending, kinds, jobs):
                    return self._finish(connection, pending, kinds)
                for interchange, group, transaction in _transactions(source):
                    kind = transaction.st.get(1)
                    pending.kinds_seen.add(kind)
                    if kind in kinds:
                        _import_transaction(connection, file_id, name, interchange, group, transaction, pending)
            except ReadError as error:
                connection.rollback()
                return _unreadable(name, error)
            return self._finish(connection, pending, kinds)

    @staticmethod
    def _finish(connection: Connection, pending: _Pending, kinds: Sequence[str]) -> ImportOutcome:
        """Keep what the file brought, or roll it back when it brought nothing new or nothing of ``kinds``."""
        outcome = pending.outcome
        if not pending.kinds_seen & set(kinds):
            connection.rollback()
            held = ", ".join(sorted(pending.kinds_seen)) or "none"
            reason = f"holds no {' or '.join(kinds)} transaction set (found: {held})"
            return ImportOutcome(outcome.file, "skipped", reason)
        if not outcome.claims and not outcome.payments and not outcome.acknowledgments:
            connection.rollback()
            outcome.status = "already imported"
            return outcome
        if pending.refreshing:
            refresh(connection, pending.touched)
            refresh_acknowledgments(connection, pending.touched | pending.acknowledged)
        return outcome

    def reconciliation(self, skipped: Sequence[SkippedFile] = ()) -> Reconciliation:
        """Every claim of the ledger reconciled, as `edi reconcile` gives it; ``skipped`` lists unusable files."""
        with self.engine.connect() as connection:
            return reconciliation(connection, skipped)


def _unreadable(name: str, error: ReadError) -> ImportOutcome:
    return ImportOutcome(name, "skipped", str(error).removeprefix(name).lstrip(",: "))


def _streamed(
    connection: Connection, file_id: int, path: Path, pending: _Pending, kinds: Sequence[str], jobs: int
) -> bool:
    """Import an 835-only or 837 file claim by claim; False (and nothing written) when it must be read whole."""
    name = pending.outcome.file
    parted = read_in_parts(path, name, jobs, kinds) if jobs > 1 and not pending.business else None
    if parted is not None:
        try:
            _import_parts(connection, file_id, parted, pending)
        finally:
            parted.close()
        return True
    readers: list[tuple[Callable[[], object], type[Exception]]] = []
    if REMITTANCE_KIND in kinds:
        writer = _StreamWriter(connection, file_id, pending)
        readers.append((lambda: stream_835(path, name, writer, pending.business), NotOnly835))
    if CLAIM_KIND in kinds:
        claims = _ClaimWriter(connection, file_id, pending)
        readers.append(
            (lambda: pending.kinds_seen.update(stream_837(path, name, claims, kinds, pending.business)), NotOnly837)
        )
    for read, refused in readers:
        attempt = connection.begin_nested()
        try:
            read()
        except refused:
            attempt.rollback()
            pending.touched.clear()
            pending.kinds_seen.clear()
            pending.outcome.claims = pending.outcome.payments = 0
            pending.outcome.duplicates.clear()
            continue
        attempt.commit()
        return True
    return False


def _import_parts(connection: Connection, file_id: int, parted: Parted, pending: _Pending) -> None:
    """Import a file read in parts: each transaction set's claims taken in file order, in the batches one read makes."""
    attempt = connection.begin_nested()
    if parted.kind == CLAIM_KIND:
        claims = _ClaimWriter(connection, file_id, pending)
        for each, stored in parted.claims():
            assert isinstance(each.start, ClaimSetStart)
            claims.start(each.start)
            for batch in _batches(stored, CLAIM_BATCH):
                claims.rows(batch)
            claims.end(ClaimSetEnd({}, each.content_sha256, False))
        pending.kinds_seen.add(CLAIM_KIND)
    else:
        payments = _StreamWriter(connection, file_id, pending)
        for each, paid in parted.payments():
            assert isinstance(each.start, SetStart)
            payments.start(each.start)
            for chunk in _batches(paid, PAYMENT_BATCH):
                payments.rows(chunk)
            assert each.end is not None  # known once its payments are read
            payments.end(dataclasses.replace(each.end, content_sha256=each.content_sha256))
    attempt.commit()


def _batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    while batch := list(islice(items, size)):
        yield batch


class _SetWriter:
    """Writes each streamed transaction set in a savepoint, undone when its content shows it was imported
    before: the outcome's counts and the claims touched then go back to what they were."""

    def __init__(self, connection: Connection, file_id: int, pending: _Pending) -> None:
        self.connection, self.file_id, self.pending = connection, file_id, pending
        self.savepoint: NestedTransaction | None = None
        self.written = 0
        self.before: tuple[int, int, set[str]] = (0, 0, set())

    def _begin(self) -> None:
        """A transaction set begins: open its savepoint and note what it may have to undo."""
        self.savepoint, self.written = self.connection.begin_nested(), 0
        outcome = self.pending.outcome
        self.before = (outcome.claims, outcome.payments, set(self.pending.touched))

    def _end(self, kept: bool) -> None:
        """The transaction set is complete: keep it, or undo it."""
        assert self.savepoint is not None
        if kept:
            self.savepoint.commit()
        else:
            self.savepoint.rollback()
            self.pending.outcome.claims, self.pending.outcome.payments, self.pending.touched = self.before


class _StreamWriter(_SetWriter):
    """Writes each streamed 835 in a savepoint, undone when its content shows it was imported before."""

    remittance_id = 0

    def start(self, item: SetStart) -> None:
        pending, connection = self.pending, self.connection
        pending.kinds_seen.add(REMITTANCE_KIND)
        self._begin()
        key = _key(REMITTANCE_KIND, item.interchange, item.group, item.st.get(2), "")
        order = _order(item.group, key)
        set_id = _insert_set(connection, self.file_id, key, order, {})
        self.remittance_id = _insert_remittance_header(connection, set_id, item.remittance, order)

    def claims(self, item: Claims) -> None:
        self.rows([stored_payment(payment, context) for payment, context in item.items])

    def rows(self, payments: list[StoredPayment]) -> None:
        """The next claim payments of the current 835, as the ledger stores them."""
        _insert_payments(self.connection, self.remittance_id, self.written, payments, self.pending)
        self.written += len(payments)

    def end(self, item: SetEnd) -> None:
        self._end(_finish_set(self.connection, self.remittance_id, item, self.pending))


class _ClaimWriter(_SetWriter):
    """Writes each streamed 837 in a savepoint, undone when its content shows it was imported before."""

    set_id = 0

    def start(self, item: ClaimSetStart) -> None:
        connection = self.connection
        self._begin()
        key = _key(CLAIM_KIND, item.interchange, item.group, item.st.get(2), "")
        self.set_id = _insert_set(connection, self.file_id, key, _order(item.group, key), {})

    def claims(self, item: ClaimBatch) -> None:
        self.rows([stored_claim(claim, context) for claim, context in item.items])

    def rows(self, claims: list[StoredClaim]) -> None:
        """The next claims of the current 837, as the ledger stores them."""
        _insert_claims(self.connection, self.set_id, claims, self.pending, self.written)
        self.written += len(claims)

    def end(self, item: ClaimSetEnd) -> None:
        self._end(_finish_claim_set(self.connection, self.set_id, item, self.pending))


def _finish_claim_set(connection: Connection, set_id: int, end: ClaimSetEnd, pending: _Pending) -> bool:
    """Complete a streamed 837 with its content hash and JSON; False when it is known.

    When some claim got no JSON of its own (a CLM the guide could not place), none keeps any,
    as when the transaction set is read whole.
    """
    if not _complete_set(connection, set_id, end.content_sha256, end.business, pending):
        return False
    if pending.business and not end.contexts_complete:
        s = t.submissions.c
        connection.execute(update(t.submissions).where(s.transaction_set_id == set_id).values(business=None))
    return True


def _expand(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
        else:
            yield path


def _digest(source: Path | Document, by_segments: bool) -> str:
    """The SHA-256 of a file's bytes; of its segments' text for a `Document`, or with ``by_segments``."""
    if isinstance(source, Document):
        return _segments_digest(source.segments())
    if by_segments:
        return segments_digest(source) or _segments_digest(iter_segments(source))
    digest = hashlib.sha256()
    with source.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _segments_digest(segments: Iterable[Segment]) -> str:
    """The SHA-256 of the segments' text joined by ``~``."""
    digest = hashlib.sha256()
    for n, segment in enumerate(segments):
        digest.update(("~" if n else "").encode() + segment.text().encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _transactions(source: Path | Document) -> Iterator[tuple[Interchange, Group, Transaction]]:
    """Each transaction set with its interchange and group, streamed from a path one set at a time."""
    if isinstance(source, Document):
        yield from source.transactions()
        return
    yield from iter_transactions(source)


def _alone(file: str, interchange: Interchange, group: Group, transaction: Transaction) -> Document:
    """A document holding only ``transaction`` in its envelope, for the readers that take documents."""
    own_group = Group(group.gs, group.ge, [transaction])
    return Document(file, [Interchange(interchange.isa, interchange.delimiters, interchange.iea, [own_group])])


def _key(kind: str, interchange: Interchange, group: Group, control: str, content_sha256: str) -> dict[str, str]:
    """What identifies a transaction set: kind, sender, control numbers and content."""
    isa, gs = interchange.isa, group.gs
    return {
        "kind": kind,
        "sender": (isa.get(6).strip() if isa else "") or (gs.get(2) if gs else ""),
        "interchange_control": isa.get(13) if isa else "",
        "group_control": gs.get(6) if gs else "",
        "transaction_control": control,
        "content_sha256": content_sha256,
    }


def _order(group: Group, key: dict[str, str]) -> str:
    """The order key of a transaction set: group date and time, then sender and control numbers."""
    gs = group.gs
    return "|".join((f"{gs.get(4)}{gs.get(5)}" if gs else "", *(key[k] for k in ORDER_KEYS)))


def _known(connection: Connection, key: dict[str, str], pending: _Pending, other_than: int | None = None) -> bool:
    """Whether a transaction set with ``key`` is in the ledger already (noted as a duplicate if so)."""
    table = t.transaction_sets
    query = select(table.c.id).where(*(table.c[k] == v for k, v in key.items()))
    if other_than is not None:
        query = query.where(table.c.id != other_than)
    if connection.execute(query.limit(1)).first() is None:
        return False
    pending.outcome.duplicates.append(
        f"{key['kind']} {key['transaction_control']} of interchange {key['interchange_control']} from {key['sender']}"
    )
    return True


def _import_transaction(
    connection: Connection,
    file_id: int,
    file: str,
    interchange: Interchange,
    group: Group,
    transaction: Transaction,
    pending: _Pending,
) -> None:
    kind = transaction.st.get(1)
    content = hashlib.sha256(
        "~".join(s.text() for s in transaction.segments()).encode("utf-8", "surrogateescape")
    ).hexdigest()
    key = _key(kind, interchange, group, transaction.control_number, content)
    if _known(connection, key, pending):
        return
    document = _alone(file, interchange, group, transaction)
    order = _order(group, key)
    if kind == CLAIM_KIND:
        claims = list(claims_of(document))
        header, contexts = claim_contexts(document, len(claims)) if pending.business else ({}, [None] * len(claims))
        set_id = _insert_set(connection, file_id, key, order, header)
        _insert_claims(connection, set_id, [stored_claim(c, x) for c, x in zip(claims, contexts, strict=True)], pending)
        pending.acknowledged |= neighbours(connection, key)
    elif kind in (IMPLEMENTATION_ACK_KIND, CLAIM_ACK_KIND):
        if kind == IMPLEMENTATION_ACK_KIND:
            rows = set_answers(file, interchange, group, transaction)
        else:
            rows = claim_statuses(document, interchange, group)
        unmatched, answered = store_acknowledgments(connection, _insert_set(connection, file_id, key, order, {}), rows)
        pending.outcome.acknowledgments += len(rows)
        pending.outcome.unmatched += unmatched
        pending.acknowledged |= answered
    else:
        read = read_835(file, interchange, group, transaction, pending.business)
        remittance = read.remittance
        if _resent(connection, remittance, pending):
            return
        set_id = _insert_set(connection, file_id, key, order, read.business)
        remittance_id = _insert_remittance_header(connection, set_id, remittance, order)
        payments = [stored_payment(p, x) for p, x in zip(remittance.claims, read.contexts, strict=True)]
        _insert_payments(connection, remittance_id, 0, payments, pending)


def _finish_set(connection: Connection, remittance_id: int, end: SetEnd, pending: _Pending) -> bool:
    """Complete a streamed 835 with its content hash, JSON and provider adjustments.

    False when the same transaction set, or else the same payment, is in the ledger, checked
    in that order as when the transaction set is read whole.
    """
    r = t.remittances.c
    set_id = connection.execute(select(r.transaction_set_id).where(r.id == remittance_id)).scalar_one()
    if not _complete_set(connection, set_id, end.content_sha256, end.business, pending):
        return False
    if _resent(connection, end.remittance, pending, other_than=remittance_id):
        return False
    connection.execute(update(t.remittances).where(r.id == remittance_id).values(facts=dumps(_header(end.remittance))))
    return True


def _complete_set(
    connection: Connection, set_id: int, content_sha256: str, business: dict[str, Any], pending: _Pending
) -> bool:
    """Give a streamed transaction set its content hash and JSON; False when the same one is in the ledger."""
    ts = t.transaction_sets.c
    row = connection.execute(select(t.transaction_sets).where(ts.id == set_id)).one()
    key = {
        k: row._mapping[k] for k in ("kind", "sender", "interchange_control", "group_control", "transaction_control")
    }
    key["content_sha256"] = content_sha256
    if _known(connection, key, pending, other_than=set_id):
        return False
    connection.execute(
        update(t.transaction_sets)
        .where(ts.id == set_id)
        .values(content_sha256=content_sha256, business=dumps(business))
    )
    return True


def _insert_set(
    connection: Connection, file_id: int, key: dict[str, str], sort_key: str, business: dict[str, Any]
) -> int:
    result = connection.execute(
        insert(t.transaction_sets).values(file_id=file_id, sort_key=sort_key, business=dumps(business), **key)
    )
    return _new_id(result)


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _insert_claims(
    connection: Connection, set_id: int, claims: list[StoredClaim], pending: _Pending, first: int = 0
) -> None:
    """Store claims numbered from ``first`` in their transaction set, and add or update the claims they submit."""
    rows = [
        {
            "transaction_set_id": set_id,
            "position": first + position,
            "patient_control_number": claim.number,
            "facts": claim.facts,
            "business": claim.business,
        }
        for position, claim in enumerate(claims)
    ]
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(t.submissions), rows[start : start + BATCH])
    pending.outcome.claims += len(claims)
    numbers = list(dict.fromkeys(c.number for c in claims))
    known = known_claims(connection, numbers)
    latest = {c.number: c for c in claims}
    for number in known:
        _update_claim(connection, latest[number])
    _add_claims(connection, [latest[n] for n in numbers if n not in known], pending)
    pending.touch(numbers)


def _add_claims(connection: Connection, claims: list[StoredClaim], pending: _Pending) -> None:
    """Add claims seen for the first time and give them the CLPs already stored that answer them."""
    if not claims:
        return
    seen = connection.execute(select(func.coalesce(func.max(t.claims.c.first_seen), 0))).scalar_one()
    rows = []
    for offset, claim in enumerate(claims, 1):
        number = claim.number
        prefix = number[:RETURNED_LENGTH] if len(number) > RETURNED_LENGTH else ""
        rows.append(
            {
                "patient_control_number": number,
                "prefix": prefix,
                "first_seen": seen + offset,
                "status": "open",
                **claim.values,
            }
        )
    for start in range(0, len(rows), BATCH):
        connection.execute(insert(t.claims), rows[start : start + BATCH])
    payments = t.claim_payments.c
    numbers = [claim.number for claim in claims]
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        answering = payments.patient_control_number.in_(chunk)
        if pending.refreshing:
            earlier = select(payments.claim_number).where(answering, payments.claim_number.is_not(None))
            pending.touch(connection.execute(earlier).scalars())
        connection.execute(
            update(t.claim_payments).where(answering).values(claim_number=payments.patient_control_number)
        )
    for prefix in dict.fromkeys(row["prefix"] for row in rows if row["prefix"]):
        _rematch_prefix(connection, prefix, pending)


def _rematch_prefix(connection: Connection, prefix: str, pending: _Pending) -> None:
    """Give the CLPs that returned only ``prefix`` to the one long CLM01 it starts, or to none when it is shared."""
    if connection.execute(
        select(t.claims.c.patient_control_number).where(t.claims.c.patient_control_number == prefix)
    ).first():
        return
    owners = list(
        connection.execute(select(t.claims.c.patient_control_number).where(t.claims.c.prefix == prefix)).scalars()
    )
    payments = t.claim_payments.c
    if pending.refreshing:
        before = select(payments.claim_number).where(
            payments.patient_control_number == prefix, payments.claim_number.is_not(None)
        )
        pending.touch(connection.execute(before).scalars())
    owner = owners[0] if len(owners) == 1 else None
    connection.execute(
        update(t.claim_payments).where(payments.patient_control_number == prefix).values(claim_number=owner)
    )
    pending.touch(owners)


def _update_claim(connection: Connection, claim: StoredClaim) -> None:
    connection.execute(update(t.claims).where(t.claims.c.patient_control_number == claim.number).values(**claim.values))


def _resent(connection: Connection, remittance: Remittance, pending: _Pending, other_than: int | None = None) -> bool:
    """Whether the same payment (trace number, payer, amount, date) is in the ledger (noted as a duplicate if so)."""
    table = t.remittances
    query = select(table.c.id).where(
        table.c.trace_number == remittance.trace_number,
        table.c.payer_key == remittance.payer_key,
        table.c.payment_cents == (cents(remittance.payment) if remittance.payment is not None else None),
        table.c.payment_date == remittance.payment_date,
    )
    if other_than is not None:
        query = query.where(table.c.id != other_than)
    if remittance.trace_number and connection.execute(query.limit(1)).first():
        pending.outcome.duplicates.append(f"835 trace {remittance.trace_number} from {remittance.payer_key}")
        return True
    return False


def _header(remittance: Remittance) -> Remittance:
    """The remittance without its claim payments (those are rows of their own)."""
    return dataclasses.replace(remittance, claims=())


def _insert_remittance_header(connection: Connection, set_id: int, remittance: Remittance, order: str) -> int:
    paid_on = remittance.payment_date.isoformat() if remittance.payment_date else ""
    return _new_id(
        connection.execute(
            insert(t.remittances).values(
                transaction_set_id=set_id,
                trace_number=remittance.trace_number,
                payer_key=remittance.payer_key,
                payer_name=remittance.payer,
                payment_cents=cents(remittance.payment) if remittance.payment is not None else None,
                payment_date=remittance.payment_date,
                sort_key=f"{paid_on}|{order}",
                facts=dumps(_header(remittance)),
            )
        )
    )


def _insert_payments(
    connection: Connection, remittance_id: int, first: int, payments: list[StoredPayment], pending: _Pending
) -> None:
    """Store claim payments numbered from ``first``, each tied to the claim it answers when that is known."""
    numbers = _claim_numbers(connection, [p.number for p in payments])
    for start in range(0, len(payments), BATCH):
        rows = [
            {
                "remittance_id": remittance_id,
                "position": first + position,
                "patient_control_number": payment.number,
                "claim_number": numbers.get(payment.number),
                "paid_cents": payment.paid_cents,
                "facts": payment.facts,
                "business": payment.business,
            }
            for position, payment in enumerate(payments[start : start + BATCH], start)
        ]
        connection.execute(insert(t.claim_payments), rows)
    pending.outcome.payments += len(payments)
    pending.touch(numbers.values())


def _claim_numbers(connection: Connection, clp01s: Sequence[str]) -> dict[str, str]:
    """The CLM01 each CLP01 answers: an exact match, or the one long CLM01 it is the first 20 characters of."""
    unique = list(dict.fromkeys(clp01s))
    found = {n: n for n in known_claims(connection, unique)}
    short = [n for n in unique if n not in found and len(n) == RETURNED_LENGTH]
    for start in range(0, len(short), BATCH):
        chunk = short[start : start + BATCH]
        owners: dict[str, list[str]] = {}
        query = select(t.claims.c.prefix, t.claims.c.patient_control_number).where(t.claims.c.prefix.in_(chunk))
        for prefix, number in connection.execute(query):
            owners.setdefault(prefix, []).append(number)
        found.update({prefix: numbers[0] for prefix, numbers in owners.items() if len(numbers) == 1})
    return found
