"""Writing comments: create, edit, delete and vote, each in one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Connection

from rostra.domain import policy, text
from rostra.domain.markdown import render_markdown
from rostra.domain.policy import SiteRules, Status, is_closed
from rostra.domain.ranking import wilson_lower_bound
from rostra.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused, TooLarge
from rostra.identity.readers import check_name_free
from rostra.identity.settings import Anonymous, IdentitySettings
from rostra.moderation.decision import Decision, Refusal, Verdict
from rostra.moderation.pipeline import History, Pipeline
from rostra.moderation.settings import ModerationSettings
from rostra.moderation.submission import Submission
from rostra.moderation.wordlist import fingerprint
from rostra.notify import events as notify_events
from rostra.service.identity import Hasher, edit_token_matches, hash_token, new_edit_token
from rostra.service.pages import record_json
from rostra.service.sites import site_rules
from rostra.service.threads import canonical_url, thread_key
from rostra.service.visibility import change_status
from rostra.store import audit as audit_store
from rostra.store import comments as comment_store
from rostra.store import events as event_store
from rostra.store import moderation as moderation_store
from rostra.store import placement
from rostra.store import sites as site_store
from rostra.store import threads as thread_store
from rostra.store import votes as vote_store
from rostra.store.comments import CommentRecord
from rostra.store.database import Database
from rostra.store.readers import ReaderRow
from rostra.store.sites import SiteRow


@dataclass(frozen=True)
class Client:
    """Who is asking, as far as an anonymous web request tells."""

    ip: str
    user_agent: str
    origin: str | None = None
    reader: ReaderRow | None = None  # signed in (single sign-on or an emailed link)

    def voter_key(self, hasher: Hasher) -> str:
        """Signed-in readers are one voter and author on every device."""
        if self.reader is not None:
            return f"r:{self.reader.id}"
        return hasher.voter_key(self.ip, self.user_agent)


@dataclass(frozen=True)
class NewComment:
    site: str
    body: str
    name: str
    thread_key: str | None = None
    thread_url: str | None = None
    thread_title: str | None = None
    parent_id: int | None = None
    email: str | None = None
    website: str | None = None
    form_token: str | None = None
    honeypot: str | None = None
    confirmed: bool = False
    notify_replies: bool = False  # mail replies (double opt-in), needs the email


@dataclass(frozen=True)
class Created:
    comment: CommentRecord
    edit_token: str
    thread_key: str
    site: SiteRow


def _now() -> datetime:
    return datetime.now(UTC)


def _clean_body(body: str, rules: SiteRules) -> str:
    cleaned = text.clean_body(body)
    if not cleaned:
        raise InvalidInput("body_empty", "The comment is empty.")
    if len(cleaned) > rules.max_body_chars:
        raise TooLarge(
            "body_too_long",
            f"The comment has {len(cleaned)} characters; this site allows {rules.max_body_chars}.",
        )
    return cleaned


def _clean_author(new: NewComment, reader: ReaderRow | None) -> tuple[str, str | None, str | None]:
    """A signed-in reader comments under the name and email they signed in with."""
    try:
        website = text.clean_website(new.website)
        if reader is not None:
            return reader.display_name, reader.email or text.clean_email(new.email), website
        return text.clean_name(new.name), text.clean_email(new.email), website
    except text.InvalidText as exc:
        raise InvalidInput(exc.code, exc.message) from None


def _check_anonymous(identity: IdentitySettings, reader: ReaderRow | None, site: SiteRow) -> None:
    if reader is not None and reader.site_id != site.id:
        raise Forbidden("other_site_session", "You are signed in to another site; sign in here.")
    if reader is None and identity.anonymous == Anonymous.FORBIDDEN:
        raise Forbidden("sign_in_required", "Please sign in to comment on this site.")


def create_comment(
    db: Database, hasher: Hasher, new: NewComment, client: Client, pipeline: Pipeline | None = None
) -> Created:
    """Store a comment, published or held as the moderation pipeline decides.

    Without a pipeline (imports, the demo) the comment is published as is.
    """
    key = thread_key(new.thread_key, new.thread_url)
    url = canonical_url(new.thread_url) if new.thread_url else None
    title = text.clean_title(new.thread_title)
    reader = client.reader
    # One read transaction for everything the database says before writing:
    # the site, its rules and the moderation pipeline's look at recent history.
    with db.read() as conn:
        site = _writable_site(conn, new.site, client)
        submission, history = _check(conn, hasher, pipeline, new, client, site, key)
    decision = _judge(pipeline, submission, history)
    token = new_edit_token()
    now = submission.now
    values = _row(site, submission, decision, hash_token(token), reader, pipeline)
    # Everything above runs before the write transaction, so the database
    # (on SQLite, the whole file) is locked only for the few statements below.
    with db.write() as conn:
        if reader is None:
            check_name_free(conn, site.id, submission.author_name)
        thread = thread_store.ensure_thread(conn, site.id, key, title, url, now)
        _check_open(thread.policy, thread.created_at, submission.settings, now)
        parent = _parent(conn, thread.id, new.parent_id)
        values.update(thread_id=thread.id, **_lineage(parent))
        comment_id = comment_store.insert_comment(conn, values)
        record = CommentRecord(
            id=comment_id, **{f: values[f] for f in CommentRecord.__dataclass_fields__ if f != "id"}
        )
        if record.visible:
            event_store.append(conn, thread.id, "comment", record.id, record_json(record), now)
        notify_events.comment_created(conn, record, now, subscribe=new.notify_replies)
        _after_raid(conn, site.id, thread.id, decision, now)
        record = _take_place(conn, record, parent, now)
    return Created(record, token, key, site)


def _check(
    conn: Connection, hasher: Hasher, pipeline: Pipeline | None, new: NewComment,
    client: Client, site: SiteRow, key: str,
) -> tuple[Submission, History | None]:  # fmt: skip
    """Clean the comment and run the moderation checkers that read the database."""
    reader = client.reader
    identity = IdentitySettings.of_site(site.settings)
    _check_anonymous(identity, reader, site)
    name, email, website = _clean_author(new, reader)
    body = _clean_body(new.body, site_rules(site))
    now = _now()
    author_key = client.voter_key(hasher)
    ip_hash = hasher.ip_hash(client.ip)
    submission = Submission(
        site_id=site.id, thread_id=None, thread_policy=None,
        settings=ModerationSettings.of_site(site.settings), body=body, author_name=name,
        email=email, website=website, author_key=author_key, ip_hash=ip_hash,
        fingerprint=fingerprint(body), now=now, form_token=new.form_token,
        honeypot=new.honeypot, confirmed=new.confirmed, signed_in=reader is not None,
        premoderate_anonymous=identity.anonymous == Anonymous.PREMODERATED,
    )  # fmt: skip
    return _review_history(conn, pipeline, submission, key)


def _row(
    site: SiteRow, sub: Submission, decision: Decision, token_hash: str,
    reader: ReaderRow | None, pipeline: Pipeline | None,
) -> dict:  # fmt: skip
    """The new comment's columns, all but where it sits in the thread."""
    status = _STATUS_FOR[decision.verdict]
    return dict(
        site_id=site.id, status=status, visible=status == Status.PUBLISHED and not decision.shadowed,
        author_name=sub.author_name, author_email=sub.email, author_website=sub.website,
        author_key=sub.author_key, ip_hash=sub.ip_hash,
        body_source=sub.body, body_html=render_markdown(sub.body), created_at=sub.now,
        edited_at=None, edit_token_hash=token_hash, upvotes=0, downvotes=0, rank=0.0,
        child_seq=0, reply_count=0, shadowed=decision.shadowed, featured=False,
        toxicity=decision.toxicity, moderation=decision.as_json(sub.body) if pipeline else None,
        fingerprint=sub.fingerprint, reader_id=reader.id if reader else None,
        verified=reader is not None, author_avatar=reader.avatar_url if reader else None,
    )  # fmt: skip


