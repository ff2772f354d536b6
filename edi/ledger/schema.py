"""The ledger's tables (SQLAlchemy Core). Money columns hold whole cents; each fact's exact values are in JSON.

Every X12 transaction set imported is one row of ``transaction_sets`` keyed by kind, sender and
interchange, group and transaction control numbers. Each acknowledgment (a 999's answer to one
transaction set, a 277CA's status of one claim) is a row of ``acknowledgments`` holding the keys
of what it answers, so it is matched at report time whichever of the two was imported first.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

files = Table(
    "files",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("imported_at", String(32), nullable=False),
)

transaction_sets = Table(
    "transaction_sets",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("file_id", Integer, ForeignKey("files.id"), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("sender", String(64), nullable=False),
    Column("interchange_control", String(16), nullable=False),
    Column("group_control", String(16), nullable=False),
    Column("transaction_control", String(16), nullable=False),
    Column("content_sha256", String(64), nullable=False),
    Column("sort_key", String(255), nullable=False),
    Column("business", Text, nullable=False),
    UniqueConstraint("kind", "sender", "interchange_control", "group_control", "transaction_control", "content_sha256"),
    Index("ix_transaction_sets_answered", "group_control", "transaction_control"),
)

submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transaction_set_id", Integer, ForeignKey("transaction_sets.id"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("patient_control_number", String(64), nullable=False, index=True),
    Column("facts", Text, nullable=False),
    Column("business", Text),
    Index("ix_submissions_set", "transaction_set_id"),
)

remittances = Table(
    "remittances",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transaction_set_id", Integer, ForeignKey("transaction_sets.id"), nullable=False, unique=True),
    Column("trace_number", String(64), nullable=False),
    Column("payer_key", String(128), nullable=False),
    Column("payer_name", Text, nullable=False),
    Column("payment_cents", BigInteger),
    Column("payment_date", Date),
    Column("sort_key", String(255), nullable=False, index=True),
    Column("facts", Text, nullable=False),
    Index("ix_remittances_trace", "trace_number", "payer_key"),
)

claim_payments = Table(
    "claim_payments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("remittance_id", Integer, ForeignKey("remittances.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("patient_control_number", String(64), nullable=False, index=True),
    Column("claim_number", String(64), index=True),
    Column("paid_cents", BigInteger, nullable=False),
    Column("facts", Text, nullable=False),
    Column("business", Text),
)

claims = Table(
    "claims",
    metadata,
    Column("patient_control_number", String(64), primary_key=True),
    Column("prefix", String(20), nullable=False, index=True),
    Column("first_seen", BigInteger, nullable=False, index=True),
    Column("claim_date", Date),
    Column("payer_name", Text, nullable=False),
    Column("patient_id", String(80), nullable=False, index=True),
    Column("patient_name", Text, nullable=False),
    Column("billed_cents", BigInteger, nullable=False),
    Column("paid_cents", BigInteger),
    Column("patient_cents", BigInteger),
    Column("status", String(32), nullable=False),
    Column("payer_claim_control_number", String(64)),
    Column("acknowledgment", Text),
    Index("ix_claims_aging", "status", "payer_name", "claim_date", "billed_cents"),
)

claim_denials = Table(
    "claim_denials",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("patient_control_number", String(64), nullable=False, index=True),
    Column("payer_name", Text, nullable=False),
    Column("group_code", String(2), nullable=False),
    Column("reason", String(8), nullable=False),
    Column("amount_cents", BigInteger, nullable=False),
)

acknowledgments = Table(
    "acknowledgments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("transaction_set_id", Integer, ForeignKey("transaction_sets.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("submitter", String(64), nullable=False),
    Column("set_kind", String(8)),
    Column("group_control", String(16)),
    Column("transaction_control", String(16)),
    Column("patient_control_number", String(64), index=True),
    Column("accepted", Boolean, nullable=False),
    Column("codes", Text, nullable=False),
    Column("charge_cents", BigInteger),
    Column("ack_date", Date),
    Column("facts", Text, nullable=False),
    Index("ix_acknowledgments_set", "group_control", "transaction_control"),
)
