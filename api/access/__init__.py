"""Who may see and do what: the whole policy in policy.py."""
