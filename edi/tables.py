"""The tidy tables every Parquet writer shares (`edi read --parquet`, the ledger export, Spark) and their rows.

`SCHEMAS` holds one `pyarrow.Schema` per table. `claims_rows` and `remittance_rows` turn the business JSON
of one document (`edi.read_claims`, `edi.read_remittance`) into rows, `finding_rows` the validator's
findings; `record_batches` gathers rows into Arrow record batches of a bounded number of claims and
`write_parquet` writes one Parquet file per table, each first to a temporary name and then renamed.
Columns are described in docs/tables.md.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from edi.guides import REMITTANCE_KIND

if TYPE_CHECKING:
    from edi.validate.issue import Issue

MONEY = pa.decimal128(18, 2)
QUANTITY = pa.decimal128(18, 4)
CLAIMS_PER_BATCH = 1000
ROWS_PER_GROUP = 100_000

Row = tuple[str, dict[str, Any]]

_S, _I, _D = pa.string(), pa.int32(), pa.date32()
_CLAIM_KEY = (
    ("file", _S),
    ("transaction_type", _S),
    ("transaction_control_number", _S),
    ("claim_number", _I),
    ("patient_control_number", _S),
)


def _schema(*columns: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(name, kind) for name, kind in columns])


SCHEMAS: dict[str, pa.Schema] = {
    "claims": _schema(
        *_CLAIM_KEY,
        ("payer_name", _S),
        ("payer_id", _S),
        ("provider_name", _S),
        ("provider_id", _S),
        ("subscriber_id", _S),
        ("patient_last_name", _S),
        ("patient_first_name", _S),
        ("patient_birth_date", _D),
        ("claim_filing_indicator", _S),
        ("facility_code", _S),
        ("frequency", _S),
        ("status_code", _S),
        ("payer_claim_control_number", _S),
        ("charge", MONEY),
        ("paid", MONEY),
        ("patient_responsibility", MONEY),
        ("statement_start", _D),
        ("statement_end", _D),
        ("service_start", _D),
        ("service_end", _D),
        ("received_date", _D),
        ("trace_number", _S),
        ("payment_date", _D),
        ("line_count", _I),
        ("diagnosis_count", _I),
    ),
    "lines": _schema(
        *_CLAIM_KEY,
        ("line_number", _I),
        ("line_control_number", _S),
        ("claim_charge", MONEY),
        ("billing_provider_npi", _S),
        ("payer", _S),
        ("payee", _S),
        ("subscriber_id", _S),
        ("patient", _S),
        ("diagnoses", _S),
        ("trace_number", _S),
        ("payment_date", _D),
        ("status_code", _S),
        ("status", _S),
        ("payer_claim_control_number", _S),
        ("service_date", _D),
        ("service_end", _D),
        ("revenue_code", _S),
        ("procedure_qualifier", _S),
        ("procedure", _S),
        ("modifiers", _S),
        ("submitted_procedure", _S),
        ("units", QUANTITY),
        ("unit_type", _S),
        ("place_of_service", _S),
        ("diagnosis_pointers", _S),
        ("charge", MONEY),
        ("paid", MONEY),
        ("allowed", MONEY),
        ("patient_responsibility", MONEY),
        ("deductible", MONEY),
        ("coinsurance", MONEY),
        ("copay", MONEY),
        ("adjustment_codes", _S),
        ("remarks", _S),
    ),
    "diagnoses": _schema(
        *_CLAIM_KEY,
        ("position", _I),
        ("qualifier", _S),
        ("code", _S),
        ("present_on_admission", _S),
    ),
    "payments": _schema(
        ("file", _S),
        ("transaction_control_number", _S),
        ("trace_number", _S),
        ("trace_type", _S),
        ("originator", _S),
        ("handling", _S),
        ("amount", MONEY),
        ("credit_debit", _S),
        ("method", _S),
        ("payment_date", _D),
        ("production_date", _D),
        ("payer_name", _S),
        ("payer_id", _S),
        ("payee_name", _S),
        ("payee_id_qualifier", _S),
        ("payee_id", _S),
        ("claim_count", _I),
    ),
    "adjustments": _schema(
        *_CLAIM_KEY,
        ("line_number", _I),
        ("level", _S),
        ("group_code", _S),
        ("reason", _S),
        ("amount", MONEY),
        ("quantity", QUANTITY),
    ),
    "provider_adjustments": _schema(
        ("file", _S),
        ("transaction_control_number", _S),
        ("trace_number", _S),
        ("provider", _S),
        ("fiscal_period_date", _D),
        ("reason", _S),
        ("reference", _S),
        ("amount", MONEY),
    ),
    "findings": _schema(
        ("file", _S),
        ("severity", _S),
        ("rule", _S),
        ("snip", _I),
        ("transaction_control_number", _S),
        ("patient_control_number", _S),
        ("loop", _S),
        ("segment_id", _S),
        ("segment_position", _I),
        ("element", _S),
        ("line", _I),
        ("message", _S),
    ),
    "errors": _schema(("file", _S), ("line", _I), ("message", _S)),
}

CLAIM_TABLES = ("claims", "lines", "diagnoses", "errors")
REMITTANCE_TABLES = ("claims", "lines", "adjustments", "payments", "provider_adjustments", "errors")
FINDING_TABLES = ("findings", "errors")
# Patient-responsibility CARCs with a column of their own (as in `edi read --csv`).
PR_COLUMNS = {"1": "deductible", "2": "coinsurance", "3": "copay"}


class Values:
    """Turns the JSON's decimal strings and ISO dates into column values, noting any that do not fit."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[str] = []

    def money(self, value: Any, where: str) -> Decimal | None:
        """An amount with at most two decimal places, or None (and a problem) when it has more."""
        return self._decimal(value, 2, where)

    def quantity(self, value: Any, where: str) -> Decimal | None:
        """A quantity with at most four decimal places, or None (and a problem) when it has more."""
        return self._decimal(value, 4, where)

    def day(self, value: Any, where: str) -> date | None:
        """The date of an ISO date, date-time or period (its start), or None (and a problem) when it is none."""
        if isinstance(value, dict):
            value = value.get("start")
        if value in (None, ""):
            return None
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            self.problems.append(f"{where}: {value!r} is not a date; the column is left empty")
            return None

    def _decimal(self, value: Any, places: int, where: str) -> Decimal | None:
        """``value`` with ``places`` decimal places when that keeps it exact and within 18 digits."""
        if value in (None, ""):
            return None
        try:
            number = Decimal(str(value))
            exact = number.quantize(Decimal(1).scaleb(-places))
        except InvalidOperation:
            exact = None
        if exact is None or exact != number or abs(exact) >= Decimal(10) ** (18 - places):
            self.problems.append(f"{where}: {value!r} does not fit decimal(18,{places}); the column is left empty")
            return None
        return exact

    def error_rows(self) -> Iterator[Row]:
        """The problems noted so far, as rows of the errors table; then forgets them."""
        for problem in self.problems:
            yield "errors", {"file": self.file, "line": None, "message": problem}
        self.problems.clear()


