"""Google Cloud Storage: connection, form, validators (bucket, key file) of one cloud."""

from .destination import GCSDestination

__all__ = ["GCSDestination"]
