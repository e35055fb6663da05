"""tickets, messages, ticket number counter

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-23 19:07:12.638366
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Ticket numbers on PostgreSQL (SQLite uses the one-row ticket_number_counter table).
TICKET_NUMBER_SEQ = sa.Sequence('ticket_number_seq', start=1001)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.schema.CreateSequence(TICKET_NUMBER_SEQ))
    op.create_table('ticket_number_counter',
    sa.Column('id', sa.SmallInteger(), nullable=False),
    sa.Column('last_number', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_number_counter'))
    )
    op.create_table('tickets',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('customer_id', sa.Uuid(), nullable=False),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('lines', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('priority', sa.String(length=8), nullable=False),
    sa.Column('priority_rank', sa.SmallInteger(), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('paused_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_started_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_budget_us', sa.BigInteger(), nullable=True),
    sa.Column('first_response_paused_us', sa.BigInteger(), nullable=True),
    sa.Column('first_response_due_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_met_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('first_response_breach_flagged', sa.Boolean(), nullable=True),
    sa.Column('next_response_started_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_response_budget_us', sa.BigInteger(), nullable=True),
    sa.Column('next_response_paused_us', sa.BigInteger(), nullable=True),
    sa.Column('next_response_due_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_response_met_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('next_response_breach_flagged', sa.Boolean(), nullable=True),
    sa.Column('resolution_started_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_budget_us', sa.BigInteger(), nullable=True),
    sa.Column('resolution_paused_us', sa.BigInteger(), nullable=True),
    sa.Column('resolution_due_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_met_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolution_breach_flagged', sa.Boolean(), nullable=True),
    sa.Column('queue_due_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('breach_check_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('first_responded_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('rating', sa.SmallInteger(), nullable=True),
    sa.Column('rated_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('refund_requested', sa.Boolean(), nullable=False),
    sa.Column('source_event_id', sa.Uuid(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('rating IS NULL OR rating BETWEEN 1 AND 5', name=op.f('ck_tickets_rating_range')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_tickets_version_positive')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_tickets_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_tickets_order_id_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tickets')),
    sa.UniqueConstraint('number', name=op.f('uq_tickets_number')),
    sa.UniqueConstraint('source_event_id', name=op.f('uq_tickets_source_event_id'))
    )
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index('ix_tickets_assignee', ['assignee_id', 'priority_rank', 'queue_due_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_breach_check_at', ['breach_check_at'], unique=False)
        batch_op.create_index('ix_tickets_customer', ['customer_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_order_id', ['order_id'], unique=False)
        batch_op.create_index('ix_tickets_priority', ['priority_rank', 'queue_due_at', 'id'], unique=False)
        batch_op.create_index('ix_tickets_queue', ['status', 'priority_rank', 'queue_due_at', 'id'], unique=False)

    op.create_table('ticket_messages',
    sa.Column('ticket_id', sa.Uuid(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('author_kind', sa.String(length=8), nullable=False),
    sa.Column('author_id', sa.Uuid(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('is_note', sa.Boolean(), nullable=False),
    sa.Column('created_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_messages_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'seq', name=op.f('pk_ticket_messages')),
    sa.UniqueConstraint('id', name=op.f('uq_ticket_messages_id'))
    )


def downgrade() -> None:
    op.drop_table('ticket_messages')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_queue')
        batch_op.drop_index('ix_tickets_priority')
        batch_op.drop_index('ix_tickets_order_id')
        batch_op.drop_index('ix_tickets_customer')
        batch_op.drop_index('ix_tickets_breach_check_at')
        batch_op.drop_index('ix_tickets_assignee')

    op.drop_table('tickets')
    op.drop_table('ticket_number_counter')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.schema.DropSequence(TICKET_NUMBER_SEQ))
