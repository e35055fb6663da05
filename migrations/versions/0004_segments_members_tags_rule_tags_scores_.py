"""segments, members, tags, rule tags, scores, engagement

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 19:12:43.428454
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0004'
down_revision: str | Sequence[str] | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('segments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_key', sa.String(length=100), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('name_key', name=op.f('uq_segments_name_key'))
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index('ix_segments_created_at_id', ['created_at', 'id'], unique=False)

    op.create_table('customer_engagement',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('last_message_opened_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('last_message_clicked_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_engagement_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_engagement'))
    )
    with op.batch_alter_table('customer_engagement', schema=None) as batch_op:
        batch_op.create_index('ix_customer_engagement_clicked', ['last_message_clicked_at'], unique=False)
        batch_op.create_index('ix_customer_engagement_opened', ['last_message_opened_at'], unique=False)

    op.create_table('customer_scores',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('rfm_recency', sa.SmallInteger(), nullable=True),
    sa.Column('rfm_frequency', sa.SmallInteger(), nullable=True),
    sa.Column('rfm_monetary', sa.SmallInteger(), nullable=True),
    sa.Column('rfm_group', sa.String(length=20), nullable=True),
    sa.Column('clv', sa.BigInteger(), nullable=True),
    sa.Column('churn_risk', sa.Numeric(precision=7, scale=6), nullable=True),
    sa.Column('lifecycle', sa.String(length=16), nullable=True),
    sa.Column('scored_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rfm_frequency BETWEEN 1 AND 5', name=op.f('ck_customer_scores_rfm_frequency_range')),
    sa.CheckConstraint('rfm_monetary BETWEEN 1 AND 5', name=op.f('ck_customer_scores_rfm_monetary_range')),
    sa.CheckConstraint('rfm_recency BETWEEN 1 AND 5', name=op.f('ck_customer_scores_rfm_recency_range')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_scores_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_customer_scores'))
    )
    with op.batch_alter_table('customer_scores', schema=None) as batch_op:
        batch_op.create_index('ix_customer_scores_churn_risk', ['churn_risk'], unique=False)
        batch_op.create_index('ix_customer_scores_clv', ['clv'], unique=False)
        batch_op.create_index('ix_customer_scores_lifecycle', ['lifecycle'], unique=False)
        batch_op.create_index('ix_customer_scores_rfm_group', ['rfm_group'], unique=False)

    op.create_table('customer_tags',
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('MANUAL', 'RULE')", name=op.f('ck_customer_tags_kind_known')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_tags_customer_id_customers')),
    sa.PrimaryKeyConstraint('customer_id', 'tag', name=op.f('pk_customer_tags'))
    )
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.create_index('ix_customer_tags_tag', ['tag', 'customer_id'], unique=False)

    op.create_table('rule_tags',
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('segment_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_rule_tags_segment_id_segments'), initially='DEFERRED', deferrable=True),
    sa.PrimaryKeyConstraint('tag', name=op.f('pk_rule_tags'))
    )
    with op.batch_alter_table('rule_tags', schema=None) as batch_op:
        batch_op.create_index('ix_rule_tags_segment_id', ['segment_id'], unique=False)

    op.create_table('segment_members',
    sa.Column('segment_id', sa.Uuid(), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_segment_members_customer_id_customers')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_segment_members_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('segment_id', 'customer_id', name=op.f('pk_segment_members'))
    )
    with op.batch_alter_table('segment_members', schema=None) as batch_op:
        batch_op.create_index('ix_segment_members_customer_id', ['customer_id'], unique=False)

    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.create_index('ix_customers_gone', ['id'], unique=False, postgresql_where=sa.text('merged_into IS NOT NULL OR erased_at IS NOT NULL'), sqlite_where=sa.text('merged_into IS NOT NULL OR erased_at IS NOT NULL'))
        batch_op.create_index('ix_customers_live', ['id'], unique=False, postgresql_where=sa.text('merged_into IS NULL AND erased_at IS NULL'), sqlite_where=sa.text('merged_into IS NULL AND erased_at IS NULL'))

    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.create_index('ix_activity_events_cart', ['customer_id', 'occurred_at'], unique=False, postgresql_where=sa.text("kind IN ('ADD_TO_CART', 'CHECKOUT_STARTED')"), sqlite_where=sa.text("kind IN ('ADD_TO_CART', 'CHECKOUT_STARTED')"))
        batch_op.create_index('ix_activity_events_review', ['customer_id', 'occurred_at', 'id'], unique=False, postgresql_where=sa.text("kind = 'REVIEW_POSTED'"), sqlite_where=sa.text("kind = 'REVIEW_POSTED'"))



def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_index('ix_customers_live', postgresql_where=sa.text('merged_into IS NULL AND erased_at IS NULL'), sqlite_where=sa.text('merged_into IS NULL AND erased_at IS NULL'))
        batch_op.drop_index('ix_customers_gone', postgresql_where=sa.text('merged_into IS NOT NULL OR erased_at IS NOT NULL'), sqlite_where=sa.text('merged_into IS NOT NULL OR erased_at IS NOT NULL'))

    with op.batch_alter_table('activity_events', schema=None) as batch_op:
        batch_op.drop_index('ix_activity_events_review', postgresql_where=sa.text("kind = 'REVIEW_POSTED'"), sqlite_where=sa.text("kind = 'REVIEW_POSTED'"))
        batch_op.drop_index('ix_activity_events_cart', postgresql_where=sa.text("kind IN ('ADD_TO_CART', 'CHECKOUT_STARTED')"), sqlite_where=sa.text("kind IN ('ADD_TO_CART', 'CHECKOUT_STARTED')"))

    with op.batch_alter_table('segment_members', schema=None) as batch_op:
        batch_op.drop_index('ix_segment_members_customer_id')

    op.drop_table('segment_members')
    with op.batch_alter_table('rule_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_rule_tags_segment_id')

    op.drop_table('rule_tags')
    with op.batch_alter_table('customer_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_tags_tag')

    op.drop_table('customer_tags')
    with op.batch_alter_table('customer_scores', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_scores_rfm_group')
        batch_op.drop_index('ix_customer_scores_lifecycle')
        batch_op.drop_index('ix_customer_scores_clv')
        batch_op.drop_index('ix_customer_scores_churn_risk')

    op.drop_table('customer_scores')
    with op.batch_alter_table('customer_engagement', schema=None) as batch_op:
        batch_op.drop_index('ix_customer_engagement_opened')
        batch_op.drop_index('ix_customer_engagement_clicked')

    op.drop_table('customer_engagement')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_created_at_id')

    op.drop_table('segments')
