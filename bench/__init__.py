"""Benchmarks and generated data; not part of `make test` (run `make bench`)."""
