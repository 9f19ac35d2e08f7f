"""Members: the rules (invite, re-role, remove, never the last Admin) and their page."""
