"""The integration page's form for adding a webhook or a Slack URL."""

from __future__ import annotations

from django import forms

from .events import EVENTS
from .models import Endpoint


class EndpointForm(forms.Form):
    kind = forms.ChoiceField(choices=Endpoint.Kind.choices, initial=Endpoint.Kind.WEBHOOK)
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="https only. A Slack incoming-webhook URL for Slack.",
        widget=forms.URLInput(attrs={"autocomplete": "off", "placeholder": "https://"}),
    )
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENTS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every event for a webhook; all but window.delivered for Slack.",
    )
