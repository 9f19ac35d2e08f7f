"""An integration's life: saving and deleting it (services.py), its states (state.py), the
uniqueness of its paths (uniqueness.py), expiring credentials (expiry.py), the emails its
contacts receive (notifications.py) and the signals other apps follow (signals.py)."""
