"""Generated forms and addresses for every page of /admin: whatever a logged-in
moderator's browser (or a hand-made request) sends, the answer is a page, a
redirect or a clear 4xx, never a 500."""

from admin_support import hold
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FIELDS = (
    "action", "body", "next", "reason", "ids", "match", "notify_held", "email", "url", "events",
    "hours", "ip_hash", "author_key", "site", "kind", "origins", "premoderation", "trusted_after",
    "banned_words", "suspect_words", "max_links", "blocked_domains", "min_seconds_to_post",
    "posts_per_minute", "duplicate_window_minutes", "raid_authors", "hold_threshold",
    "reject_threshold", "think_again", "think_again_threshold", "report_threshold",
    "toxicity_model",
)  # fmt: skip

# Values that are wrong in the ways people and tools get them wrong.
ODD = st.sampled_from(
    ["", " ", "0", "-1", "1e9", "nan", "99999999999999999999", "²", "news", "x" * 5000,
     "https://evil.example", "//evil.example", "javascript:alert(1)", "ban", "approve", "24",
     "on", "all", "a\\nb", "<script>", "😀", "ip", "email", "account"]
)  # fmt: skip
VALUES = st.one_of(ODD, st.text(max_size=40))
FORMS = st.dictionaries(st.sampled_from(FIELDS), st.lists(VALUES, min_size=1, max_size=3))

POSTS = (
    "/admin/comments/{id}/approve", "/admin/comments/{id}/reject", "/admin/comments/{id}/ban",
    "/admin/comments/{id}/edit", "/admin/comments/{id}/sanction", "/admin/comments/{id}/feature",
    "/admin/bulk", "/admin/undo", "/admin/account", "/admin/sites/news/webhooks",
    "/admin/sites/news/webhooks/1/delete", "/admin/sanctions", "/admin/sanctions/1/lift",
    "/admin/sites/news/settings",
)  # fmt: skip
GETS = (
    "/admin/queue/held", "/admin/queue/reported", "/admin/queue/nope", "/admin/comments/{id}",
    "/admin/audit", "/admin/metrics", "/admin/sanctions", "/admin/sites",
    "/admin/sites/news/settings", "/admin/sites/news/webhooks", "/admin/account",
)  # fmt: skip
QUERY = st.dictionaries(st.sampled_from(("page", "site", "action", "all", "next")), VALUES)

SETTINGS = settings(
    max_examples=60,
    derandomize=True,  # the same cases every run: a failure here is a bug, not luck
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def test_no_generated_form_makes_the_admin_fail(ctx, as_admin):
    comment_id = hold(ctx, "Held for the fuzzer", reasons=[("words", "s", "x")])
    failures: list[str] = []

    @given(path=st.sampled_from(POSTS), form=FORMS)
    @SETTINGS
    def post_it(path, form) -> None:
        fields = [(name, value) for name, values in form.items() for value in values]
        address = path.format(id=comment_id)
        answer = as_admin.post(address, dict(fields), as_json=True)
        if answer.status_code >= 500:
            failures.append(f"POST {address} {fields!r} -> {answer.status_code}")

    @given(path=st.sampled_from(GETS), query=QUERY)
    @SETTINGS
    def get_it(path, query) -> None:
        address = path.format(id=comment_id)
        answer = as_admin.get(address, params=query)
        if answer.status_code >= 500:
            failures.append(f"GET {address} {query!r} -> {answer.status_code}")

    post_it()
    get_it()
    assert not failures, "\n".join(failures[:10])
