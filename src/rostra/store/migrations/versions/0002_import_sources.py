"""import sources: where imported comments came from

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_parent_ref", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("source_digest", sa.String(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_comments_site_id_source_ref"), ["site_id", "source_ref"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comments_site_id_source_ref"))
        batch_op.drop_column("source_digest")
        batch_op.drop_column("source_parent_ref")
        batch_op.drop_column("source_ref")
