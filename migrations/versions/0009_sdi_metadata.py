"""Satu Data Indonesia metadata of every dataset, and an OPD's role address

Revision ID: 0009_sdi_metadata
Revises: 0008_membership_tokens
Create Date: 2026-12-07 05:30:00

- dataset: the Standar Data of Perpres 39/2019 Pasal 4 (konsep, definisi, klasifikasi,
  ukuran, satuan) and the rest of the Satu Data Indonesia metadata a walidata checks
  (tingkat penyajian, cakupan wilayah, periode data, sumber data, kode referensi);
  every column is text, empty ("") until filled: the harvest fills its tables' from the
  table catalogue, a produsen fills an upload's; approval is refused while a required one
  is empty (portal.datasets.metadata);
- organization.email: the OPD's role address (kontak), never a person's; empty until set.

No existing row is changed beyond taking the empty default.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_sdi_metadata'
down_revision = '0008_membership_tokens'
branch_labels = None
depends_on = None

# (column, length) of the new dataset columns, in the order of the SDI metadata list.
DATASET_COLUMNS = (
    ("konsep", 200), ("definisi", 2000), ("klasifikasi", 500), ("ukuran", 100),
    ("satuan", 100), ("tingkat_penyajian", 20), ("cakupan_wilayah", 200),
    ("periode_data", 100), ("sumber_data", 500), ("kode_referensi", 200),
)


def upgrade():
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        for name, length in DATASET_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False,
                                          server_default=''))
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=200), nullable=False,
                                      server_default=''))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('email')
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        for name, _length in reversed(DATASET_COLUMNS):
            batch_op.drop_column(name)
