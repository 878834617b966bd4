"""mock follow-up remembers the key point it probes; accounts confirm their email

A follow-up asks for one key point the main answer missed; the reply is judged on that point,
so the item keeps which point it was. When the site sends email, a new account proves its
address with a one-time link before it can log in (so sign-up says the same whether or not an
address is taken); accounts that exist already count as confirmed.

Revision ID: f4c2a8d6e1b3
Revises: e3b9f1a7c2d4
Create Date: 2026-12-05 04:40:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'f4c2a8d6e1b3'
down_revision: Union[str, None] = 'e3b9f1a7c2d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('mock_item') as batch:
        batch.add_column(sa.Column('follow_up_point', sa.String(length=80), nullable=True))
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute('UPDATE "user" SET email_confirmed_at = created_at')
    op.create_table('email_confirmation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_email_confirmation_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_confirmation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_confirmation_token_hash'))
    )
    with op.batch_alter_table('email_confirmation') as batch:
        batch.create_index(batch.f('ix_email_confirmation_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('email_confirmation') as batch:
        batch.drop_index(batch.f('ix_email_confirmation_user_id'))
    op.drop_table('email_confirmation')
    with op.batch_alter_table('user') as batch:
        batch.drop_column('email_confirmed_at')
    with op.batch_alter_table('mock_item') as batch:
        batch.drop_column('follow_up_point')
