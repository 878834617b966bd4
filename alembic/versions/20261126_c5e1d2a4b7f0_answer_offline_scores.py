"""answer offline scores: the newest offline card's scores on the answer, with a covering index

The progress dashboard searched every user's score cards for each answer's newest offline card;
at 100,000 answers that took 0.5-0.8 s. The scores now live on the answer row too, kept current
by scoring_jobs.store_card, and one index per user covers the dashboard and the history list.

Revision ID: c5e1d2a4b7f0
Revises: 881c191431b3
Create Date: 2026-11-26 23:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'c5e1d2a4b7f0'
down_revision: Union[str, None] = '881c191431b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DIMENSIONS = ("strategy", "risk", "communication", "leadership")  # frozen here: migrations do not follow the code
COLUMNS = [f"offline_{d}" for d in DIMENSIONS]


def upgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.add_column(sa.Column(column, sa.Integer(), nullable=True))
    # Backfill from each answer's newest offline card (the highest id, as the dashboard read it).
    assignments = ", ".join(f"{c} = score_card.{d}" for c, d in zip(COLUMNS, DIMENSIONS))
    op.execute(
        f"UPDATE answer SET {assignments} FROM score_card "
        "WHERE score_card.answer_id = answer.id AND score_card.id = "
        "(SELECT max(newest.id) FROM score_card AS newest WHERE newest.answer_id = answer.id AND newest.scorer = 'offline')"
    )
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_user_submitted')
        batch_op.create_index('ix_answer_user_scores', ['user_id', 'submitted_at', 'id', *COLUMNS], unique=False)
        batch_op.create_index('ix_answer_user_question', ['user_id', 'question_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_index('ix_answer_user_question')
        batch_op.drop_index('ix_answer_user_scores')
        batch_op.create_index('ix_answer_user_submitted', ['user_id', 'submitted_at'], unique=False)
        for column in reversed(COLUMNS):
            batch_op.drop_column(column)
