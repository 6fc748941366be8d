"""SCIM 2.0 provisioning (RFC 7643/7644, #22): a municipality's directory makes, changes and
deactivates its people's accounts."""