def claims_rows(data: dict[str, Any], file: str, numbers: Iterator[int] | None = None) -> Iterator[Row]:
    """Rows of claims, lines and diagnoses for claims JSON (one transaction set's object or a ``batch``).

    ``numbers`` gives each claim its ``claim_number``; share one counter across a file's transaction sets.
    """
    numbers = numbers or itertools.count(1)
    values = Values(file)
    for document in data.get("batch", [data]):
        transaction = document.get("transaction", {})
        key = {
            "file": file,
            "transaction_type": transaction.get("type"),
            "transaction_control_number": transaction.get("control_number"),
        }
        for provider in document.get("billing_providers", []):
            billing = provider.get("billing_provider", {})
            for subscriber in provider.get("subscribers", []):
                member = subscriber.get("subscriber", {})
                payer = subscriber.get("payer", {})
                head = {
                    "payer_name": payer.get("name"),
                    "payer_id": payer.get("id"),
                    "provider_name": _full_name(billing),
                    "provider_id": billing.get("npi") or billing.get("id"),
                    "subscriber_id": member.get("id"),
                    "claim_filing_indicator": subscriber.get("claim_filing_indicator"),
                }
                patients = [(member, subscriber.get("claims", []))]
                patients += [(p.get("patient", {}), p.get("claims", [])) for p in subscriber.get("patients", [])]
                for patient, claims in patients:
                    for claim in claims:
                        claim_key = {**key, "claim_number": next(numbers), **_pcn(claim)}
                        yield from _claim_837(claim, claim_key, head, patient, values)
                        yield from values.error_rows()


