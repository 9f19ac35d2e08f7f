"""REST API plumbing shared by the apps: API-key authentication, roles, the schema."""
