"""erased imported comments are marked so that no later import restores them

An erased comment keeps its source reference (its replies and later imports
still find it), but its source digest becomes "erased": an import that
meets the reference again skips it instead of writing back the text and name
an older export still holds. Comments erased before this revision are
recognised by what erasure leaves: deleted, no name, no text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Imported comments always carry a name (an empty one at least); only erasure clears it.
    op.execute(
        "UPDATE comments SET source_digest = 'erased' "
        "WHERE source_ref IS NOT NULL AND status = 'deleted' AND author_name IS NULL "
        "AND body_source = '' AND author_key IS NULL AND fingerprint IS NULL"
    )


def downgrade() -> None:
    # The old digests are gone; an empty one makes the next import compare afresh.
    op.execute("UPDATE comments SET source_digest = NULL WHERE source_digest = 'erased'")
