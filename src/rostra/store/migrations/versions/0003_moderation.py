"""moderation: decisions on comments, accounts, sanctions, reports, revisions, audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("policy", sa.String(16), nullable=True))
    with op.batch_alter_table("comments") as batch:
        batch.add_column(sa.Column("toxicity", sa.Float(), nullable=True))
        batch.add_column(sa.Column("moderation", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("featured", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("shadowed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("fingerprint", sa.String(16), nullable=True))
        for columns in (
            ["site_id", "status", "created_at"],
            ["site_id", "author_key", "created_at"],
            ["site_id", "ip_hash", "created_at"],
            ["site_id", "fingerprint", "created_at"],
        ):
            batch.create_index(f"ix_comments_{'_'.join(columns)}", columns)
    op.create_table(
        "users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", When),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("username", name="uq_users_username"),
    )
    op.create_table(
        "user_sites",
        sa.Column("user_id", Id, nullable=False),
        sa.Column("site_id", Id, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_sites_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_user_sites_site_id_sites", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "site_id", name="pk_user_sites"),
    )
    op.create_table(
        "admin_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_admin_sessions_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name="pk_admin_sessions"),
    )
    op.create_table(
        "sanctions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author_key", sa.String(64)),
        sa.Column("email", sa.String(254)),
        sa.Column("ip_hash", sa.String(64)),
        sa.Column("user_id", Id),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_by", Id),
        sa.Column("created_at", When, nullable=False),
        sa.Column("expires_at", When),
        sa.Column("lifted_at", When),
        sa.Column("lifted_by", Id),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_sanctions_site_id_sites", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], name="fk_sanctions_created_by_users"),
        sa.ForeignKeyConstraint(["lifted_by"], ["users.id"], name="fk_sanctions_lifted_by_users"),
        sa.PrimaryKeyConstraint("id", name="pk_sanctions"),
    )
    for column in ("author_key", "ip_hash", "email"):
        op.create_index(f"ix_sanctions_site_id_{column}", "sanctions", ["site_id", column])
    op.create_table(
        "reports",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id, nullable=False),
        sa.Column("comment_id", Id, nullable=False),
        sa.Column("reporter_key", sa.String(64), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("note", sa.Text()),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        sa.Column("outcome", sa.String(16)),
        sa.Column("resolved_at", When),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_reports_site_id_sites", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_reports_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_reports"),
        sa.UniqueConstraint(
            "comment_id", "reporter_key", name="uq_reports_comment_id_reporter_key"
        ),
    )
    op.create_index(
        "ix_reports_site_id_outcome_created_at", "reports", ["site_id", "outcome", "created_at"]
    )
    op.create_index("ix_reports_reporter_key_outcome", "reports", ["reporter_key", "outcome"])
    op.create_table(
        "comment_revisions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("comment_id", Id, nullable=False),
        sa.Column("body_source", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=False),
        sa.Column("edited_by", Id),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_comment_revisions_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["edited_by"], ["users.id"], name="fk_comment_revisions_edited_by_users"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_comment_revisions"),
    )
    op.create_index(
        "ix_comment_revisions_comment_id_created_at",
        "comment_revisions",
        ["comment_id", "created_at"],
    )
    op.create_table(
        "audit_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("site_id", Id),
        sa.Column("actor_id", Id),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("target_type", sa.String(16)),
        sa.Column("target_id", sa.String(64)),
        sa.Column("reason", sa.Text()),
        sa.Column("details", sa.JSON()),
        sa.Column("created_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name="fk_audit_log_site_id_sites", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name="fk_audit_log_actor_id_users"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
    )
    op.create_index("ix_audit_log_site_id_created_at", "audit_log", ["site_id", "created_at"])


def downgrade() -> None:
    for table in (
        "audit_log",
        "comment_revisions",
        "reports",
        "sanctions",
        "admin_sessions",
        "user_sites",
        "users",
    ):
        op.drop_table(table)
    with op.batch_alter_table("comments") as batch:
        for columns in (
            ["site_id", "status", "created_at"],
            ["site_id", "author_key", "created_at"],
            ["site_id", "ip_hash", "created_at"],
            ["site_id", "fingerprint", "created_at"],
        ):
            batch.drop_index(f"ix_comments_{'_'.join(columns)}")
        for column in ("fingerprint", "shadowed", "featured", "moderation", "toxicity"):
            batch.drop_column(column)
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("policy")
