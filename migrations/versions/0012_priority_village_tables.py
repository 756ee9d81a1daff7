"""priority fields: the village tables of issue 16 filed under Data Desa Presisi's fields

Revision ID: 0012_priority_village_tables
Revises: 0011_release_drafted_by
Create Date: 2026-12-07 10:40:00

0007 mapped the register's statistics to the five priority fields; the village tables came
later (monthly report, aid, households, BPJS Ketenagakerjaan, stunting convergence). This files them under the fields they serve:

- pangan, sandang dan papan: households by welfare class, aid recipients (food and housing
  programmes: BPNT / sembako, bedah rumah);
- pendidikan dan kesehatan: the three stunting-convergence tables;
- jaminan sosial dan ketenagakerjaan: aid recipients (residents, families, households),
  households by welfare class, BPJS Ketenagakerjaan.

Only a priority field that 0007 added (topic_set ``data-desa-presisi``) is mapped, and a
mapping a walidata already made is left as it is. A topic of the same name the walidata
registered themselves is not touched. Written out here, not imported from the code.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_priority_village_tables'
down_revision = '0011_release_drafted_by'
branch_labels = None
depends_on = None

SET = "data-desa-presisi"
AID = ("penerima-bantuan-sosial-penduduk", "penerima-bantuan-sosial-keluarga",
       "penerima-bantuan-sosial-rumah-tangga")
MAPPING = {
    "pangan-sandang-papan": ("rumah-tangga-menurut-kelas-sosial", *AID),
    "pendidikan-dan-kesehatan": ("konvergensi-stunting-sasaran", "konvergensi-stunting-tikar",
                                 "konvergensi-stunting-layanan"),
    "jaminan-sosial-dan-ketenagakerjaan": (*AID, "rumah-tangga-menurut-kelas-sosial",
                                           "kepesertaan-bpjs-ketenagakerjaan"),
}


def _tables():
    meta = sa.MetaData()
    topic = sa.Table('topic', meta, sa.Column('name', sa.String(60)), sa.Column('topic_set', sa.String(60)))
    topic_statistic = sa.Table('topic_statistic', meta, sa.Column('topic', sa.String(60)),
                               sa.Column('dataset_name', sa.String(100)))
    return topic, topic_statistic


def upgrade():
    topic, topic_statistic = _tables()
    bind = op.get_bind()
    fields = set(bind.execute(sa.select(topic.c.name).where(topic.c.topic_set == SET)).scalars())
    present = {(r.topic, r.dataset_name) for r in bind.execute(sa.select(topic_statistic))}
    rows = [{"topic": field, "dataset_name": name}
            for field, names in MAPPING.items() if field in fields
            for name in names if (field, name) not in present]
    if rows:
        op.bulk_insert(topic_statistic, rows)


def downgrade():
    topic, topic_statistic = _tables()
    for field, names in MAPPING.items():
        op.execute(topic_statistic.delete().where(topic_statistic.c.topic == field)
                   .where(topic_statistic.c.dataset_name.in_(names)))
