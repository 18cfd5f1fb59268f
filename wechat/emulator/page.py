"""The emulator's inspection page: what it holds, as small HTML tables (the same
data as the JSON at /_emulator/state)."""

import json
from html import escape

STYLE = (
    "body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}"
    "table{border-collapse:collapse;margin:.5rem 0 1.5rem}"
    "td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
    "th{background:#f3f3f3}code{font-size:12px}"
)


def _cell(value):
    if isinstance(value, (dict, list)):
        return f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"
    return escape(str(value))


def _table(title, rows):
    if not rows:
        return f"<h2>{escape(title)}</h2><p>(none)</p>"
    columns = list(dict.fromkeys(key for row in rows for key in row))
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{_cell(row.get(c, ''))}</td>" for c in columns) + "</tr>" for row in rows)
    return f"<h2>{escape(title)} ({len(rows)})</h2><table><tr>{head}</tr>{body}</table>"


def render_page(snapshot):
    calls = [{"appid": appid, **counts} for appid, counts in snapshot["calls"].items()]
    accounts = list(snapshot["accounts"].values())
    tokens = [{"appid": appid, **token} for appid, token in snapshot["tokens"].items()]
    menus = [{"appid": appid, "menu": m["menu"], "conditional": m["conditional"]} for appid, m in snapshot["menus"].items()]
    templates = [t | {"appid": appid} for appid, ts in snapshot["templates"].items() for t in ts]
    sections = [
        _table("Settings", [snapshot["config"]]),
        _table("Accounts", accounts),
        _table("Access tokens", tokens),
        _table("Calls per account and API", calls),
        _table("Drafts", snapshot["drafts"]),
        _table("Publish jobs", snapshot["jobs"]),
        _table("Published articles", snapshot["published"]),
        _table("Materials", snapshot["materials"]),
        _table("Body images", snapshot["images"]),
        _table("Menus", menus),
        _table("Templates", templates),
        _table("Template messages", snapshot["messages"]),
        _table("PUBLISHJOBFINISH callbacks", snapshot["callbacks"]),
        _table("Scripted faults", snapshot["scripted_faults"]),
    ]
    return (
        "<!doctype html><html lang=en><meta charset=utf-8><title>WeChat API emulator</title>"
        f"<style>{STYLE}</style><h1>WeChat API emulator</h1>"
        f"<p>Dropped responses: {snapshot['dropped_responses']}. JSON: <a href=/_emulator/state>/_emulator/state</a></p>"
        + "".join(sections)
        + "</html>"
    )
