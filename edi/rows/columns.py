"""The columns of claims rows: one row per service line, every level above it repeated on each row.

Each column belongs to a level (the claims JSON object it fills), names a dotted path in
that object (a number is a list index) and a cell kind (`edi.rows.cells.KINDS`). A column
may apply to some guides only. Each level also has a ``<level>_json`` column for what the
named columns cannot hold, and an optional ``<level>_key`` column that tells its loops apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from edi.claims.maps import CLAIM_DATES, LINE_DATES
from edi.guides import CLAIM_GUIDES, DENTAL, INSTITUTIONAL, PROFESSIONAL

LEVELS = ("transaction", "billing", "subscriber", "patient", "claim", "line")
ALL = CLAIM_GUIDES


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its name, level, JSON path in the level's object, cell kind and guides."""

    name: str
    level: str
    path: str
    kind: str = "text"
    guides: tuple[str, ...] = ALL
    required: bool = False
    x12: str = ""

    def applies(self, guide: str) -> bool:
        """True when this column has a meaning in ``guide`` (837P, 837I or 837D)."""
        return guide in self.guides


def _col(name: str, level: str, path: str, kind: str = "text", x12: str = "", guides: tuple[str, ...] = ALL) -> Column:
    return Column(name, level, path, kind, guides, False, x12)


def _party(
    prefix: str, level: str, path: str, loop: str, fields: tuple[str, ...], guides: tuple[str, ...] = ALL
) -> list[Column]:
    """Columns of a name loop (NM1 and its N3, N4, REF, PER, DMG, PRV) under ``path``."""
    table = {
        "name": ("name", "text", "NM103 (organization)"),
        "last_name": ("last_name", "text", "NM103 (person)"),
        "first_name": ("first_name", "text", "NM104"),
        "middle_name": ("middle_name", "text", "NM105"),
        "suffix": ("suffix", "text", "NM107"),
        "npi": ("npi", "text", "NM109 when NM108 = XX"),
        "id_qualifier": ("id_qualifier", "text", "NM108 (not XX)"),
        "id": ("id", "text", "NM109 (not an NPI)"),
        "address_line1": ("address.line1", "text", "N301"),
        "address_line2": ("address.line2", "text", "N302"),
        "city": ("address.city", "text", "N401"),
        "state": ("address.state", "text", "N402"),
        "postal_code": ("address.postal_code", "text", "N403"),
        "country": ("address.country", "text", "N404"),
        "tax_id": ("tax_id", "text", "REF*EI"),
        "ssn": ("ssn", "text", "REF*SY"),
        "birth_date": ("birth_date", "date", "DMG02"),
        "gender": ("gender", "text", "DMG03"),
        "provider_code": ("provider_code", "text", "PRV01 (set from the role when a taxonomy is given)"),
        "taxonomy": ("taxonomy", "text", "PRV03"),
        "contact_name": ("contacts.0.name", "text", "PER02"),
        "contact_numbers": ("contacts.0.numbers", "numbers", "PER03-08 as TYPE:NUMBER, e.g. TE:2175550100"),
    }
    out = []
    for field in fields:
        sub, kind, x12 = table[field]
        out.append(_col(f"{prefix}_{field}", level, f"{path}.{sub}", kind, f"{loop} {x12}", guides))
    return out


PERSON = ("last_name", "first_name", "middle_name", "suffix")
ADDRESS = ("address_line1", "address_line2", "city", "state", "postal_code")
PROVIDER = ("name", *PERSON[:2], "npi", "provider_code", "taxonomy")


