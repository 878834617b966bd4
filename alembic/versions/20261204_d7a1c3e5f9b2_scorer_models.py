"""scorer models: learned scorers fit from reviewed answers, and the trail of which one was live

An admin retrains the offline scorer from reviewers' scores; each fit is kept with its measured
agreement, at most one is active, and every activation is recorded so rollback can follow it.

Revision ID: d7a1c3e5f9b2
Revises: c5e1d2a4b7f0
Create Date: 2026-12-04 22:01:48.836988
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'd7a1c3e5f9b2'
down_revision: Union[str, None] = 'c5e1d2a4b7f0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('scorer_activation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_scorer_activation_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorer_activation'))
    )
    op.create_table('scorer_model',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('examples', sa.Integer(), nullable=False),
    sa.Column('questions', sa.Integer(), nullable=False),
    sa.Column('agreement', sa.JSON(), nullable=False),
    sa.Column('baseline_version', sa.String(length=80), nullable=False),
    sa.Column('baseline_agreement', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_scorer_model_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scorer_model')),
    sa.UniqueConstraint('version', name=op.f('uq_scorer_model_version'))
    )


def downgrade() -> None:
    op.drop_table('scorer_model')
    op.drop_table('scorer_activation')
