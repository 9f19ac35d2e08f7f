"""Tenancy core: tenants, users, memberships and roles, and how a request finds its tenant."""
