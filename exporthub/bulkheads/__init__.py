"""Per-tenant places in the work classes that wait on tenants' servers (docs/operations.md)."""
