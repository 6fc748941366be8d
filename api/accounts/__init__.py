"""Users, their memberships in groups, sign-in sessions and service tokens."""
