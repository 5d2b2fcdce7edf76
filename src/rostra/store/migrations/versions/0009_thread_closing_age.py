"""sites keep their thread-closing age in a column

The age (days after a thread's first comment that it closes) is one of the
site's moderation settings, but every page view reads it: a column costs
that read nothing, where taking it out of the settings JSON costs parsing
the whole document, word lists and all. store.sites writes it with the
settings. No site had the setting before this revision, so 0 (never) is
every site's value.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both backends (SQLite has dropped columns since 3.35): a
# batch operation would copy `sites` into a new table and drop the old one, and
# on SQLite dropping it cascades to every thread and comment.
def upgrade() -> None:
    op.add_column(
        "sites", sa.Column("close_after_days", sa.Integer(), nullable=False, server_default="0")
    )


def downgrade() -> None:
    op.drop_column("sites", "close_after_days")
