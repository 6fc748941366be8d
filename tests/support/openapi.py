"""The API's OpenAPI schema as the tests that walk every route read it: from the app itself,
so a new route is covered without being named."""

from __future__ import annotations

import copy
from typing import Any

from api.app import create_api_app
from api.db import Database
from api.settings import Settings


def app_schema() -> dict[str, Any]:
    # The schema does not depend on the database; an engine is made but never connected.
    database = Database.from_url("sqlite://")
    try:
        app = create_api_app(Settings(env="dev", database_url="sqlite://"), database)
        schema = copy.deepcopy(app.openapi())
    finally:
        database.dispose()
    # Every case is sent signed in as an administrator (tests/api/test_schemathesis.py): the
    # input is under test there, and who may call what is the permission matrix's
    # (test_permissions.py). With the security requirements left in, schemathesis would also
    # send a token where the schema asks for none and expect a refusal.
    for operations in schema["paths"].values():
        for operation in operations.values():
            operation.pop("security", None)
    return schema
