"""search index: entries and facet values of public datasets; FTS5 on SQLite, tsvector + GIN on PostgreSQL

Revision ID: 0003_search_index
Revises: 0002_release_workflow
Create Date: 2026-11-28 08:40:00

The index starts empty: on a database that already has published datasets, run
``flask --app wsgi search reindex`` once after upgrading.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003_search_index'
down_revision = '0002_release_workflow'
branch_labels = None
depends_on = None

# Words are stemmed by the portal before they are stored; the tokenizer only splits them.
SQLITE_FTS = ("CREATE VIRTUAL TABLE search_fts USING fts5(dataset_id UNINDEXED, title, tags, "
              "description, columns, context, tokenize = 'unicode61 remove_diacritics 2')")


def upgrade():
    op.create_table('search_entry',
    sa.Column('dataset_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('organization', sa.String(length=100), nullable=False),
    sa.Column('organization_title', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=60), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('formats', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_search_entry_dataset_id_dataset')),
    sa.PrimaryKeyConstraint('dataset_id', name=op.f('pk_search_entry'))
    )
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_entry_updated_at'), ['updated_at'], unique=False)

    op.create_table('search_facet',
    sa.Column('dataset_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_search_facet_dataset_id_dataset')),
    sa.PrimaryKeyConstraint('dataset_id', 'field', 'value', name=op.f('pk_search_facet'))
    )
    with op.batch_alter_table('search_facet', schema=None) as batch_op:
        batch_op.create_index('ix_search_facet_field_value', ['field', 'value'], unique=False)

    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        op.execute(SQLITE_FTS)
    elif dialect == 'postgresql':
        op.execute("ALTER TABLE search_entry ADD COLUMN document tsvector")
        op.execute("CREATE INDEX ix_search_entry_document ON search_entry USING GIN (document)")


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table('search_facet', schema=None) as batch_op:
        batch_op.drop_index('ix_search_facet_field_value')
    op.drop_table('search_facet')
    with op.batch_alter_table('search_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_entry_updated_at'))
    op.drop_table('search_entry')
