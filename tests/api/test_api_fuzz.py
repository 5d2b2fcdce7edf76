"""Generated requests for every operation in the OpenAPI description: none may
make the server fail. Whatever a client sends, the answer is a clear 4xx or a
success, never a 500, and its status is one the description lists for that
operation (clients generated from it must expect what the server sends)."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# The event stream answers forever; its inputs are covered in test_api_errors.
ENDLESS = ("/api/v1/threads/{thread_id}/events",)


def _operations(api) -> list:
    schema = schemathesis.openapi.from_dict(api.get("/api/v1/openapi.json").json())
    found = [result.ok() for result in schema.get_all_operations()]
    return [operation for operation in found if operation.path not in ENDLESS]


def _aimed(case, existing_id: int):
    """The case with its site and ids naming things that exist, so it gets past
    the lookups into the code behind them."""
    for name in case.path_parameters or {}:
        case.path_parameters[name] = "news" if name == "site" else existing_id
    for part in (case.query, case.body):
        if isinstance(part, dict) and "site" in part:
            part["site"] = "news"
    if case.operation.path == "/api/v1/threads" and isinstance(case.query, dict):
        # A random cursor or URL only ever meets its own check: name the thread instead.
        case.query.pop("cursor", None)
        case.query.pop("url", None)
        case.query["key"] = "k"
    return case


def test_no_generated_request_makes_the_server_fail(api):
    posted = api.post(
        "/api/v1/comments",
        json={"site": "news", "thread": {"key": "k"}, "author": {"name": "Ana"}, "body": "hi"},
    )
    existing_id = posted.json()["comment"]["id"]
    operations = _operations(api)
    assert len(operations) > 15  # the description lists the API, not just a few routes
    failures: list[str] = []
    for operation in operations:
        cases = st.tuples(operation.as_strategy(), st.booleans()).map(
            lambda pair: _aimed(pair[0], existing_id) if pair[1] else pair[0]
        )

        @given(case=cases)
        @settings(
            max_examples=40,
            derandomize=True,  # the same cases every run: a failure here is a bug, not luck
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def request_it(case) -> None:
            sent = case.as_transport_kwargs(base_url="http://testserver")
            cookies = sent.pop("cookies", None)  # sent as a header: the client keeps none
            if cookies:
                cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
                sent["headers"] = {**(sent.get("headers") or {}), "Cookie": cookie}
            answer = api.request(**sent)
            documented = case.operation.definition.raw["responses"]
            if answer.status_code >= 500 or str(answer.status_code) not in documented:
                failures.append(f"{case.as_curl_command()} -> {answer.status_code}")

        request_it()
    assert not failures, "\n".join(failures[:10])
