"""The two-level category taxonomy of incidents. A code never changes meaning."""
