"""The doors of integrations: tenant pages (views.py, pages.py, urls.py) and the REST API
(api.py, serializers.py)."""
