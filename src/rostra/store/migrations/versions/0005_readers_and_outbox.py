"""readers: sign-in, reply subscriptions, webhooks and the outbox of mails and deliveries

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def _site_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["site_id"], ["sites.id"], name=f"fk_{table}_site_id_sites", ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "readers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("provider", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(254), nullable=False),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("name_key", sa.String(64), nullable=False),
        sa.Column("avatar_url", sa.String(500)),
        sa.Column("email", sa.String(254)),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("last_seen_at", When, nullable=False),
        _site_fk("readers"),
        sa.PrimaryKeyConstraint("id", name="pk_readers"),
        sa.UniqueConstraint(
            "site_id", "provider", "subject", name="uq_readers_site_id_provider_subject"
        ),
    )
    op.create_index("ix_readers_site_id_name_key", "readers", ["site_id", "name_key"])
    op.create_table(
        "reader_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("reader_id", Id, nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["reader_id"],
            ["readers.id"],
            name="fk_reader_sessions_reader_id_readers",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_reader_sessions"),
    )
    op.create_index("ix_reader_sessions_reader_id", "reader_sessions", ["reader_id"])
    op.create_table(
        "email_links",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("display_name", sa.String(64)),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.Column("used_at", When),
        _site_fk("email_links"),
        sa.PrimaryKeyConstraint("token_hash", name="pk_email_links"),
    )
    op.create_index(
        "ix_email_links_site_id_email_created_at", "email_links", ["site_id", "email", "created_at"]
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("confirm_sent_at", When),
        sa.Column("confirmed_at", When),
        sa.Column("unsubscribed_at", When),
        _site_fk("subscriptions"),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("site_id", "email", name="uq_subscriptions_site_id_email"),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("secret", sa.String(128), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        _site_fk("webhooks"),
        sa.PrimaryKeyConstraint("id", name="pk_webhooks"),
    )
    op.create_table(
        "outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("group_key", sa.String(300)),
        sa.Column("recipient", sa.String(2048), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", When, nullable=False),
        sa.Column("locked_until", When),
        sa.Column("created_at", When, nullable=False),
        sa.Column("sent_at", When),
        sa.Column("last_status", sa.Integer()),
        sa.Column("last_error", sa.Text()),
        _site_fk("outbox"),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("dedupe_key", name="uq_outbox_dedupe_key"),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_group_key_status", "outbox", ["group_key", "status"])
    op.create_index(
        "ix_outbox_site_id_channel_created_at", "outbox", ["site_id", "channel", "created_at"]
    )
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("reader_id", Id, nullable=True))
        batch.add_column(
            sa.Column("verified", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("author_avatar", sa.String(500), nullable=True))
        batch.create_foreign_key(
            "fk_comments_reader_id_readers", "readers", ["reader_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_comments_reader_id_created_at", ["reader_id", "created_at"])
        batch.create_index("ix_comments_site_id_author_email", ["site_id", "author_email"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("notify_held", sa.String(16), nullable=False, server_default="off")
        )
        batch.add_column(sa.Column("external_ref", sa.String(300), nullable=True))
        batch.create_unique_constraint("uq_users_external_ref", ["external_ref"])


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_external_ref", type_="unique")
        batch.drop_column("external_ref")
        batch.drop_column("notify_held")
    with op.batch_alter_table("comments") as batch:
        batch.drop_index("ix_comments_site_id_author_email")
        batch.drop_index("ix_comments_reader_id_created_at")
        batch.drop_constraint("fk_comments_reader_id_readers", type_="foreignkey")
        batch.drop_column("author_avatar")
        batch.drop_column("verified")
        batch.drop_column("reader_id")
    for table in ("outbox", "webhooks", "subscriptions", "email_links", "reader_sessions"):
        op.drop_table(table)
    op.drop_table("readers")
