"""Who made each draft release: the four-eyes rule refuses its maker the approval

Revision ID: 0011_release_drafted_by
Revises: 0010_withdrawal_requests
Create Date: 2026-12-07 06:45:00

- release.drafted_by_id: the account whose harvest, upload or metadata edit made the draft.
  A walidata may upload for any OPD; without this, a walidata who uploaded a table could
  approve it once a produsen submitted it. Existing rows stay empty (the submitter rule
  still applies to them).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_release_drafted_by'
down_revision = '0010_withdrawal_requests'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_release_drafted_by_id_user'), 'user',
                                    ['drafted_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_release_drafted_by_id_user'), type_='foreignkey')
        batch_op.drop_column('drafted_by_id')
