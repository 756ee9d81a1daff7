"""release workflow: per-release metadata, withdrawal, held version numbers, append-only audit

Revision ID: 0002_release_workflow
Revises: 0001_initial
Create Date: 2026-11-28 05:43:38.179155

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_release_workflow'
down_revision = '0001_initial'
branch_labels = None
depends_on = None

HELD_VERSION = "status IN ('publishing', 'published', 'withdrawn')"
APPEND_ONLY = "log audit hanya dapat ditambah (UU PDP Pasal 31)"
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
    f"CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END",
]
POSTGRESQL_TRIGGERS = [
    "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
]


def upgrade():
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_release_id'), ['release_id'], unique=False)

    with op.batch_alter_table('release', schema=None) as batch_op:
        # Server defaults fill the rows that already exist.
        batch_op.add_column(sa.Column('meta', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.Text(), nullable=False, server_default=''))
        # Drafts may share a number; only publishing, published and withdrawn ones hold it.
        batch_op.drop_constraint(batch_op.f('uq_release_dataset_id'), type_='unique')
        batch_op.create_index('ux_release_dataset_version', ['dataset_id', 'version'], unique=True,
                              sqlite_where=sa.text(HELD_VERSION),
                              postgresql_where=sa.text(HELD_VERSION))
        batch_op.create_foreign_key(batch_op.f('fk_release_withdrawn_by_id_user'), 'user',
                                    ['withdrawn_by_id'], ['id'])

    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")

    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_release_withdrawn_by_id_user'), type_='foreignkey')
        batch_op.drop_index('ux_release_dataset_version', sqlite_where=sa.text(HELD_VERSION),
                            postgresql_where=sa.text(HELD_VERSION))
        batch_op.create_unique_constraint(batch_op.f('uq_release_dataset_id'), ['dataset_id', 'version'])
        batch_op.drop_column('withdrawal_reason')
        batch_op.drop_column('withdrawn_by_id')
        batch_op.drop_column('withdrawn_at')
        batch_op.drop_column('meta')

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_release_id'))
