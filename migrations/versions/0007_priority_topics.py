"""priority topics: Tabanan's five Data Desa Presisi fields as a topic set a walidata switches on

Revision ID: 0007_priority_topics
Revises: 0006_account_security
Create Date: 2026-12-07 01:20:00

- topic_set: a named group of topics shown only while switched on (``active``); the set
  ``data-desa-presisi`` is added switched off, so nothing changes until a walidata says so;
- topic.topic_set: the set a topic belongs to ("" for the register's own topics, which stay
  as they are: no existing row is changed);
- topic_statistic: statistics filed under a topic besides their own topic (a statistic keeps
  its topic and may also belong to a priority field);
- the five fields (../shared/reference/satu-data.md §7: pangan, sandang, papan; pendidikan
  dan kesehatan; jaminan sosial dan ketenagakerjaan; agama, adat, tradisi dan budaya;
  pariwisata) with the catalogue's statistics mapped to them. A slug or title a walidata
  already registered is left alone (not overwritten, not mapped).

The seed is written out here, not imported from the code, so this file means the same forever.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_priority_topics'
down_revision = '0006_account_security'
branch_labels = None
depends_on = None

SET = ("data-desa-presisi", "Data Desa Presisi (lima bidang prioritas)",
       "Precise Village Data (five priority fields)",
       "Lima bidang prioritas Data Desa Presisi Kabupaten Tabanan: pangan, sandang dan papan; "
       "pendidikan dan kesehatan; jaminan sosial dan ketenagakerjaan; agama, adat, tradisi dan "
       "budaya; pariwisata.",
       "The five priority fields of Tabanan's Precise Village Data: food, clothing and shelter; "
       "education and health; social security and employment; religion, custom, tradition and "
       "culture; tourism.")

# (slug, title, title_en, description, description_en, statistics mapped to it)
FIELDS = [
    ("pangan-sandang-papan", "Pangan, Sandang dan Papan", "Food, Clothing and Shelter",
     "Bidang prioritas 1: kebutuhan dasar keluarga; kini tingkat kesejahteraan keluarga.",
     "Priority field 1: families' basic needs; for now the families' welfare class.",
     ("keluarga-menurut-kelas-sosial",)),
    ("pendidikan-dan-kesehatan", "Pendidikan dan Kesehatan", "Education and Health",
     "Bidang prioritas 2: pendidikan penduduk, kesehatan, keluarga berencana, kehamilan, "
     "disabilitas dan asuransi kesehatan.",
     "Priority field 2: residents' education, health, family planning, pregnancy, disability "
     "and health insurance.",
     ("penduduk-menurut-pendidikan-dalam-kk", "penduduk-menurut-pendidikan-sedang-ditempuh",
      "penduduk-menurut-golongan-darah", "penduduk-menurut-penyakit-menahun", "akseptor-kb",
      "status-kehamilan", "penduduk-menurut-disabilitas",
      "penduduk-menurut-asuransi-kesehatan")),
    ("jaminan-sosial-dan-ketenagakerjaan", "Jaminan Sosial dan Ketenagakerjaan",
     "Social Security and Employment",
     "Bidang prioritas 3: pekerjaan penduduk, disabilitas, asuransi kesehatan dan tingkat "
     "kesejahteraan keluarga.",
     "Priority field 3: residents' occupations, disability, health insurance and families' "
     "welfare class.",
     ("penduduk-menurut-pekerjaan", "penduduk-menurut-disabilitas",
      "penduduk-menurut-asuransi-kesehatan", "keluarga-menurut-kelas-sosial")),
    ("agama-adat-tradisi-budaya", "Agama, Adat, Tradisi dan Budaya",
     "Religion, Custom, Tradition and Culture",
     "Bidang prioritas 4: penduduk menurut agama; data adat dan budaya belum dipanen dari OpenSID.",
     "Priority field 4: residents by religion; custom and culture data are not yet harvested "
     "from OpenSID.",
     ("penduduk-menurut-agama",)),
    ("pariwisata", "Pariwisata", "Tourism",
     "Bidang prioritas 5: belum ada statistik yang dipanen dari OpenSID untuk bidang ini.",
     "Priority field 5: no statistic harvested from OpenSID covers this field yet.",
     ()),
]
FIRST_POSITION = 110  # after the six topics of 0005 (10..60) and room for the walidata's own


def _tables():
    meta = sa.MetaData()
    topic = sa.Table('topic', meta, sa.Column('name', sa.String(60)), sa.Column('title', sa.String(200)),
                     sa.Column('title_en', sa.String(200)), sa.Column('description', sa.Text()),
                     sa.Column('description_en', sa.Text()), sa.Column('position', sa.Integer()),
                     sa.Column('topic_set', sa.String(60)))
    return topic


def upgrade():
    topic_set = op.create_table('topic_set',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_topic_set'))
    )
    topic_statistic = op.create_table('topic_statistic',
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('dataset_name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('topic', 'dataset_name', name=op.f('pk_topic_statistic'))
    )
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topic_set', sa.String(length=60), server_default='', nullable=False))

    name, title, title_en, description, description_en = SET
    op.bulk_insert(topic_set, [{"name": name, "title": title, "title_en": title_en,
                                "description": description, "description_en": description_en,
                                "active": False}])
    topic = _tables()
    existing = op.get_bind().execute(sa.select(topic.c.name, topic.c.title)).all()
    names = {row.name for row in existing}
    titles = {row.title.lower() for row in existing}
    added, mapped = [], []
    for i, (slug, t, t_en, d, d_en, statistics) in enumerate(FIELDS):
        if slug in names or t.lower() in titles:
            continue  # the walidata's own topic of that name stays as it is
        added.append({"name": slug, "title": t, "title_en": t_en, "description": d,
                      "description_en": d_en, "position": FIRST_POSITION + 10 * i, "topic_set": name})
        mapped += [{"topic": slug, "dataset_name": s} for s in statistics]
    if added:
        op.bulk_insert(topic, added)
    if mapped:
        op.bulk_insert(topic_statistic, mapped)


def downgrade():
    topic = _tables()
    op.execute(topic.delete().where(topic.c.topic_set == SET[0]))
    with op.batch_alter_table('topic', schema=None) as batch_op:
        batch_op.drop_column('topic_set')
    op.drop_table('topic_statistic')
    op.drop_table('topic_set')
