"""release (status, published_at) index: answer "latest published" from the index

Revision ID: 0004_release_status_index
Revises: 0003_search_index
Create Date: 2026-11-28 10:30:00

Without it, max(published_at) over published releases reads every release row whole on
SQLite (the JSON reports spill into overflow pages): ~170 ms per request at 1,000 releases
for the API's catalog fingerprint and the home page's latest releases.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_release_status_index'
down_revision = '0003_search_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_release_status_published_at', 'release', ['status', 'published_at'])


def downgrade():
    op.drop_index('ix_release_status_published_at', table_name='release')