def _claim_837(
    claim: dict[str, Any], key: dict[str, Any], head: dict[str, Any], patient: dict[str, Any], values: Values
) -> Iterator[Row]:
    where = _where(key)
    dates = claim.get("dates", {})
    statement = dates.get("statement")
    lines = claim.get("lines", [])
    diagnoses = claim.get("diagnoses", [])
    line_days = _line_days(lines)
    charge = values.money(claim.get("charge"), f"{where} charge")
    yield (
        "claims",
        {
            **key,
            **head,
            "patient_last_name": patient.get("last_name") or patient.get("name"),
            "patient_first_name": patient.get("first_name"),
            "patient_birth_date": values.day(patient.get("birth_date"), f"{where} birth_date"),
            "facility_code": claim.get("place_of_service") or claim.get("facility_type"),
            "frequency": claim.get("frequency"),
            "payer_claim_control_number": claim.get("payer_claim_control_number"),
            "charge": charge,
            "statement_start": values.day(statement, f"{where} statement"),
            "statement_end": values.day(_end(statement), f"{where} statement"),
            "service_start": min(line_days, default=None),
            "service_end": max(line_days, default=None),
            "line_count": len(lines),
            "diagnosis_count": len(diagnoses),
        },
    )
    context = {
        "claim_charge": charge,
        "billing_provider_npi": head["provider_id"],
        "payer": head["payer_name"],
        "subscriber_id": head["subscriber_id"],
        "patient": _csv_name(patient),
        "diagnoses": " ".join(d.get("code", "") for d in diagnoses),
    }
    for number, line in enumerate(lines, start=1):
        procedure = line.get("procedure", {})
        at = f"{where} line {number}"
        period = line.get("service_period")
        pointers = line.get("diagnosis_pointers", [])
        yield (
            "lines",
            {
                **key,
                **context,
                "line_number": line.get("line_number", number),
                "line_control_number": line.get("line_control_number"),
                "service_date": values.day(line.get("service_date") or period, f"{at} service date"),
                "service_end": values.day(_end(period), f"{at} service date"),
                "revenue_code": line.get("revenue_code"),
                "procedure_qualifier": procedure.get("qualifier"),
                "procedure": procedure.get("code"),
                "modifiers": " ".join(procedure.get("modifiers", [])),
                "units": values.quantity(line.get("units"), f"{at} units"),
                "unit_type": line.get("unit_type"),
                "place_of_service": line.get("place_of_service"),
                "diagnosis_pointers": " ".join(str(p) for p in pointers),
                "charge": values.money(line.get("charge"), f"{at} charge"),
            },
        )
    for position, diagnosis in enumerate(diagnoses, start=1):
        yield (
            "diagnoses",
            {
                **key,
                "position": position,
                "qualifier": diagnosis.get("qualifier"),
                "code": diagnosis.get("code"),
                "present_on_admission": diagnosis.get("present_on_admission"),
            },
        )


