"""memberships and points accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:06:10.275052
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('memberships',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('tier_code', sa.String(length=32), nullable=False),
    sa.Column('tier_since', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('hold_until', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_memberships_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index('ix_memberships_hold_until', ['hold_until'], unique=False)
        batch_op.create_index('ix_memberships_tier_code', ['tier_code'], unique=False)

    op.create_table('points_accounts',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('balance', sa.BigInteger(), nullable=False),
    sa.Column('lifetime_earned', sa.BigInteger(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_points_accounts_balance_not_negative')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_points_accounts_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_points_accounts'))
    )
    with op.batch_alter_table('points_accounts', schema=None) as batch_op:
        batch_op.create_index('ix_points_accounts_balance', ['balance'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('points_accounts', schema=None) as batch_op:
        batch_op.drop_index('ix_points_accounts_balance')

    op.drop_table('points_accounts')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index('ix_memberships_tier_code')
        batch_op.drop_index('ix_memberships_hold_until')

    op.drop_table('memberships')

