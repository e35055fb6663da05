"""import runs and rejects

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-23 19:45:53.908625
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import persistence.types
from sqlalchemy import Text  # noqa: F401  (autogenerate renders JSONB(astext_type=Text()))

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_runs',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=False),
    sa.Column('batch_size', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('last_committed_line', sa.Integer(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('imported', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('folded', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('customers_created', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_runs')),
    sa.UniqueConstraint('kind', 'file_sha256', name=op.f('uq_import_runs_kind_file_sha256'))
    )
    op.create_table('import_rejects',
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('cells', sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['import_runs.id'], name=op.f('fk_import_rejects_run_id_import_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('run_id', 'line', name=op.f('pk_import_rejects'))
    )


def downgrade() -> None:
    op.drop_table('import_rejects')
    op.drop_table('import_runs')
