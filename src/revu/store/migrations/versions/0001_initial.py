"""Organizations, their slot settings, and their reviews.

Revision ID: 0001_initial
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        _when("created_at", nullable=False),
    )
    op.create_table(
        "slot_settings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "org_id",
            sa.String(32),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("slot", sa.String(16), nullable=False),
        sa.Column("card", sa.String(100)),
        sa.Column("provider", sa.String(100), nullable=False),
        sa.Column("plan", sa.String(50)),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("base_url", sa.String(2000)),
        sa.Column("api_key_sealed", sa.Text),
        sa.Column("api_key_prefix", sa.String(16)),
        sa.Column("api_key_last4", sa.String(4)),
        sa.Column("max_concurrent", sa.Integer),
        sa.Column("rpm", sa.Integer),
        sa.Column("tpm", sa.Integer),
        sa.Column("thinking", sa.String(16)),
        sa.Column("override_json", sa.Text),
        _when("updated_at", nullable=False),
        sa.UniqueConstraint("org_id", "slot", name="uq_slot_settings_org_slot"),
    )
    op.create_index("ix_slot_settings_org_id", "slot_settings", ["org_id"])
    op.create_table(
        "reviews",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "org_id",
            sa.String(32),
            sa.ForeignKey("organizations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(200)),
        _when("lease_expires_at"),
        sa.Column("forge", sa.String(20)),
        sa.Column("repository", sa.String(500)),
        sa.Column("pull_request", sa.Integer),
        sa.Column("head_sha", sa.String(64)),
        sa.Column("findings", sa.JSON),
        sa.Column("summary", sa.Text),
        sa.Column("usage", sa.JSON),
        sa.Column("cost_usd", sa.Float),
        sa.Column("model", sa.JSON),
        sa.Column("error", sa.Text),
        _when("created_at", nullable=False),
        _when("started_at"),
        _when("finished_at"),
    )
    op.create_index("ix_reviews_org_id", "reviews", ["org_id"])
    op.create_index("ix_reviews_status", "reviews", ["status"])
    op.create_index("ix_reviews_created_at", "reviews", ["created_at"])


def downgrade() -> None:
    op.drop_table("reviews")
    op.drop_table("slot_settings")
    op.drop_table("organizations")
