"""Integrations: destinations, their configs, forms, views and Verify."""
