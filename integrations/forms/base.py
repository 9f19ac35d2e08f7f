"""Fields every integration has, the feed-dependent ones, and the seed-004 uniqueness rules."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.conf import settings

from exporthub.tenancy.models import Tenant

from ..catalog import (
    COLUMN_NAMES,
    COMPRESSION_CHOICES,
    FEEDS,
    FORMAT_COMPRESSIONS,
    FORMATS,
    FeedKind,
    compression_help,
    file_format,
)
from ..destinations.base import Destination
from ..fields import FEED_KEYS, LABELS
from ..filters import MAX_CONDITIONS, MAX_VALUES, FilterError, as_lines, clean_filters, filterable
from ..lifecycle.uniqueness import clash, where_clashing
from ..models import Integration
from ..paths import DEFAULT_LAYOUT, LAYOUTS
from ..validation import export_paths
from ..validation.contacts import clean_email_list

DEFAULT_FEED_PATH = "/feeds/%FEED_NAME%/%YEAR%/%MONTH%/%DAY%/%HOUR%/%TIMESTAMP%"
HELP = {
    "directory": "Where in the bucket the files go, e.g. /exports/clicks. Files land in "
    "folders of the chosen layout, named {YYYY-MM-DD-hh-mm}.csv.gz.",
    "layout": "Year/Month/Day: {Directory}/YYYY/MM/DD/ as before. Hive-style: "
    "{Directory}/dt=YYYY-MM-DD/hour=HH/, which Athena, BigQuery external tables and Spark read "
    "as partitions. A change applies to the windows exported after it.",
    "manifest_path": "Root for manifest files (e.g. /manifests). This path does not support "
    "macros. Do not create it by hand: ExportHub creates it.",
    "feed_path": "Feed path with macros: %FEED_NAME% %YEAR% %MONTH% %DAY% %HOUR% and the "
    "required %TIMESTAMP% (processing time), e.g. " + DEFAULT_FEED_PATH,
    "format": "Data format of the files; an Apache Iceberg table is written under the Table path "
    "instead, with no manifests.",
    "table_path": "Iceberg format only: the table's folder, e.g. /lake/clicks (metadata/ and "
    "data/ go below it). This path does not support macros.",
    "completion_manifests": "Also write a JSON manifest listing each window's file, once it is "
    "complete, under {Directory}/_manifests/ (never beside the files).",
    "compression": compression_help() + ".",
    "notification_emails": "Comma-separated list of emails. If ExportHub can no longer access "
    "your storage, the export is deactivated and these addresses are notified.",
}


# A form's filters text: the most conditions, each of the most values of a few characters.
MAX_TEXT = MAX_CONDITIONS * MAX_VALUES * 24


class FiltersField(forms.Field):
    """Row filters as the form's lines (typed in the page) or the API's list of conditions
    (typed JSON values, kept as they are so "12" is not taken for 12); the form's clean_filters
    checks them against the feed."""

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise forms.ValidationError(f"At most {MAX_TEXT} characters.")
            return value.strip()
        return value

    def prepare_value(self, value: Any) -> Any:
        return as_lines(value) if isinstance(value, list) else value


class IntegrationForm(forms.Form):
    # The cloud this form configures (set per subclass); forms name it, the registry never
    # imports forms.
    destination: ClassVar[type[Destination]]
    destination_kind: ClassVar[str]
    # Destination fields first, then the feed's, then contacts (set per subclass).
    field_order_head: ClassVar[tuple[str, ...]] = ()

    name = forms.CharField(max_length=100)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "destination" in vars(cls):
            cls.destination_kind = cls.destination.kind

    notification_emails = forms.CharField(max_length=5000)

    def __init__(
        self,
        data: Any = None,
        *,
        tenant: Tenant,
        feed: str,
        instance: Integration | None = None,
    ) -> None:
        initial = dict(instance.config) if instance else {}
        if instance:
            initial["name"] = instance.name
            initial["notification_emails"] = ", ".join(instance.config["notification_emails"])
            initial["columns"] = ", ".join(instance.config.get("columns") or [])
        super().__init__(data, initial=initial)
        self.tenant, self.feed, self.instance = tenant, feed, instance
        self.stored_hints: dict[str, str] = dict(instance.secret_hints) if instance else {}
        self._add_feed_fields()
        for name, field in self.fields.items():
            field.label = LABELS.get(name, field.label)
            field.help_text = HELP.get(name, field.help_text)
        for name in self.destination.secret_fields:
            if name in self.stored_hints:
                self.fields[
                    name
                ].help_text = f"Stored ({self.stored_hints[name]}). Leave blank to keep it."
        self.order_fields(["name", *self.field_order_head])

    @property
    def feed_kind(self) -> FeedKind:
        return FEEDS[self.feed].kind

    def _add_feed_fields(self) -> None:
        if self.feed_kind == FeedKind.RAW:
            self.fields["directory"] = forms.CharField(max_length=1024)
            # Optional, so API clients of before keep creating CSV.gz exports.
            self.fields["format"] = forms.ChoiceField(
                choices=FORMATS[FeedKind.RAW], initial="csv", required=False
            )
            self.fields["compression"] = forms.ChoiceField(
                choices=[("", "The format's default"), *COMPRESSION_CHOICES], required=False
            )
            self.fields["columns"] = forms.CharField(
                required=False,
                max_length=4000,
                help_text="Comma-separated, in the order wanted; empty: all, in this order: "
                + ", ".join(COLUMN_NAMES.get(self.feed, ())),
            )
            # Off unless chosen: seed 000's folders hold the data files alone.
            self.fields["completion_manifests"] = forms.BooleanField(required=False)
            # Optional, so API clients of before keep seed 000's folders.
            self.fields["layout"] = forms.ChoiceField(
                choices=list(LAYOUTS.items()), initial=DEFAULT_LAYOUT, required=False
            )
            self.fields["table_path"] = forms.CharField(max_length=1024, required=False)
            self._add_filters_field()
            return
        self.fields["manifest_path"] = forms.CharField(max_length=1024, initial="/manifests")
        self.fields["feed_path"] = forms.CharField(max_length=1024, initial=DEFAULT_FEED_PATH)
        self.fields["format"] = forms.ChoiceField(
            choices=FORMATS[FeedKind.LOG_LEVEL], initial="protobuf"
        )
        self.fields["compression"] = forms.ChoiceField(choices=COMPRESSION_CHOICES)
        self.fields["table_path"] = forms.CharField(max_length=1024, required=False)
        self._add_filters_field()

    def _add_filters_field(self) -> None:
        self.fields["filters"] = FiltersField(
            required=False,
            widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
            help_text="Export only the rows that meet every line, one condition per line: "
            "column eq|ne value, or column in|not_in value, value… (e.g. advertiser_id in 12, "
            f"34). At most {MAX_CONDITIONS} lines of {MAX_VALUES} values. Columns: "
            + ", ".join(filterable(self.feed))
            + ". Empty: every row. A change applies from the next window.",
        )

    # --- field cleaning ------------------------------------------------------------------
    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        clashes = Integration.objects.filter(tenant=self.tenant, name__iexact=name)
        if self.instance:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise forms.ValidationError("Another integration of this tenant has this name.")
        return name

    def clean_columns(self) -> list[str]:
        """Known names, each once; [] means all (and stays all when the registry grows)."""
        names = [n.strip() for n in self.cleaned_data["columns"].split(",") if n.strip()]
        known = COLUMN_NAMES.get(self.feed, ())
        unknown = [name for name in names if name not in known]
        if unknown:
            raise forms.ValidationError(f"Unknown column(s): {', '.join(unknown)}.")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise forms.ValidationError(f"Listed twice: {', '.join(repeated)}.")
        return [] if names == list(known) else names

    def clean_layout(self) -> str:
        return str(self.cleaned_data["layout"] or DEFAULT_LAYOUT)

    def clean_filters(self) -> list[dict[str, Any]]:
        try:
            return clean_filters(self.feed, self.cleaned_data["filters"])
        except FilterError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_notification_emails(self) -> list[str]:
        return clean_email_list(self.cleaned_data["notification_emails"])

    def clean_directory(self) -> str:
        return export_paths.clean_path(
            self.cleaned_data["directory"],
            macros_allowed=False,
            tail_bytes=export_paths.DIRECTORY_TAIL_BYTES,
        )

    def clean_manifest_path(self) -> str:
        return export_paths.clean_path(
            self.cleaned_data["manifest_path"],
            macros_allowed=False,
            tail_bytes=export_paths.MANIFEST_TAIL_BYTES,
        )

    def clean_feed_path(self) -> str:
        return export_paths.clean_path(
            self.cleaned_data["feed_path"],
            macros_allowed=True,
            require_timestamp=True,
            tail_bytes=export_paths.FEED_TAIL_BYTES,
        )

    def clean_table_path(self) -> str | None:
        value = self.cleaned_data["table_path"]
        if not value.strip():
            return None  # null in the API, like the other formats' unused keys
        path = export_paths.clean_path(
            value, macros_allowed=False, tail_bytes=export_paths.TABLE_TAIL_BYTES
        )
        if path == "/":
            # The clean-up removes every file under the table's data/ and metadata/ that the
            # table does not name: at the root, those would be the bucket's own folders.
            raise forms.ValidationError(
                "An Iceberg table needs a folder of its own, e.g. /lake/clicks, not the root of "
                "the bucket."
            )
        return path

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        missing = not cleaned.get("table_path") and "table_path" not in self.errors
        if cleaned.get("format") == "iceberg" and missing:
            self.add_error("table_path", "The Iceberg format needs a table path.")
        # A format or compression that is not a choice has its field's error already; the pair
        # is checked only when both are choices (a raw feed's '' then means the default).
        if "format" in cleaned and "compression" in cleaned:
            if self.feed_kind == FeedKind.RAW:
                cleaned["format"], cleaned["compression"] = file_format(cleaned)
            allowed = FORMAT_COMPRESSIONS[cleaned["format"]]
            if cleaned["compression"] not in allowed:
                self.add_error(
                    "compression",
                    f"{cleaned['format']} can be compressed with {', '.join(allowed)}.",
                )
        self.clean_destination(cleaned)
        if not self.errors:
            self._check_uniqueness()
        if self.instance is None:
            self._check_tenant_cap()
        return cleaned

    def _check_tenant_cap(self) -> None:
        """Bounds what one tenant can make the workers do (every integration is work each tick)."""
        cap = settings.MAX_INTEGRATIONS_PER_TENANT
        if Integration.objects.filter(tenant=self.tenant).count() >= cap:
            self.add_error(
                None,
                f"{self.tenant.name} has {cap} integrations, the most allowed: delete one first, "
                "or ask the operator to raise the limit.",
            )

    def clean_destination(self, cleaned: dict[str, Any]) -> None:
        """Cross-field checks of one destination (auth mode vs secrets, …)."""

    def require_secret(self, name: str) -> None:
        if not self.cleaned_data.get(name) and name not in self.stored_hints:
            self.add_error(name, "This field is required.")

    # --- results -------------------------------------------------------------------------
    def destination_config(self) -> dict[str, Any]:
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            **self.destination_config(),
            **{key: data[key] for key in FEED_KEYS[self.feed_kind]},
            "notification_emails": data["notification_emails"],
        }

    def secrets(self, stored: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """New secrets and hints: typed values replace stored ones, blanks keep them."""
        raise NotImplementedError

    # --- seed 004 "Uniqueness criteria" within the tenant (across tenants: at Verify) -----
    def _check_uniqueness(self) -> None:
        config = self.config()
        others = Integration.objects.filter(
            tenant=self.tenant, destination_key=self.destination.destination_key(config)
        )
        if self.instance:
            others = others.exclude(pk=self.instance.pk)
        for other in others:
            field = clash(self.feed, config, self.tenant.pk, other)
            if field:
                where = "directory" if field == "directory" else LABELS[field].lower()
                where = where_clashing(self.feed, config, other, field, where)
                self.add_error(
                    field, f"The integration “{other.name}” already exports to {where} here."
                )
                return
