"""Acknowledgments: each 999 answer to a transaction set and each 277CA claim status; a claim's front-door state.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the acknowledgments table, the claims' acknowledgment column, and indexes to find the claims of a set."""
    op.create_table(
        "acknowledgments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("transaction_set_id", sa.Integer, sa.ForeignKey("transaction_sets.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("submitter", sa.String(64), nullable=False),
        sa.Column("set_kind", sa.String(8)),
        sa.Column("group_control", sa.String(16)),
        sa.Column("transaction_control", sa.String(16)),
        sa.Column("patient_control_number", sa.String(64), index=True),
        sa.Column("accepted", sa.Boolean, nullable=False),
        sa.Column("codes", sa.Text, nullable=False),
        sa.Column("charge_cents", sa.BigInteger),
        sa.Column("ack_date", sa.Date),
        sa.Column("facts", sa.Text, nullable=False),
    )
    op.create_index("ix_acknowledgments_set", "acknowledgments", ["group_control", "transaction_control"])
    op.add_column("claims", sa.Column("acknowledgment", sa.Text))
    op.create_index("ix_transaction_sets_answered", "transaction_sets", ["group_control", "transaction_control"])
    op.create_index("ix_submissions_set", "submissions", ["transaction_set_id"])


def downgrade() -> None:
    """Drop what `upgrade` added."""
    op.drop_index("ix_submissions_set", "submissions")
    op.drop_index("ix_transaction_sets_answered", "transaction_sets")
    with op.batch_alter_table("claims") as claims:
        claims.drop_column("acknowledgment")
    op.drop_table("acknowledgments")