def remittance_rows(data: dict[str, Any], file: str, numbers: Iterator[int] | None = None) -> Iterator[Row]:
    """Rows of payments, claims, lines, adjustments and provider adjustments for remittance JSON."""
    numbers = numbers or itertools.count(1)
    values = Values(file)
    for transaction in data.get("transactions", []):
        control = transaction.get("control_number")
        payment = transaction.get("payment", {})
        payer = transaction.get("payer", {})
        payee = transaction.get("payee", {})
        trace = payment.get("trace_number")
        claims = [claim for group in transaction.get("groups", []) for claim in group.get("claims", [])]
        where = f"transaction {control}"
        yield (
            "payments",
            {
                "file": file,
                "transaction_control_number": control,
                "trace_number": trace,
                "trace_type": payment.get("trace_type"),
                "originator": payment.get("originator"),
                "handling": payment.get("handling"),
                "amount": values.money(payment.get("amount"), f"{where} BPR02"),
                "credit_debit": payment.get("credit_debit"),
                "method": payment.get("method"),
                "payment_date": values.day(payment.get("date"), f"{where} BPR16"),
                "production_date": values.day(transaction.get("production_date"), f"{where} DTM*405"),
                "payer_name": payer.get("name"),
                "payer_id": payer.get("id") or payment.get("originator"),
                "payee_name": payee.get("name"),
                "payee_id_qualifier": payee.get("id_qualifier"),
                "payee_id": payee.get("id"),
                "claim_count": len(claims),
            },
        )
        head = {
            "trace_number": trace,
            "payment_date": values.day(payment.get("date"), f"{where} BPR16"),
            "payer_name": payer.get("name"),
            "payer_id": payer.get("id") or payment.get("originator"),
            "provider_name": payee.get("name"),
            "provider_id": payee.get("id"),
        }
        key = {"file": file, "transaction_type": REMITTANCE_KIND, "transaction_control_number": control}
        for claim in claims:
            claim_key = {**key, "claim_number": next(numbers), **_pcn(claim)}
            yield from _claim_835(claim, claim_key, head, values)
            yield from values.error_rows()
        for plb in transaction.get("provider_adjustments", []):
            for adjustment in plb.get("adjustments", []):
                yield (
                    "provider_adjustments",
                    {
                        "file": file,
                        "transaction_control_number": control,
                        "trace_number": trace,
                        "provider": plb.get("provider"),
                        "fiscal_period_date": values.day(plb.get("fiscal_period_date"), f"{where} PLB02"),
                        "reason": adjustment.get("reason"),
                        "reference": adjustment.get("reference"),
                        "amount": values.money(adjustment.get("amount"), f"{where} PLB"),
                    },
                )
        yield from values.error_rows()


