"""Feeds: event data, file formats, export runs, manifests and schedules."""
