"""customers, identities, consent, merges, orders, stats, activity

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:03:18.206634
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('customers',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('email_key', sa.String(length=320), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('gender', sa.String(length=16), nullable=True),
    sa.Column('birthday', sa.Date(), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('region', sa.String(length=100), nullable=True),
    sa.Column('city', sa.String(length=100), nullable=True),
    sa.Column('locale', sa.String(length=35), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('public_metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('private_metadata', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('email_consent', sa.String(length=16), nullable=True),
    sa.Column('sms_consent', sa.String(length=16), nullable=True),
    sa.Column('push_consent', sa.String(length=16), nullable=True),
    sa.Column('merged_into', sa.Uuid(), nullable=True),
    sa.Column('erased_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['merged_into'], ['customers.id'], name=op.f('fk_customers_merged_into_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customers')),
    sa.UniqueConstraint('email_key', name=op.f('uq_customers_email_key'))
    )
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index('ix_customers_merged_into', ['merged_into'], unique=False)
        batch_op.create_index('ix_customers_name', ['last_name', 'first_name', 'id'], unique=False)
        batch_op.create_index('ix_customers_phone', ['phone'], unique=False)

    op.create_table('activity_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('occurred_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('sku', sa.String(length=100), nullable=True),
    sa.Column('quantity', sa.Integer(), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=100), nullable=True),
    sa.Column('properties', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_activity_events_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_events'))
    )
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.create_index('ix_activity_events_customer', ['customer_id', 'occurred_at', 'id'], unique=False)
        batch_op.create_index('ix_activity_events_kind_occurred', ['kind', 'occurred_at'], unique=False)

    op.create_table('consent_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('opt_in_level', sa.String(length=16), nullable=True),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('occurred_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_consent_entries_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_entries'))
    )
    with op.batch_alter_table('consent_entries', schema=None) as batch_op:
        batch_op.create_index('ix_consent_entries_customer', ['customer_id', 'channel', 'occurred_at'], unique=False)

    op.create_table('customer_identities',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_identities_customer_id_customers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_identities')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_customer_identities_channel_external_id'))
    )
    with op.batch_alter_table('customer_identities', schema=None) as batch_op:
        batch_op.create_index('ix_customer_identities_customer_id', ['customer_id'], unique=False)

    op.create_table('customer_merges',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('loser_id', sa.Uuid(), nullable=False),
    sa.Column('winner_id', sa.Uuid(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('moved', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('undone_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['loser_id'], ['customers.id'], name=op.f('fk_customer_merges_loser_id_customers')),
    sa.ForeignKeyConstraint(['winner_id'], ['customers.id'], name=op.f('fk_customer_merges_winner_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_merges'))
    )
    with op.batch_alter_table('customer_merges', schema=None) as batch_op:
        batch_op.create_index('ix_customer_merges_loser', ['loser_id'], unique=False)
        batch_op.create_index('ix_customer_merges_winner', ['winner_id'], unique=False)

    op.create_table('customer_stats',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('orders_count', sa.Integer(), nullable=False),
    sa.Column('net_spent', sa.BigInteger(), nullable=False),
    sa.Column('average_order_value', sa.BigInteger(), nullable=False),
    sa.Column('first_order_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_order_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('refunds_count', sa.Integer(), nullable=False),
    sa.Column('refunded_total', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_stats_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_stats'))
    )
    with op.batch_alter_table('customer_stats', schema=None) as batch_op:
        batch_op.create_index('ix_customer_stats_last_order_at', ['last_order_at'], unique=False)
        batch_op.create_index('ix_customer_stats_net_spent', ['net_spent'], unique=False)
        batch_op.create_index('ix_customer_stats_orders_count', ['orders_count'], unique=False)

    op.create_table('orders',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('channel', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=255), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('placed_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('base_total', sa.BigInteger(), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('channel', 'external_id', name=op.f('uq_orders_channel_external_id'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index('ix_orders_customer_placed', ['customer_id', 'placed_at', 'id'], unique=False)
        batch_op.create_index('ix_orders_placed_at', ['placed_at'], unique=False)

    op.create_table('order_lines',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sku', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.BigInteger(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_lines_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('order_id', 'position', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index('ix_order_lines_category', ['category'], unique=False)
        batch_op.create_index('ix_order_lines_sku', ['sku'], unique=False)

    op.create_table('order_refunds',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('base_amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('lines', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_refunds_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_refunds')),
    sa.UniqueConstraint('order_id', 'idempotency_key', name=op.f('uq_order_refunds_order_id_idempotency_key'))
    )



def downgrade() -> None:

    op.drop_table('order_refunds')
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_order_lines_sku')
        batch_op.drop_index('ix_order_lines_category')

    op.drop_table('order_lines')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index('ix_orders_placed_at')
        batch_op.drop_index('ix_orders_customer_placed')

    op.drop_table('orders')
    with op.batch_alter_table('customer_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_stats_orders_count')
        batch_op.drop_index('ix_customer_stats_net_spent')
        batch_op.drop_index('ix_customer_stats_last_order_at')

    op.drop_table('customer_stats')
    with op.batch_alter_table('customer_merges', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_merges_winner')
        batch_op.drop_index('ix_customer_merges_loser')

    op.drop_table('customer_merges')
    with op.batch_alter_table('customer_identities', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_identities_customer_id')

    op.drop_table('customer_identities')
    with op.batch_alter_table('consent_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_consent_entries_customer')

    op.drop_table('consent_entries')
    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_events_kind_occurred')
        batch_op.drop_index('ix_activity_events_customer')

    op.drop_table('activity_events')
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_phone')
        batch_op.drop_index('ix_customers_name')
        batch_op.drop_index('ix_customers_merged_into')
        batch_op.drop_index('ix_customers_created_at_id')

    op.drop_table('customers')

