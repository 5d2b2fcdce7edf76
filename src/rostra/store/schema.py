"""The database schema, shared by SQLite and PostgreSQL.

Comments carry enough precomputed tree data (root, depth, position among
siblings, and the highest sibling position on the way down from the root)
that a whole page of a thread is read with two indexed range scans, however
large the thread grows.
"""

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

# Integer ids that are BIGINT on PostgreSQL and the rowid alias on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both backends (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

server_secrets = Table(
    "server_secrets",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("value", String(128), nullable=False),
)

sites = Table(
    "sites",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("origins", JSON, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # A copy of settings' moderation.close_after_days, which every page view reads.
    Column("close_after_days", Integer, nullable=False, default=0, server_default="0"),
)

threads = Table(
    "threads",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(1024), nullable=False),
    Column("title", String(300)),
    Column("url", String(2048)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_comment_at", UTCDateTime),
    # Bumped by every change a reader could see; pages are cached and
    # revalidated (ETag) against it, so every worker sees changes at once.
    Column("version", BigInteger, nullable=False, default=1),
    Column("comment_count", Integer, nullable=False, default=0),
    Column("root_count", Integer, nullable=False, default=0),
    Column("root_seq", Integer, nullable=False, default=0),
    # Per-thread moderation policy overriding the site's (e.g. a sensitive
    # story, or a thread under a raid, switched to full pre-moderation).
    Column("policy", String(16)),
    UniqueConstraint("site_id", "key"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", Id, ForeignKey("comments.id")),
    Column("root_id", Id),
    Column("depth", SmallInteger, nullable=False),
    Column("sibling_pos", Integer, nullable=False),
    Column("chain_pos", Integer, nullable=False),
    Column("child_seq", Integer, nullable=False, default=0),
    Column("reply_count", Integer, nullable=False, default=0),
    Column("status", String(16), nullable=False),
    Column("visible", Boolean, nullable=False),
    Column("author_name", String(64)),
    Column("author_email", String(254)),
    Column("author_website", String(500)),
    Column("author_key", String(64)),
    Column("ip_hash", String(64)),
    Column("body_source", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("edited_at", UTCDateTime),
    Column("upvotes", Integer, nullable=False, default=0),
    Column("downvotes", Integer, nullable=False, default=0),
    Column("rank", Float, nullable=False, default=0.0),
    Column("edit_token_hash", String(64)),
    # Where an imported comment came from ("disqus:123"), and its parent's
    # reference in the same form: re-importing a file finds what it already
    # wrote, and parents that arrive after their replies are linked by SQL.
    Column("source_ref", String(200)),
    Column("source_parent_ref", String(200)),
    # A digest of the source record as last imported: a newer export updates
    # a comment only where the source itself changed it.
    Column("source_digest", String(32)),
    # Moderation: the toxicity score, the decision with its reasons, whether
    # moderators featured it, and a fingerprint of the text for spotting
    # repeats and raids.
    Column("toxicity", Float),
    Column("moderation", JSON),
    Column("featured", Boolean, nullable=False, default=False),
    Column("shadowed", Boolean, nullable=False, default=False),
    Column("fingerprint", String(16)),
    # The signed-in reader who wrote it (single sign-on or an emailed link);
    # verified comments show a badge and their author's name is reserved.
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="SET NULL")),
    Column("verified", Boolean, nullable=False, default=False),
    Column("author_avatar", String(500)),
    Index(None, "thread_id", "depth", "visible", "rank", "id"),
    Index(None, "thread_id", "depth", "visible", "created_at", "id"),
    Index(None, "root_id", "chain_pos", "depth"),
    Index(None, "parent_id", "sibling_pos"),
    Index(None, "site_id", "created_at"),
    Index(None, "site_id", "source_ref", unique=True),
    Index(None, "site_id", "status", "created_at"),
    Index(None, "site_id", "author_key", "created_at"),
    Index(None, "site_id", "ip_hash", "created_at"),
    Index(None, "site_id", "fingerprint", "created_at"),
    Index(None, "reader_id", "created_at"),
    Index(None, "site_id", "author_email"),
)

votes = Table(
    "votes",
    metadata,
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True),
    Column("voter_key", String(64), primary_key=True),
    Column("value", SmallInteger, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("email", String(254)),
    Column("password_hash", String(255)),
    Column("role", String(16), nullable=False),  # admin or moderator
    Column("created_at", UTCDateTime, nullable=False),
    Column("failed_logins", Integer, nullable=False, default=0),
    Column("locked_until", UTCDateTime),
    Column("disabled", Boolean, nullable=False, default=False),
    # Mail about comments held for review: off, immediate, or an hourly digest.
    Column("notify_held", String(16), nullable=False, default="off"),
    # Accounts granted through a site's single sign-on ("sso:<site id>:<subject>").
    Column("external_ref", String(300), unique=True),
)

# Failed logins under names that are no account (keyed by a digest of the name):
# they lock like an account's, so a lockout does not reveal which names exist.
login_failures = Table(
    "login_failures",
    metadata,
    Column("name_key", String(64), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("last_failed_at", UTCDateTime, nullable=False, index=True),
)

# Which sites a moderator may moderate; admins moderate every site.
user_sites = Table(
    "user_sites",
    metadata,
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)

admin_sessions = Table(
    "admin_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
)

# The ladder of sanctions against an author, matched by any of the keys given.
sanctions = Table(
    "sanctions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("author_key", String(64)),
    Column("email", String(254)),
    Column("ip_hash", String(64)),
    Column("user_id", Id),
    Column("reason", Text, nullable=False),
    Column("created_by", Id, ForeignKey("users.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime),
    Column("lifted_at", UTCDateTime),
    Column("lifted_by", Id, ForeignKey("users.id")),
    Index(None, "site_id", "author_key"),
    Index(None, "site_id", "ip_hash"),
    Index(None, "site_id", "email"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("reporter_key", String(64), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("note", Text),
    Column("weight", Float, nullable=False, default=1.0),
    Column("created_at", UTCDateTime, nullable=False),
    Column("outcome", String(16)),  # upheld or dismissed, once a moderator decides
    Column("resolved_at", UTCDateTime),
    UniqueConstraint("comment_id", "reporter_key"),
    Index(None, "site_id", "outcome", "created_at"),
    Index(None, "reporter_key", "outcome"),
)

comment_revisions = Table(
    "comment_revisions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("comment_id", Id, ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("body_source", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("edited_by", Id, ForeignKey("users.id")),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "comment_id", "created_at"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE")),
    Column("actor_id", Id, ForeignKey("users.id")),
    Column("action", String(32), nullable=False),
    Column("target_type", String(16)),
    Column("target_id", String(64)),
    Column("reason", Text),
    Column("details", JSON),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "site_id", "created_at"),
)

# Changes readers should see live, kept for a bounded time so that a reader
# who reconnects (Last-Event-ID) misses nothing.
events = Table(
    "events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("thread_id", Id, ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("comment_id", Id),
    Column("payload", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "thread_id", "id"),
    Index(None, "created_at"),
)


# Readers known to a site: through its single sign-on, or by an emailed
# sign-in link. Anonymous commenters have no row.
readers = Table(
    "readers",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("provider", String(8), nullable=False),  # sso or email
    Column("subject", String(254), nullable=False),  # the site's user id, or the email
    Column("display_name", String(64), nullable=False),
    # The name folded to what it looks like: reserved against lookalikes.
    Column("name_key", String(64), nullable=False),
    Column("avatar_url", String(500)),
    Column("email", String(254)),
    Column("roles", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("site_id", "provider", "subject"),
    Index(None, "site_id", "name_key"),
)

reader_sessions = Table(
    "reader_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("reader_id", Id, ForeignKey("readers.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "reader_id"),
)

# One-time links sent by email: signing in, or proving who one is to export
# or erase one's data. Only a hash of the token is kept.
email_links = Table(
    "email_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("display_name", String(64)),  # the name a reader signing in asked for
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Column("used_at", UTCDateTime),
    Index(None, "site_id", "email", "created_at"),
)

# Readers who asked (and confirmed, double opt-in) to be mailed replies.
subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("email", String(254), nullable=False),
    Column("language", String(8), nullable=False, default="en"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("confirm_sent_at", UTCDateTime),
    Column("confirmed_at", UTCDateTime),
    Column("unsubscribed_at", UTCDateTime),
    UniqueConstraint("site_id", "email"),
)

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE"), nullable=False),
    Column("url", String(2048), nullable=False),
    Column("secret", String(128), nullable=False),
    Column("events", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

# Mails and webhook deliveries, written in the same transaction as what
# caused them and sent by a background worker: an outage delays them, a crash
# loses none, and the dedupe key keeps one event from reaching anyone twice.
outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("site_id", Id, ForeignKey("sites.id", ondelete="CASCADE")),
    Column("channel", String(8), nullable=False),  # mail or webhook
    Column("kind", String(32), nullable=False),
    Column("dedupe_key", String(300), nullable=False, unique=True),
    # Messages with the same group key that are still waiting are merged into
    # one (a digest of several replies, or of several held comments).
    Column("group_key", String(300)),
    Column("recipient", String(2048), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("status", String(8), nullable=False),  # pending, sent, dead
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("locked_until", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("last_status", Integer),
    Column("last_error", Text),
    Index(None, "status", "next_attempt_at"),
    Index(None, "group_key", "status"),
    Index(None, "site_id", "channel", "created_at"),
)