def _transaction() -> list[Column]:
    level = "transaction"
    out = [
        _col("interchange_sender_qualifier", level, "interchange.sender_qualifier", x12="ISA05"),
        _col("interchange_sender_id", level, "interchange.sender_id", x12="ISA06"),
        _col("interchange_receiver_qualifier", level, "interchange.receiver_qualifier", x12="ISA07"),
        _col("interchange_receiver_id", level, "interchange.receiver_id", x12="ISA08"),
        _col("interchange_control_number", level, "interchange.control_number", "int", "ISA13"),
        _col("interchange_usage", level, "interchange.usage", x12="ISA15 (P or T)"),
        _col("interchange_date", level, "interchange.date", "date", "ISA09"),
        _col("interchange_time", level, "interchange.time", "time", "ISA10"),
        _col("interchange_acknowledgment_requested", level, "interchange.acknowledgment_requested", "flag", "ISA14"),
        _col("interchange_delimiters", level, "interchange.delimiters", x12="element, component, repetition, segment"),
        _col("group_sender", level, "group.sender", x12="GS02"),
        _col("group_receiver", level, "group.receiver", x12="GS03"),
        _col("group_control_number", level, "group.control_number", "int", "GS06"),
        _col("group_date", level, "group.date", "date", "GS04"),
        _col("group_time", level, "group.time", "time", "GS05"),
        Column("transaction_type", level, "transaction.type", required=True, x12="837P, 837I or 837D"),
        _col("transaction_control_number", level, "transaction.control_number", x12="ST02"),
        _col("transaction_version", level, "transaction.version", x12="ST03"),
        _col("transaction_purpose", level, "transaction.purpose", x12="BHT02"),
        _col("transaction_reference", level, "transaction.reference", x12="BHT03"),
        _col("transaction_created", level, "transaction.created", "datetime", "BHT04, BHT05"),
        _col("transaction_claim_or_encounter", level, "transaction.claim_or_encounter", x12="BHT06 (claim, ...)"),
    ]
    out += _party("submitter", level, "submitter", "1000A", ("name", *PERSON[:2], "id_qualifier", "id"))
    out += _party("submitter", level, "submitter", "1000A", ("contact_name", "contact_numbers"))
    out += _party("receiver", level, "receiver", "1000B", ("name", "id_qualifier", "id"))
    return out


def _billing() -> list[Column]:
    level = "billing"
    fields = ("name", *PERSON[:2], "npi", "id_qualifier", "id", *ADDRESS, "tax_id", "ssn", "taxonomy")
    out = _party("billing_provider", level, "billing_provider", "2010AA", fields)
    out += _party("billing_provider", level, "billing_provider", "2010AA", ("contact_name", "contact_numbers"))
    out += _party("pay_to", level, "pay_to_address", "2010AB", ADDRESS)
    return out


def _subscriber() -> list[Column]:
    level = "subscriber"
    out = [
        _col("payer_responsibility", level, "payer_responsibility", x12="SBR01 (P, S, T ...)"),
        _col("subscriber_relationship", level, "relationship", x12="SBR02 (18 = the patient)"),
        _col("group_number", level, "group_number", x12="SBR03"),
        _col("group_name", level, "group_name", x12="SBR04"),
        _col("insurance_type", level, "insurance_type", x12="SBR05"),
        _col("claim_filing_indicator", level, "claim_filing_indicator", x12="SBR09"),
    ]
    fields = ("name", *PERSON, "id_qualifier", "id", *ADDRESS, "birth_date", "gender")
    out += _party("subscriber", level, "subscriber", "2010BA", fields)
    out += _party("payer", level, "payer", "2010BB", ("name", "id_qualifier", "id", *ADDRESS))
    return out


def _patient() -> list[Column]:
    level = "patient"
    out = [_col("patient_relationship", level, "relationship", x12="PAT01 (a 2000C loop when not 18)")]
    out += _party("patient", level, "patient", "2010CA", (*PERSON, *ADDRESS, "birth_date", "gender"))
    return out


