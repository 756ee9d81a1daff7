"""topic register: the topics (CKAN groups) become a table the walidata edit, seeded with the six of the code

Revision ID: 0005_topic_register
Revises: 0004_release_status_index
Create Date: 2026-11-28 12:30:00

Until now the topics were a dict in portal/datasets/vocabularies.py. The six are written
here with the same slugs and titles, so existing datasets keep their topic pages. The seed
is part of the migration (not imported from the code), so this file means the same forever.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005_topic_register'
down_revision = '0004_release_status_index'
branch_labels = None
depends_on = None

SEED = [
    ("kependudukan", "Kependudukan", "Population",
     "Jumlah penduduk dan keluarga menurut wilayah, umur, jenis kelamin, status dan dokumen kependudukan.",
     "Residents and families by area, age, sex, civil status and identity documents."),
    ("pendidikan", "Pendidikan", "Education",
     "Pendidikan yang ditamatkan dan yang sedang ditempuh penduduk.",
     "Education attained and current schooling of residents."),
    ("kesehatan", "Kesehatan", "Health",
     "Golongan darah, penyakit menahun, keluarga berencana, kehamilan dan asuransi kesehatan penduduk.",
     "Residents' blood types, chronic illness, family planning, pregnancy and health insurance."),
    ("ketenagakerjaan", "Ketenagakerjaan", "Employment",
     "Pekerjaan penduduk.",
     "Residents' occupations."),
    ("jaminan-sosial", "Jaminan Sosial", "Social Security",
     "Penyandang disabilitas dan tingkat kesejahteraan keluarga.",
     "Residents with disabilities and families' welfare class."),
    ("agama", "Agama", "Religion",
     "Penduduk menurut agama.",
     "Residents by religion."),
]


def upgrade():
    topic = op.create_table('topic',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_topic'))
    )
    op.bulk_insert(topic, [
        {"name": name, "title": title, "title_en": title_en, "description": description,
         "description_en": description_en, "position": (i + 1) * 10}
        for i, (name, title, title_en, description, description_en) in enumerate(SEED)])


def downgrade():
    op.drop_table('topic')
