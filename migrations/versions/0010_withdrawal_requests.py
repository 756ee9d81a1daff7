"""Withdrawal requests: a produsen's package_delete of a public dataset, for a walidata to decide

Revision ID: 0010_withdrawal_requests
Revises: 0009_sdi_metadata
Create Date: 2026-12-07 05:45:00

- withdrawal_request: the dataset, who asked and why, and the walidata's decision
  (pending, confirmed: every public version withdrawn, or denied); the dataset stays public
  until it is confirmed (portal.datasets.withdrawal_requests).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_withdrawal_requests'
down_revision = '0009_sdi_metadata'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('withdrawal_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dataset_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'],
                            name=op.f('fk_withdrawal_request_dataset_id_dataset')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'],
                            name=op.f('fk_withdrawal_request_requested_by_id_user')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                            name=op.f('fk_withdrawal_request_decided_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_withdrawal_request'))
    )
    with op.batch_alter_table('withdrawal_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_withdrawal_request_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_withdrawal_request_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('withdrawal_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_withdrawal_request_status'))
        batch_op.drop_index(batch_op.f('ix_withdrawal_request_dataset_id'))
    op.drop_table('withdrawal_request')
