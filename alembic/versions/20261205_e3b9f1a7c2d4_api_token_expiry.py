"""api token expiry, idempotent submission and password reset links

A personal API token may stop working on a date its owner chose; an answer remembers the
one-time key it was submitted with, so a retried submit finds it instead of storing a twin;
password_reset holds the hashes of one-time, expiring links to choose a new password.

Revision ID: e3b9f1a7c2d4
Revises: d7a1c3e5f9b2
Create Date: 2026-12-05 00:20:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'e3b9f1a7c2d4'
down_revision: Union[str, None] = 'd7a1c3e5f9b2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('api_token') as batch:
        batch.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('answer') as batch:
        batch.add_column(sa.Column('submission_key', sa.String(length=80), nullable=True))
        batch.create_unique_constraint('uq_answer_user_submission_key', ['user_id', 'submission_key'])
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_reset_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_reset_token_hash'))
    )
    with op.batch_alter_table('password_reset') as batch:
        batch.create_index(batch.f('ix_password_reset_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('password_reset')
    with op.batch_alter_table('answer') as batch:
        batch.drop_constraint('uq_answer_user_submission_key', type_='unique')
        batch.drop_column('submission_key')
    with op.batch_alter_table('api_token') as batch:
        batch.drop_column('expires_at')