def _claim_835(claim: dict[str, Any], key: dict[str, Any], head: dict[str, Any], values: Values) -> Iterator[Row]:
    where = _where(key)
    patient = claim.get("patient", {})
    dates = claim.get("dates", {})
    lines = claim.get("lines", [])
    line_days = _line_days(lines)
    charge = values.money(claim.get("charge"), f"{where} CLP03")
    yield (
        "claims",
        {
            **key,
            **head,
            "subscriber_id": claim.get("insured", {}).get("id") or patient.get("id"),
            "patient_last_name": patient.get("last_name"),
            "patient_first_name": patient.get("first_name"),
            "claim_filing_indicator": claim.get("claim_filing_indicator"),
            "facility_code": claim.get("facility_type"),
            "frequency": claim.get("frequency"),
            "status_code": claim.get("status_code"),
            "payer_claim_control_number": claim.get("payer_claim_control_number"),
            "charge": charge,
            "paid": values.money(claim.get("paid"), f"{where} CLP04"),
            "patient_responsibility": values.money(claim.get("patient_responsibility"), f"{where} CLP05"),
            "statement_start": values.day(dates.get("statement_start"), f"{where} DTM*232"),
            "statement_end": values.day(dates.get("statement_end"), f"{where} DTM*233"),
            "service_start": min(line_days, default=None),
            "service_end": max(line_days, default=None),
            "received_date": values.day(dates.get("received"), f"{where} DTM*050"),
            "line_count": len(lines),
        },
    )
    yield from _adjustment_rows(claim.get("adjustments", []), key, None, values, where)
    context = {
        "payer": head["payer_name"],
        "payee": head["provider_name"],
        "subscriber_id": claim.get("insured", {}).get("id") or patient.get("id"),
        "patient": " ".join(p for p in (patient.get("first_name", ""), patient.get("last_name", "")) if p),
        "trace_number": head["trace_number"],
        "payment_date": head["payment_date"],
        "status_code": claim.get("status_code"),
        "status": claim.get("status"),
        "payer_claim_control_number": claim.get("payer_claim_control_number"),
        "claim_charge": charge,
    }
    for number, line in enumerate(lines, start=1):
        at = f"{where} line {number}"
        procedure = line.get("procedure", {})
        period = line.get("service_period", {})
        adjustments = line.get("adjustments", [])
        patient_share = [a for a in adjustments if a.get("group") == "PR"]
        row = {
            **key,
            **context,
            "line_number": number,
            "line_control_number": line.get("line_control_number"),
            "service_date": values.day(line.get("service_date") or period.get("start"), f"{at} DTM*472"),
            "service_end": values.day(period.get("end"), f"{at} DTM*151"),
            "revenue_code": line.get("revenue_code"),
            "procedure_qualifier": procedure.get("qualifier"),
            "procedure": procedure.get("code"),
            "modifiers": " ".join(procedure.get("modifiers", [])),
            "submitted_procedure": line.get("submitted_procedure", {}).get("code"),
            "units": values.quantity(line.get("units"), f"{at} SVC05"),
            "charge": values.money(line.get("charge"), f"{at} SVC02"),
            "paid": values.money(line.get("paid"), f"{at} SVC03"),
            "allowed": values.money(line.get("allowed"), f"{at} AMT*B6"),
            "patient_responsibility": _total(patient_share, values, at),
            "adjustment_codes": " ".join(f"{a['group']}-{a['reason']}:{a['amount']}" for a in adjustments),
            "remarks": " ".join(r.get("code", "") for r in line.get("remarks", [])),
        }
        for reason, column in PR_COLUMNS.items():
            row[column] = _total([a for a in patient_share if a.get("reason") == reason], values, at)
        yield "lines", row
        yield from _adjustment_rows(adjustments, key, number, values, at)


def _adjustment_rows(
    adjustments: list[dict[str, Any]], key: dict[str, Any], line: int | None, values: Values, where: str
) -> Iterator[Row]:
    for adjustment in adjustments:
        yield (
            "adjustments",
            {
                **key,
                "line_number": line,
                "level": "claim" if line is None else "line",
                "group_code": adjustment.get("group"),
                "reason": adjustment.get("reason"),
                "amount": values.money(adjustment.get("amount"), f"{where} CAS"),
                "quantity": values.quantity(adjustment.get("quantity"), f"{where} CAS"),
            },
        )


def finding_rows(issues: Iterable[Issue], file: str) -> Iterator[Row]:
    """One row of the findings table per validation finding."""
    for issue in issues:
        yield (
            "findings",
            {
                "file": issue.file or file,
                "severity": issue.severity,
                "rule": issue.rule,
                "snip": issue.snip,
                "transaction_control_number": issue.transaction,
                "patient_control_number": issue.claim,
                "loop": issue.loop,
                "segment_id": issue.segment_id,
                "segment_position": issue.segment_position,
                "element": issue.element,
                "line": issue.line,
                "message": issue.message,
            },
        )


def error_row(file: str, line: int | None, message: str) -> Row:
    """A row of the errors table: a file (or a value) that could not be read."""
    return "errors", {"file": file, "line": line, "message": message}


