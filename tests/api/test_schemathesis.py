"""Property-based: every route of the OpenAPI schema, with generated valid and invalid
input, answers without a 5xx and within its own schema, on the demo data. New routes are
covered by themselves: the operations come from the app's own schema."""

from __future__ import annotations

import copy
from typing import Any, get_args

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from pydantic_core.core_schema import ErrorType
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.support.openapi import app_schema
from tests.support.people import ADMIN_EMAIL, Demo, make_admin
from tests.support.servers import Server

MAX_EXAMPLES = 15
# Pydantic's own error types, and the generic one of our validators: each is a rule the
# OpenAPI schema can and should state.
SCHEMA_ERRORS = set(get_args(ErrorType)) | {"value_error"}


OPENAPI = app_schema()
schema = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI))
# Negative cases (every wrong type, every bound crossed, for every field: three in four of
# the cases) are refused by the schema's validation before any query, so SQLite answers for
# them: an input the API takes against its schema is caught there (negative_data_rejection)
# whichever database stands behind. The positive ones reach each database.
ONLY_POSITIVE = SchemathesisConfig.from_dict({"generation": {"mode": "positive"}})
positive = schemathesis.openapi.from_dict(copy.deepcopy(OPENAPI), config=ONLY_POSITIVE)
SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)


@schemathesis.check
def schema_valid_input_passes_validation(ctx: Any, response: Any, case: Any) -> bool | None:
    """Input the schema calls valid may still break a rule of the domain that JSON Schema
    cannot state (an unknown id in the body, an unclosed polygon ring): a 422 with the rule's
    own code. What it must never get is a plain schema error (missing, too long, a value
    error): that would mean the schema promises something the API does not take."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    codes = {error["code"] for error in response.json().get("errors", [])}
    assert not codes & SCHEMA_ERRORS, (
        f"schema-valid input refused by a rule the schema does not state: {response.text}"
    )
    return None


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
@schema.parametrize()
@SETTINGS
def test_api_conforms_to_its_schema(case: Any, server: Server, demo: Demo) -> None:
    _call(case, server)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@positive.parametrize()
@SETTINGS
def test_api_takes_what_its_schema_allows(case: Any, server: Server, demo: Demo) -> None:
    _call(case, server)


def _call(case: Any, server: Server) -> None:
    # A fresh administrator's session for every case: a case may sign out, end sessions or
    # change the password, and the next must still be signed in.
    make_admin(server.database)
    token = server.token_for(ADMIN_EMAIL)
    case.call_and_validate(
        base_url=server.url,
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_input_passes_validation],
    )