_STATUS_FOR = {
    Verdict.PUBLISH: Status.PUBLISHED.value,
    Verdict.HOLD: Status.PENDING.value,
    Verdict.REJECT: Status.REJECTED.value,
}


def _review_history(
    conn: Connection, pipeline: Pipeline | None, submission: Submission, key: str
) -> tuple[Submission, History | None]:
    if pipeline is None:
        return submission, None
    thread_id, thread_policy, opened_at = moderation_store.thread_policy(
        conn, submission.site_id, key
    )
    _check_open(thread_policy, opened_at, submission.settings, submission.now)
    submission = replace(submission, thread_id=thread_id, thread_policy=thread_policy)
    with _refusals_as_errors():
        return submission, pipeline.review_history(conn, submission)


def _check_open(
    thread_policy: str | None, opened_at: datetime | None, settings: ModerationSettings,
    now: datetime,
) -> None:  # fmt: skip
    if is_closed(thread_policy, opened_at, settings.close_after_days, now):
        raise Forbidden("thread_closed", "Comments on this story are closed.")


def _judge(pipeline: Pipeline | None, submission: Submission, history: History | None) -> Decision:
    if pipeline is None or history is None:
        return Decision(Verdict.PUBLISH)
    with _refusals_as_errors():
        return pipeline.judge(submission, history)


