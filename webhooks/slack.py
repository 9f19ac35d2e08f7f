"""An event as a Slack message (incoming webhooks take `{"text": …}` in mrkdwn)."""

from __future__ import annotations

from typing import Any

from integrations.destinations import REGISTRY


def text(payload: dict[str, Any]) -> str:
    data = payload["data"]
    name = data["integration"]["name"]
    event = payload["type"]
    if event == "window.delivered":
        files = len(data["files"])
        return (
            f":white_check_mark: *{name}*: window {data['window_start']} delivered to "
            f"{data['location']}{data['path']} ({data['rows']} rows, {files} file(s))."
        )
    if event == "run.failed":
        error = data["error"]
        return (
            f":warning: *{name}*: the export of {data['window_start']} failed "
            f"{data['attempts']} times ({error['code']}: {error['message']}). It is retried."
        )
    if event == "integration.deactivated":
        step = data["step"]
        return (
            f":rotating_light: *{name}* was deactivated: ExportHub lost access "
            f"({data['reason']}). {step['hint']} Then click Verify to resume."
        )
    if event == "integration.reactivated":
        return f":large_green_circle: *{name}* is active again; missed windows are backfilled."
    if event == "credentials.expiring":
        cloud = REGISTRY.get(data["integration"]["destination"])
        credentials = cloud.expiring_credentials() if cloud else "credentials"
        return (
            f":hourglass: *{name}*: its {credentials} expires {data['expires_at']} "
            f"(in {data['days_left']} day(s)). Save a new one to keep exports running."
        )
    return f"*{name}*: a test event from ExportHub."
