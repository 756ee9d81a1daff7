"""priority fields: kelompok rentan filed under Data Desa Presisi's fields

Revision ID: 0013_vulnerable_groups_topic
Revises: 0012_priority_village_tables
Create Date: 2026-12-07 13:15:00

Kelompok rentan per desa (issue 16) was withheld when 0012 mapped the village tables; it is
published now. Like disability in 0007 it serves two fields:

- pendidikan dan kesehatan: infants and toddlers, the chronically ill, pregnant women,
  residents with a disability;
- jaminan sosial dan ketenagakerjaan: the groups social protection targets (children, the
  elderly, residents with a disability).

Only a priority field that 0007 added (topic_set ``data-desa-presisi``) is mapped, and a
mapping a walidata already made is left as it is. Written out here, not imported from the code.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_vulnerable_groups_topic'
down_revision = '0012_priority_village_tables'
branch_labels = None
depends_on = None

SET = "data-desa-presisi"
NAME = "kelompok-rentan"
FIELDS = ("pendidikan-dan-kesehatan", "jaminan-sosial-dan-ketenagakerjaan")


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
    present = set(bind.execute(sa.select(topic_statistic.c.topic)
                               .where(topic_statistic.c.dataset_name == NAME)).scalars())
    rows = [{"topic": field, "dataset_name": NAME} for field in FIELDS
            if field in fields and field not in present]
    if rows:
        op.bulk_insert(topic_statistic, rows)


def downgrade():
    _topic, topic_statistic = _tables()
    op.execute(topic_statistic.delete().where(topic_statistic.c.topic.in_(FIELDS))
               .where(topic_statistic.c.dataset_name == NAME))
