"""A durable outbox for notification emails: stored with the change that causes them, sent by
workers with retries until the mail server takes them (docs/exports.md, "Notifications")."""