@contextmanager
def _refusals_as_errors() -> Iterator[None]:
    try:
        yield
    except Refusal as refusal:
        raise Refused(refusal.status, refusal.code, refusal.message, refusal.details) from None


def _take_place(
    conn: Connection, record: CommentRecord, parent: CommentRecord | None, now: datetime
) -> CommentRecord:
    """Give the new comment its position among its siblings and count it if visible.

    Done last, just before commit: this locks the thread's row (or the
    parent's), which every post to the same thread (or reply to the same
    comment) needs, so on PostgreSQL they wait for each other only this long.
    Its parent is visible (checked when placing it), so no tombstone above it
    changes; held and shadowed comments are counted when they are approved.
    """
    if parent is None:
        position = placement.place_root(
            conn, record.thread_id, record.id, counted=record.visible, at=now
        )
        return replace(record, sibling_pos=position, chain_pos=0)
    position, chain = placement.place_reply(
        conn, record.thread_id, parent, record.id, counted=record.visible, at=now
    )
    return replace(record, sibling_pos=position, chain_pos=chain)


def _after_raid(
    conn: Connection, site_id: int, thread_id: int, decision: Decision, now: datetime
) -> None:
    """A raid switches its thread to full pre-moderation and tells the moderators."""
    raid = next((reason for reason in decision.reasons if reason.code == "raid"), None)
    if raid is None:
        return
    moderation_store.set_thread_policy(conn, thread_id, "all")
    audit_store.record(
        conn, site_id=site_id, actor_id=None, action="raid_detected", target_type="thread",
        target_id=str(thread_id), reason=raid.message, details={"policy": "all"}, now=now,
    )  # fmt: skip


def _writable_site(conn: Connection, name: str, client: Client) -> SiteRow:
    site = site_store.require_site(conn, name)
    check_origin(site.origins, client.origin)
    return site


def _parent(conn: Connection, thread_id: int, parent_id: int | None) -> CommentRecord | None:
    """The comment replied to, which must be in the same thread and take replies."""
    if parent_id is None:
        return None
    parent = comment_store.comment_by_id(conn, parent_id)
    if parent is None or not policy.can_take_replies(parent.status, parent.visible):
        raise NotFound(
            "unknown_parent", f"Comment {parent_id} does not exist or cannot take replies."
        )
    if parent.thread_id != thread_id:
        raise InvalidInput(
            "parent_in_other_thread", f"Comment {parent_id} belongs to another thread."
        )
    return parent


def _lineage(parent: CommentRecord | None) -> dict:
    """Where a new comment hangs in the tree; its sibling position comes last (_take_place)."""
    if parent is None:
        return dict(parent_id=None, root_id=None, depth=0, sibling_pos=0, chain_pos=0)
    return dict(
        parent_id=parent.id,
        root_id=parent.root_id or parent.id,
        depth=parent.depth + 1,
        sibling_pos=0,
        chain_pos=0,
    )


def check_origin(allowed: list[str], origin: str | None) -> None:
    """Browsers always send Origin on writes; requests without one are not from a page."""
    if origin is not None and origin not in allowed:
        raise Forbidden(
            "origin_not_allowed", f"Writes from {origin} are not allowed for this site."
        )