def _claim() -> list[Column]:
    level = "claim"
    out = [
        Column("patient_control_number", level, "patient_control_number", required=True, x12="CLM01"),
        _col("claim_charge", level, "charge", "amount", "CLM02 (the sum of the line charges when empty)"),
        _col("place_of_service", level, "place_of_service", x12="CLM05-1", guides=(PROFESSIONAL, DENTAL)),
        _col("facility_type", level, "facility_type", x12="CLM05-1", guides=(INSTITUTIONAL,)),
        _col("claim_frequency", level, "frequency", x12="CLM05-3"),
        _col("provider_signature", level, "provider_signature", x12="CLM06"),
        _col("assignment", level, "assignment", x12="CLM07"),
        _col("benefits_assigned", level, "benefits_assigned", x12="CLM08"),
        _col("release_of_information", level, "release_of_information", x12="CLM09"),
        _col("patient_signature_source", level, "patient_signature_source", x12="CLM10"),
        _col("related_causes", level, "related_causes", "list", "CLM11-1..3"),
        _col("accident_state", level, "accident_state", x12="CLM11-4"),
        _col("accident_country", level, "accident_country", x12="CLM11-5"),
        _col("special_program", level, "special_program", x12="CLM12"),
        _col("predetermination", level, "predetermination", x12="CLM19", guides=(DENTAL,)),
        _col("delay_reason", level, "delay_reason", x12="CLM20"),
        _col("diagnoses", level, "diagnoses", "diagnoses", "HI: codes, the first principal (ABK), the others ABF"),
        _col("patient_paid", level, "patient_paid", "amount", "AMT*F5"),
        _col("patient_estimated_due", level, "patient_estimated_due", "amount", "AMT*F3"),
        _col("payer_claim_control_number", level, "payer_claim_control_number", x12="REF*F8"),
        _col("claim_prior_authorization", level, "prior_authorization", x12="REF*G1"),
        _col("referral_number", level, "referral_number", x12="REF*9F"),
        _col("medical_record_number", level, "medical_record_number", x12="REF*EA"),
        _col("clearinghouse_trace_number", level, "clearinghouse_trace_number", x12="REF*D9"),
        _col("claim_note_code", level, "note.code", x12="NTE01"),
        _col("claim_note", level, "note.text", x12="NTE02"),
        _col("admission_type", level, "admission_type", x12="CL101", guides=(INSTITUTIONAL,)),
        _col("admission_source", level, "admission_source", x12="CL102", guides=(INSTITUTIONAL,)),
        _col("patient_status", level, "patient_status", x12="CL103", guides=(INSTITUTIONAL,)),
        _col("orthodontic_total_months", level, "orthodontic.total_months", "amount", "DN101", (DENTAL,)),
        _col("orthodontic_remaining_months", level, "orthodontic.remaining_months", "amount", "DN102", (DENTAL,)),
        _col("tooth_status", level, "tooth_status", "tooth_status", "DN2 as TOOTH:STATUS ...", (DENTAL,)),
    ]
    out += [
        _col(f"claim_{name}_date", level, f"dates.{name}", "when", f"DTP*{code}") for code, name in CLAIM_DATES.items()
    ]
    out += _party("rendering_provider", level, "providers.rendering", "2310B", PROVIDER, (PROFESSIONAL, DENTAL))
    out += _party("referring_provider", level, "providers.referring", "2310A", ("name", *PERSON[:2], "npi"))
    out += _party("supervising_provider", level, "providers.supervising", "2310D", PROVIDER[:4], (PROFESSIONAL,))
    out += _party("attending_provider", level, "providers.attending", "2310A", PROVIDER, (INSTITUTIONAL,))
    out += _party("operating_provider", level, "providers.operating", "2310B", PROVIDER[:4], (INSTITUTIONAL,))
    out += _party("service_facility", level, "providers.service_facility", "2310C", ("name", "npi", *ADDRESS))
    out += [
        _col("other_payer_responsibility", level, "other_payers.0.payer_responsibility", x12="2320 SBR01"),
        _col("other_payer_relationship", level, "other_payers.0.relationship", x12="2320 SBR02"),
        _col("other_payer_group_number", level, "other_payers.0.group_number", x12="2320 SBR03"),
        _col("other_payer_group_name", level, "other_payers.0.group_name", x12="2320 SBR04"),
        _col("other_payer_insurance_type", level, "other_payers.0.insurance_type", x12="2320 SBR05"),
        _col("other_payer_claim_filing_indicator", level, "other_payers.0.claim_filing_indicator", x12="2320 SBR09"),
        _col("other_payer_paid", level, "other_payers.0.paid", "amount", "2320 AMT*D"),
        _col("other_payer_benefits_assigned", level, "other_payers.0.benefits_assigned", x12="2320 OI03"),
        _col("other_payer_patient_signature_source", level, "other_payers.0.patient_signature_source", x12="OI04"),
        _col("other_payer_release_of_information", level, "other_payers.0.release_of_information", x12="2320 OI06"),
    ]
    out += _party(
        "other_subscriber",
        level,
        "other_payers.0.subscriber",
        "2330A",
        ("name", *PERSON, "id_qualifier", "id", *ADDRESS),
    )
    out += _party("other_payer", level, "other_payers.0.payer", "2330B", ("name", "id_qualifier", "id"))
    return out


