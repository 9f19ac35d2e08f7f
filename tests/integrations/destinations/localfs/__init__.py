"""A test-only fourth cloud, built from this folder alone: files in a local folder."""
