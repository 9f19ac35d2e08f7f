"""Azure Blob Storage: connection, form, validators (account, container, SAS token)."""

from .destination import AzureBlobDestination

__all__ = ["AzureBlobDestination"]
