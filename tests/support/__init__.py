"""What the tests share: servers and databases, who they act as, records made through the
API, page helpers, and the fixtures (loaded through ``pytest_plugins`` in tests/conftest.py).
Test modules import from here, never from each other or from a conftest
(tests/test_architecture.py checks it)."""
