"""Property-based tests of the JSON API from its own OpenAPI schema (schemathesis): no server errors and
responses that match the schema, as a user with an API token and as a visitor."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.conftest import make_user

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def token(app):
    """A bearer token for a fresh candidate."""
    from web.services.tokens import create_token
    from web.services.users import get_by_id

    user_id = make_user(app, "schema@example.com")
    with app.state.write_db.begin() as db:
        return create_token(db=db, user=get_by_id(db=db, user_id=user_id), name="schemathesis")


def _operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/v1/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    return operations


def _run(operation, check, examples):
    # schemathesis's own pytest plugin does not load under this pytest; drive Hypothesis directly.
    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        check(case)

    run()


def test_api_conforms_for_a_user(app, token):
    for operation in _operations(app):
        _run(operation, lambda case: case.call_and_validate(headers={"Authorization": f"Bearer {token}"}), EXAMPLES_PER_OPERATION)


def test_api_never_errors_for_a_visitor(app):
    def check(case):
        response = case.call()
        assert response.status_code < 500, (case.method, case.formatted_path, response.status_code)

    for operation in _operations(app):
        _run(operation, check, EXAMPLES_PER_OPERATION // 2)