def _authorised(
    conn: Connection, comment_id: int, token: str | None, client: Client
) -> tuple[CommentRecord, SiteRules]:
    comment = comment_store.comment_by_id(conn, comment_id, for_update=True)
    if comment is None or comment.status == Status.DELETED:
        raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
    site = site_store.site_by_id(conn, comment.site_id)
    check_origin(site.origins, client.origin)
    own = client.reader is not None and comment.reader_id == client.reader.id
    if not own and not edit_token_matches(token, comment.edit_token_hash):
        raise Forbidden(
            "bad_token", "The edit token is missing or does not belong to this comment."
        )
    rules = site_rules(site)
    if not policy.within_edit_window(comment.created_at, _now(), rules):
        minutes = rules.edit_window_seconds // 60
        raise Forbidden(
            "edit_window_closed", f"Comments can be changed for {minutes} minutes after posting."
        )
    return comment, rules


def edit_comment(
    db: Database, comment_id: int, token: str | None, body: str, client: Client
) -> CommentRecord:
    with db.write() as conn:
        comment, rules = _authorised(conn, comment_id, token, client)
        cleaned = _clean_body(body, rules)
        comment_store.update_comment(
            conn,
            comment.id,
            body_source=cleaned,
            body_html=render_markdown(cleaned),
            edited_at=_now(),
        )
        thread_store.record_change(conn, comment.thread_id)
        edited = comment_store.comment_by_id(conn, comment.id)
        notify_events.comment_event(conn, notify_events.EDITED, edited)
        if edited.visible:
            event_store.append(
                conn, edited.thread_id, "edit", edited.id, record_json(edited), _now()
            )
        return edited


def delete_comment(db: Database, comment_id: int, token: str | None, client: Client) -> bool:
    """Delete as the author; returns True when a tombstone stays for the replies."""
    with db.write() as conn:
        comment, _ = _authorised(conn, comment_id, token, client)
        return remove_comment(conn, comment)


def remove_comment(conn: Connection, comment: CommentRecord) -> bool:
    """Withdraw a comment from readers, keeping a tombstone while replies hang on it.

    The stored text is kept (nothing accepted is lost) but never served again.
    Returns whether a tombstone stays.
    """
    return change_status(conn, comment, Status.DELETED.value, edit_token_hash=None)


@dataclass(frozen=True)
class VoteResult:
    comment_id: int
    upvotes: int
    downvotes: int
    your_vote: int


def vote(db: Database, hasher: Hasher, comment_id: int, value: int, client: Client) -> VoteResult:
    if value not in (-1, 0, 1):
        raise InvalidInput("invalid_vote", "A vote is 1 (up), -1 (down) or 0 (withdraw).")
    voter = client.voter_key(hasher)
    with db.write() as conn:
        comment = comment_store.comment_by_id(conn, comment_id)
        if comment is None or not comment.visible:
            raise NotFound("unknown_comment", f"Comment {comment_id} does not exist.")
        check_origin(site_store.site_by_id(conn, comment.site_id).origins, client.origin)
        if comment.status != Status.PUBLISHED:
            raise Conflict("not_votable", "Removed comments cannot be voted on.")
        if comment.author_key == voter:
            raise Forbidden("own_comment", "You cannot vote on your own comment.")
        previous = vote_store.current_vote(conn, comment.id, voter)
        if previous == value:
            return VoteResult(comment.id, comment.upvotes, comment.downvotes, value)
        vote_store.set_vote(conn, comment.id, voter, value, _now())
        up, down = vote_store.apply_vote_totals(
            conn,
            comment.id,
            int(value == 1) - int(previous == 1),
            int(value == -1) - int(previous == -1),
        )
        comment_store.update_comment(conn, comment.id, rank=wilson_lower_bound(up, down))
        thread_store.record_change(conn, comment.thread_id)
        totals = {"id": comment.id, "upvotes": up, "downvotes": down, "score": up - down}
        event_store.append(conn, comment.thread_id, "vote", comment.id, totals, _now())
        return VoteResult(comment.id, up, down, value)
