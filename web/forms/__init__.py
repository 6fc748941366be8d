"""The pages' forms, one module per domain as in ``web/pages``: what a person typed, turned
into the API's body, with what the page can tell at once beside the fields. Shared by all:
``sending`` turns the API's refusal back into messages beside the same fields, and
``period`` reads a first and a last day. Plain functions, no requests."""
