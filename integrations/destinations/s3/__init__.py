"""Amazon S3: connection, policy, form, validators and Verify steps of one cloud."""

from .destination import S3Destination

__all__ = ["S3Destination"]
