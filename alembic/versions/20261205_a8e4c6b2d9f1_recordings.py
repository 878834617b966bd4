"""recordings: spoken answers, their transcripts and delivery figures; mock interviews in voice mode

The audio is committed before transcription starts and transcribed by workers under a lease, as
scoring jobs are; it is removed with its answer or account, and (by default) once the candidate
accepts the transcript.

Revision ID: a8e4c6b2d9f1
Revises: f4c2a8d6e1b3
Create Date: 2026-12-05 05:00:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = 'a8e4c6b2d9f1'
down_revision: Union[str, None] = 'f4c2a8d6e1b3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('recording',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=120), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=True),
    sa.Column('mime', sa.String(length=60), nullable=False),
    sa.Column('audio', sa.LargeBinary(), nullable=True),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('duration_seconds', sa.Float(), nullable=False),
    sa.Column('time_box_seconds', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('transcript', sa.Text(), nullable=True),
    sa.Column('words', sa.JSON(), nullable=True),
    sa.Column('delivery', sa.JSON(), nullable=True),
    sa.Column('engine', sa.String(length=80), nullable=True),
    sa.Column('edited', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['answer.id'], name=op.f('fk_recording_answer_id_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_recording_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recording'))
    )
    with op.batch_alter_table('recording') as batch:
        batch.create_index(batch.f('ix_recording_answer_id'), ['answer_id'], unique=False)
        batch.create_index(batch.f('ix_recording_user_id'), ['user_id'], unique=False)
        batch.create_index('ix_recording_status_lease', ['status', 'lease_expires_at'], unique=False)
    with op.batch_alter_table('mock_interview') as batch:
        batch.add_column(sa.Column('voice', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('mock_interview') as batch:
        batch.drop_column('voice')
    with op.batch_alter_table('recording') as batch:
        batch.drop_index('ix_recording_status_lease')
        batch.drop_index(batch.f('ix_recording_user_id'))
        batch.drop_index(batch.f('ix_recording_answer_id'))
    op.drop_table('recording')
