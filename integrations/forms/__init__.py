"""The forms of integrations: the fields every integration shares (`base.py`, the contract a
cloud's form.py extends), its widgets, and each registered cloud's form by kind
(`registry.py`). Nothing here imports a cloud's form on import, so a cloud's form.py may be the
first module a process imports."""
