"""Small builders shared by the tests."""

from rostra.service.comments import Client, NewComment, create_comment

AUTHOR = Client(ip="192.0.2.10", user_agent="pytest-author")


def reader(number: int) -> Client:
    return Client(ip=f"198.51.100.{number}", user_agent="pytest-reader")


def post(
    db, hasher, body="Hello", *, parent=None, name="Ana", key="article-1", client=AUTHOR, **extra
):
    new = NewComment(site="news", body=body, name=name, thread_key=key, parent_id=parent, **extra)
    return create_comment(db, hasher, new, client)
