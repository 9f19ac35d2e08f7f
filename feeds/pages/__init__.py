"""What the feeds app shows on the integration pages: run history, charts, dashboard figures."""
