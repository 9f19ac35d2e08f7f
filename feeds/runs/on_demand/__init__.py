"""Runs an Admin asks for: a backfill of a past range, an hour exported again, and the cap on
how many of them one tenant may have waiting."""
