"""Validators for integration fields; each raises ValidationError with a message for the field."""
