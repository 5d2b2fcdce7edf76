"""Request and response bodies, as documented in the OpenAPI description."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from rostra.domain import text
from rostra.domain.numbers import STORED_INT_MAX


class Strict(BaseModel):
    """A request body: unknown fields and text that is not Unicode are refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _whole_characters(cls, value: object) -> object:
        # JSON may escape a NUL ("\u0000") or half of a surrogate pair
        # ("\ud800"), which no text column can store.
        if isinstance(value, str) and not text.is_storable(value):
            raise ValueError("Text must not contain NUL characters or unpaired surrogate escapes")
        return value


class ThreadRef(Strict):
    key: str | None = Field(None, description="Stable id chosen by the page (preferred)")
    url: str | None = Field(
        None, description="Page URL; normalised into the key when no id is given"
    )
    title: str | None = Field(
        None, description="Article title, stored on the thread's first comment"
    )


class AuthorIn(Strict):
    name: str = Field(description="Display name, 1-64 characters")
    email: str | None = Field(None, description="Never shown or returned by public endpoints")
    website: str | None = Field(None, description="http or https URL")


class CommentIn(Strict):
    site: str
    thread: ThreadRef
    parent: int | None = Field(
        None, ge=1, le=STORED_INT_MAX, description="Id of the comment replied to"
    )
    author: AuthorIn | None = Field(
        None, description="Required unless signed in (Authorization: Bearer <session>)"
    )
    body: str = Field(description="Markdown source")
    form_token: str | None = Field(None, description="From GET /form-token when the form was shown")
    homepage: str | None = Field(None, description="Leave empty: a field hidden from people")
    confirm: bool = Field(False, description="Post even after a think-again nudge")
    notify: bool = Field(
        False, description="Mail me replies (needs the author's email; confirmed by a mailed link)"
    )


class EditIn(Strict):
    body: str


class VoteIn(Strict):
    value: Literal[-1, 0, 1] = Field(description="1 up, -1 down, 0 withdraws the vote")

    @field_validator("value", mode="before")
    @classmethod
    def _a_whole_number(cls, value: object) -> object:
        # Lax validation would take true as 1 and 1.0 as 1: a client bug, not a vote.
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("Input should be -1, 0 or 1")
        return value


class PreviewIn(Strict):
    body: str


class AuthorOut(BaseModel):
    name: str
    website: str | None
    verified: bool = Field(False, description="Signed in: the name is the reader's own")
    avatar: str | None = None


class CommentOut(BaseModel):
    id: int
    parent: int | None
    depth: int
    removed: bool
    author: AuthorOut | None
    html: str
    created: str
    edited: str | None
    upvotes: int
    downvotes: int
    score: int
    reply_count: int
    featured: bool
    replies: list["CommentOut"]
    more_replies: int
    replies_cursor: str | None


class ThreadOut(BaseModel):
    id: int | None = Field(description="For live updates: /threads/{id}/events")
    key: str
    title: str | None
    url: str | None
    count: int
    top_level: int
    closed: bool = Field(description="No new comments or replies are taken")


class PageOut(BaseModel):
    thread: ThreadOut
    sort: Literal["best", "newest", "oldest"]
    comments: list[CommentOut]
    more: int = Field(description="Top-level comments after this page")
    cursor: str | None = Field(description="Pass as `cursor` to get the next page")


class RepliesOut(BaseModel):
    parent: int
    replies: list[CommentOut]
    more: int
    cursor: str | None


class OwnCommentOut(BaseModel):
    comment: CommentOut
    source: str = Field(description="The Markdown source, for editing")
    status: str
    thread: str = Field(description="The thread's key")
    edit_token: str | None = Field(None, description="Secret needed to edit or delete; shown once")
    editable_until: str


class VoteOut(BaseModel):
    id: int
    upvotes: int
    downvotes: int
    score: int
    your_vote: int


class CountsOut(BaseModel):
    counts: dict[str, int]


class PreviewOut(BaseModel):
    html: str


class ErrorOut(BaseModel):
    error: str
    message: str


class FormTokenOut(BaseModel):
    token: str
    min_seconds: int


class SsoSignInIn(Strict):
    site: str
    token: str = Field(description="The JWT the host site signed for this reader")


class EmailLinkIn(Strict):
    site: str
    email: str
    name: str | None = Field(None, description="For sign-in: the name to comment under")
    return_url: str | None = Field(
        None, description="For sign-in: the article page the link leads back to"
    )


class RedeemIn(Strict):
    token: str = Field(description="From the emailed link")


class ReaderOut(BaseModel):
    id: int
    name: str
    avatar: str | None
    email: str | None = Field(description="Shown only to the reader themself")
    provider: Literal["sso", "email"]
    roles: list[str]
    verified: bool


class SessionOut(BaseModel):
    session: str = Field(description="Send as `Authorization: Bearer <session>`")
    expires: str
    reader: ReaderOut
