"""Webhooks: signed event deliveries (Standard Webhooks) and Slack messages, per integration."""
