"""The pages, one module per domain as in ``api/``: each an ``APIRouter`` with module-level
handlers, which ``web.app`` includes. A handler reads its form (``web.forms``), asks the API
through ``visit.api``, and answers with ``web.rendering``."""