def _line() -> list[Column]:
    level = "line"
    out = [
        _col("line_number", level, "line_number", "int", "LX01 (counted in row order when empty)"),
        _col("revenue_code", level, "revenue_code", x12="SV201", guides=(INSTITUTIONAL,)),
        _col("procedure_qualifier", level, "procedure.qualifier", x12="SV101-1 (HC, or AD on an 837D, when empty)"),
        _col("procedure_code", level, "procedure.code", x12="SV101-2 / SV202-2 / SV301-2"),
        _col("modifiers", level, "procedure.modifiers", "list", "SV101-3..6, separated by spaces"),
        _col("procedure_description", level, "procedure.description", x12="SV101-7"),
        Column("line_charge", level, "charge", "amount", required=True, x12="SV102 / SV203 / SV302"),
        _col(
            "unit_type",
            level,
            "unit_type",
            x12="SV103 / SV204 (UN when empty and units are given)",
            guides=(PROFESSIONAL, INSTITUTIONAL),
        ),
        _col("units", level, "units", "amount", "SV104 / SV205 / SV306"),
        _col("line_place_of_service", level, "place_of_service", x12="SV105 / SV303", guides=(PROFESSIONAL, DENTAL)),
        _col("diagnosis_pointers", level, "diagnosis_pointers", "pointers", "SV107 / SV311", (PROFESSIONAL, DENTAL)),
        _col("emergency", level, "emergency", x12="SV109", guides=(PROFESSIONAL,)),
        _col("epsdt", level, "epsdt", x12="SV111", guides=(PROFESSIONAL,)),
        _col("family_planning", level, "family_planning", x12="SV112", guides=(PROFESSIONAL,)),
        _col("copay_exempt", level, "copay_exempt", x12="SV115", guides=(PROFESSIONAL,)),
        _col("unit_rate", level, "unit_rate", "amount", "SV206", (INSTITUTIONAL,)),
        _col("noncovered_charge", level, "noncovered_charge", "amount", "SV207", (INSTITUTIONAL,)),
        _col("oral_cavity", level, "oral_cavity", "list", "SV304", (DENTAL,)),
        _col("prosthesis", level, "prosthesis", x12="SV305", guides=(DENTAL,)),
        _col("teeth", level, "teeth", "teeth", "TOO02, TOO03 as TOOTH:SURFACE:...", (DENTAL,)),
        _col("service_date", level, "service_date", "date", "DTP*472 (the first day of a period)"),
        _col("service_date_end", level, "service_period.end", "date", "DTP*472 RD8 (the last day of a period)"),
        _col("line_control_number", level, "line_control_number", x12="REF*6R"),
        _col("line_prior_authorization", level, "prior_authorization", x12="REF*G1"),
        _col("line_note_code", level, "note.code", x12="NTE01"),
        _col("line_note", level, "note.text", x12="NTE02"),
        _col("drug_product_qualifier", level, "drug.product_qualifier", x12="LIN02 (N4 = NDC)"),
        _col("drug_product_id", level, "drug.product_id", x12="LIN03"),
        _col("drug_quantity", level, "drug.quantity", "amount", "CTP04"),
        _col("drug_unit", level, "drug.unit", x12="CTP05-1"),
    ]
    out += [
        _col(f"line_{name}_date", level, f"dates.{name}", "when", f"DTP*{code}") for code, name in LINE_DATES.items()
    ]
    return out


def _frame() -> list[Column]:
    """The key and JSON columns of every level."""
    out = []
    for level in LEVELS:
        if level != "line":
            out.append(Column(f"{level}_key", level, "", "key", x12="rows with one value form one loop"))
        out.append(Column(f"{level}_json", level, "", "json", x12="claims JSON the named columns do not hold"))
    return out


@cache
def columns() -> tuple[Column, ...]:
    """Every column, level by level, in the order rows are written."""
    frame = {c.level: [f for f in _frame() if f.level == c.level] for c in _frame()}
    out: list[Column] = []
    for level, made in zip(LEVELS, (_transaction, _billing, _subscriber, _patient, _claim, _line), strict=True):
        keys = [c for c in frame[level] if c.kind == "key"]
        json_columns = [c for c in frame[level] if c.kind == "json"]
        out += [*keys, *made(), *json_columns]
    return tuple(out)


@cache
def by_name() -> dict[str, Column]:
    """Each column by its name."""
    return {c.name: c for c in columns()}


@cache
def of_level(level: str) -> tuple[Column, ...]:
    """The columns of one level, in order."""
    return tuple(c for c in columns() if c.level == level)
