"""Verify: the cloud-neutral steps and plan (steps.py), starting and running one verification
(runs.py), and what to tell the admin to fix (hints.py)."""
