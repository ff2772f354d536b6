"""The first ledger schema: files, transaction sets, claims, remittances, payments, denials.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create every table and index of the first schema."""
    op.create_table(
        "files",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("imported_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "transaction_sets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("file_id", sa.Integer, sa.ForeignKey("files.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("interchange_control", sa.String(16), nullable=False),
        sa.Column("group_control", sa.String(16), nullable=False),
        sa.Column("transaction_control", sa.String(16), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("sort_key", sa.String(255), nullable=False),
        sa.Column("business", sa.Text, nullable=False),
        sa.UniqueConstraint(
            "kind", "sender", "interchange_control", "group_control", "transaction_control", "content_sha256"
        ),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transaction_set_id", sa.Integer, sa.ForeignKey("transaction_sets.id"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("patient_control_number", sa.String(64), nullable=False, index=True),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("business", sa.Text),
    )
    op.create_table(
        "remittances",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transaction_set_id", sa.Integer, sa.ForeignKey("transaction_sets.id"), nullable=False, unique=True),
        sa.Column("trace_number", sa.String(64), nullable=False),
        sa.Column("payer_key", sa.String(128), nullable=False),
        sa.Column("payer_name", sa.Text, nullable=False),
        sa.Column("payment_cents", sa.BigInteger),
        sa.Column("payment_date", sa.Date),
        sa.Column("sort_key", sa.String(255), nullable=False, index=True),
        sa.Column("facts", sa.Text, nullable=False),
    )
    op.create_index("ix_remittances_trace", "remittances", ["trace_number", "payer_key"])
    op.create_table(
        "claim_payments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("remittance_id", sa.Integer, sa.ForeignKey("remittances.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("patient_control_number", sa.String(64), nullable=False, index=True),
        sa.Column("claim_number", sa.String(64), index=True),
        sa.Column("paid_cents", sa.BigInteger, nullable=False),
        sa.Column("facts", sa.Text, nullable=False),
        sa.Column("business", sa.Text),
    )
    op.create_table(
        "claims",
        sa.Column("patient_control_number", sa.String(64), primary_key=True),
        sa.Column("prefix", sa.String(20), nullable=False, index=True),
        sa.Column("first_seen", sa.BigInteger, nullable=False, index=True),
        sa.Column("claim_date", sa.Date),
        sa.Column("payer_name", sa.Text, nullable=False),
        sa.Column("patient_id", sa.String(80), nullable=False, index=True),
        sa.Column("patient_name", sa.Text, nullable=False),
        sa.Column("billed_cents", sa.BigInteger, nullable=False),
        sa.Column("paid_cents", sa.BigInteger),
        sa.Column("patient_cents", sa.BigInteger),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("payer_claim_control_number", sa.String(64)),
    )
    op.create_index("ix_claims_aging", "claims", ["status", "payer_name", "claim_date", "billed_cents"])
    op.create_table(
        "claim_denials",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_control_number", sa.String(64), nullable=False, index=True),
        sa.Column("payer_name", sa.Text, nullable=False),
        sa.Column("group_code", sa.String(2), nullable=False),
        sa.Column("reason", sa.String(8), nullable=False),
        sa.Column("amount_cents", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    """Drop every table of the first schema."""
    for table in ("claim_denials", "claims", "claim_payments", "remittances", "submissions", "transaction_sets"):
        op.drop_table(table)
    op.drop_table("files")
