"""account security: session versions, account makers and changers, one-time password links, login throttle

Revision ID: 0006_account_security
Revises: 0005_topic_register
Create Date: 2026-12-06 21:45:00

- user.session_version ends every session on logout, password and role change;
- user.created_by_id and user.changed_by_id let the four-eyes rule refuse an approval by the
  walidata who made or last changed the submitter's account; user.password_changed_at;
- password_token keeps the SHA-256 of one-time links to set a password;
- login_failure lets the throttle count failures per account, per client address and per
  known device in SQL on indexed columns (keyed digests, kept one day), instead of reading
  the audit log.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_account_security'
down_revision = '0005_topic_register'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('changed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_user_created_by_id_user'), 'user', ['created_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_user_changed_by_id_user'), 'user', ['changed_by_id'], ['id'])

    op.create_table('login_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('device', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failure'))
    )
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failure_at'), ['at'], unique=False)
        batch_op.create_index('ix_login_failure_account_at', ['account', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_address_at', ['address', 'at'], unique=False)
        batch_op.create_index('ix_login_failure_device_at', ['device', 'at'], unique=False)

    op.create_table('password_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_token_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_token_token_hash'))
    )
    with op.batch_alter_table('password_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_token_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('password_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_token_user_id'))
    op.drop_table('password_token')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_login_failure_device_at')
        batch_op.drop_index('ix_login_failure_address_at')
        batch_op.drop_index('ix_login_failure_account_at')
        batch_op.drop_index(batch_op.f('ix_login_failure_at'))
    op.drop_table('login_failure')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_user_changed_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_user_created_by_id_user'), type_='foreignkey')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('session_version')
        batch_op.drop_column('changed_by_id')
        batch_op.drop_column('created_by_id')
