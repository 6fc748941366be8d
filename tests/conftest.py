"""The suite's fixtures live in tests/support/ and are loaded here, the one conftest: pytest
takes ``pytest_plugins`` from the root conftest only, and no test imports a conftest."""

pytest_plugins = ["tests.support.fixtures", "tests.support.chromium", "tests.support.oidc"]