def record_batches(
    rows: Iterable[Row], claims_per_batch: int = CLAIMS_PER_BATCH
) -> Iterator[tuple[str, pa.RecordBatch]]:
    """Arrow record batches per table, flushed every ``claims_per_batch`` claims (or findings, or errors)."""
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name in SCHEMAS}
    units = 0
    for table, row in rows:
        pending[table].append(row)
        if table in ("claims", "findings", "errors"):
            units += 1
            if units >= claims_per_batch:
                yield from _flush(pending)
                units = 0
    yield from _flush(pending)


def _flush(pending: dict[str, list[dict[str, Any]]]) -> Iterator[tuple[str, pa.RecordBatch]]:
    for name, rows in pending.items():
        if rows:
            yield name, pa.RecordBatch.from_pylist(rows, schema=SCHEMAS[name])
            rows.clear()


def write_parquet(
    directory: str | Path, batches: Iterable[tuple[str, pa.RecordBatch]], tables: Iterable[str] = tuple(SCHEMAS)
) -> dict[str, int]:
    """Write ``batches`` to ``directory/<table>.parquet``, one file per table of ``tables`` (empty ones too).

    Each file is written under a temporary name and renamed when every batch is in, so a reader never
    sees half a table and a failed run leaves the previous files as they were. Returns rows per table.
    """
    import pyarrow.parquet as pq

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    names = list(tables)
    temporary = {name: folder / f".{name}.parquet.{os.getpid()}.tmp" for name in names}
    writers = {name: pq.ParquetWriter(temporary[name], SCHEMAS[name], compression="zstd") for name in names}
    held: dict[str, list[pa.RecordBatch]] = {name: [] for name in names}
    counts = dict.fromkeys(names, 0)
    written = dict.fromkeys(names, 0)
    try:
        for name, batch in batches:
            if not batch.schema.equals(SCHEMAS[name]):
                raise ValueError(f"a batch for table {name!r} does not have its schema")
            held[name].append(batch)
            counts[name] += batch.num_rows
            if counts[name] - written[name] >= ROWS_PER_GROUP:
                writers[name].write_table(pa.Table.from_batches(held[name]))
                held[name], written[name] = [], counts[name]
        for name in names:
            if held[name]:
                writers[name].write_table(pa.Table.from_batches(held[name]))
            writers[name].close()
        for name in names:
            os.replace(temporary[name], folder / f"{name}.parquet")
    finally:
        for name in names:
            writers[name].close()
            temporary[name].unlink(missing_ok=True)
    return counts


def _pcn(claim: dict[str, Any]) -> dict[str, Any]:
    return {"patient_control_number": claim.get("patient_control_number")}


def _where(key: dict[str, Any]) -> str:
    return (
        f"transaction {key['transaction_control_number']} claim {key['claim_number']} ({key['patient_control_number']})"
    )


def _end(value: Any) -> Any:
    return value.get("end") if isinstance(value, dict) else None


def _line_days(lines: list[dict[str, Any]]) -> list[date]:
    """Every service date of the lines (first and last day of periods), for the claim's service span.

    A date that cannot be read is left out here; the line's own row reports it.
    """
    days = []
    for line in lines:
        period = line.get("service_period") or {}
        for value in (line.get("service_date"), period.get("start"), period.get("end")):
            try:
                days.append(date.fromisoformat(str(value)[:10]))
            except ValueError:
                continue
    return days


def _total(adjustments: list[dict[str, Any]], values: Values, where: str) -> Decimal | None:
    amounts = [values.money(a.get("amount"), f"{where} CAS") for a in adjustments]
    return sum((a for a in amounts if a is not None), Decimal("0.00")) if adjustments else None


def _full_name(party: dict[str, Any]) -> str | None:
    if "name" in party:
        return str(party["name"])
    name = ", ".join(p for p in (party.get("last_name", ""), party.get("first_name", "")) if p)
    return name or None


def _csv_name(party: dict[str, Any]) -> str:
    return _full_name(party) or ""
