"""tiers, tier history, points ledger, lots and allocations

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-23 19:16:11.922374
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('tiers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('threshold', sa.BigInteger(), nullable=False),
    sa.Column('multiplier', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('benefits', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('hold_months', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('code', name=op.f('uq_tiers_code')),
    sa.UniqueConstraint('rank', name=op.f('uq_tiers_rank'))
    )
    op.create_table('points_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('source_kind', sa.String(length=16), nullable=True),
    sa.Column('source_id', sa.String(length=255), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('balance_after', sa.BigInteger(), nullable=False),
    sa.Column('shortfall', sa.BigInteger(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=True),
    sa.CheckConstraint("kind IN ('EARN', 'REDEEM', 'EXPIRE', 'ADJUST', 'REVERSE')", name=op.f('ck_points_entries_kind_known')),
    sa.CheckConstraint('balance_after >= 0', name=op.f('ck_points_entries_balance_after_not_negative')),
    sa.CheckConstraint('shortfall >= 0', name=op.f('ck_points_entries_shortfall_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_points_entries_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_points_entries_idempotency_key'))
    )
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.create_index('ix_points_entries_customer_created', ['customer_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_points_entries_source', ['source_kind', 'source_id'], unique=False)

    op.create_table('tier_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('from_code', sa.String(length=32), nullable=True),
    sa.Column('to_code', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tier_changes_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_changes'))
    )
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.create_index('ix_tier_changes_customer_at', ['customer_id', 'at'], unique=False)

    op.create_table('points_lots',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.Column('remaining', sa.BigInteger(), nullable=False),
    sa.Column('earned_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('remaining >= 0 AND remaining <= points', name=op.f('ck_points_lots_remaining_within_points')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_points_lots_customer_id_customers')),
    sa.ForeignKeyConstraint(['entry_id'], ['points_entries.id'], name=op.f('fk_points_lots_entry_id_points_entries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_points_lots'))
    )
    with op.batch_alter_table('points_lots', schema=None) as batch_op:
        batch_op.create_index('ix_points_lots_open_expiry', ['expires_at'], unique=False, postgresql_where=sa.text('remaining > 0'), sqlite_where=sa.text('remaining > 0'))
        batch_op.create_index('ix_points_lots_open_fifo', ['customer_id', 'earned_at', 'id'], unique=False, postgresql_where=sa.text('remaining > 0'), sqlite_where=sa.text('remaining > 0'))

    op.create_table('points_allocations',
    sa.Column('entry_id', sa.Uuid(), nullable=False),
    sa.Column('lot_id', sa.Uuid(), nullable=False),
    sa.Column('points', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('points > 0', name=op.f('ck_points_allocations_points_positive')),
    sa.ForeignKeyConstraint(['entry_id'], ['points_entries.id'], name=op.f('fk_points_allocations_entry_id_points_entries')),
    sa.ForeignKeyConstraint(['lot_id'], ['points_lots.id'], name=op.f('fk_points_allocations_lot_id_points_lots')),
    sa.PrimaryKeyConstraint('entry_id', 'lot_id', name=op.f('pk_points_allocations'))
    )
    with op.batch_alter_table('points_allocations', schema=None) as batch_op:
        batch_op.create_index('ix_points_allocations_lot_id', ['lot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('points_allocations', schema=None) as batch_op:
        batch_op.drop_index('ix_points_allocations_lot_id')

    op.drop_table('points_allocations')
    with op.batch_alter_table('points_lots', schema=None) as batch_op:
        batch_op.drop_index('ix_points_lots_open_fifo', postgresql_where=sa.text('remaining > 0'), sqlite_where=sa.text('remaining > 0'))
        batch_op.drop_index('ix_points_lots_open_expiry', postgresql_where=sa.text('remaining > 0'), sqlite_where=sa.text('remaining > 0'))

    op.drop_table('points_lots')
    with op.batch_alter_table('tier_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_tier_changes_customer_at')

    op.drop_table('tier_changes')
    with op.batch_alter_table('points_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_points_entries_source')
        batch_op.drop_index('ix_points_entries_customer_created')

    op.drop_table('points_entries')
    op.drop_table('tiers')
