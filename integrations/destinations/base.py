"""What every destination declares; issue-by-issue the SDK operations join this contract."""

from __future__ import annotations

from typing import Any, ClassVar


class Destination:
    kind: ClassVar[str]
    label: ClassVar[str]
    # Secrets this destination may hold; they are encrypted and never shown.
    secret_fields: ClassVar[tuple[str, ...]]
    # Config keys that say where and how files are written: changing one needs a new Verify.
    destination_fields: ClassVar[tuple[str, ...]]
    # Config keys shown on the integration page, in order.
    display_fields: ClassVar[tuple[str, ...]]

    @classmethod
    def destination_key(cls, config: dict[str, Any]) -> str:
        """Identity of the bucket/container, for the uniqueness rules."""
        raise NotImplementedError

    @classmethod
    def authorization_help(cls, config: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """Template context telling the admin how to grant ExportHub access."""
        return {}
