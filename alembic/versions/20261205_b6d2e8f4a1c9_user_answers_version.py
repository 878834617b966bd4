"""user.answers_version: a counter that changes whenever one of the user's answers does

Pages that show marks derived from a candidate's answers (the question bank's attempted badges)
are kept rendered per login session and reused while this counter, read with the session on
every request, stays the same.

Revision ID: b6d2e8f4a1c9
Revises: a8e4c6b2d9f1
Create Date: 2026-12-05 13:30:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'b6d2e8f4a1c9'
down_revision: Union[str, None] = 'a8e4c6b2d9f1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('answers_version', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_column('answers_version')
