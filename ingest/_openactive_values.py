"""Reading OpenActive's JSON-LD values: ids, text, numbers, schedules, offers. Private.

The data models let most properties be one value or a list, a string or an
object; feeds written before 2.0 (and non-standard ones) differ again. These
readers take each form and return plain values, never raising.
"""

from __future__ import annotations

from typing import Any

from ._activity import DAY_NAMES

__all__ = [
    "GENDER",
    "day_name",
    "ident",
    "labels",
    "number",
    "object_of",
    "prices",
    "schedule",
    "text",
    "type_of",
    "values",
]


GENDER = {"norestriction": "none", "femaleonly": "female only", "maleonly": "male only"}


_FREQUENCIES = {"weekly": "P1W", "daily": "P1D", "monthly": "P1M", "fortnightly": "P2W"}


def type_of(data: dict[str, Any], kind: str) -> str:
    declared = data.get("@type") or data.get("type")
    text = declared if isinstance(declared, str) and declared else kind
    return text.split(":")[-1].split("/")[-1].split(".")[0]


def ident(data: Any) -> str:
    if isinstance(data, str):
        return data.strip()
    if not isinstance(data, dict):
        return ""
    for name in ("@id", "id", "url", "identifier"):
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return ""


def object_of(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else."""
    return value if isinstance(value, dict) else {}


def text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return float(str(value).strip()) if str(value).strip() else None
    except ValueError:
        return None


def values(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def day_name(value: Any) -> str | None:
    text = str(value).rstrip("/").split("/")[-1].split(":")[-1].strip().capitalize()
    return text if text in DAY_NAMES else None


def schedule(data: dict[str, Any]) -> list[dict[str, Any]]:
    """``eventSchedule`` (or a facility's ``hoursAvailable``) as days, times and frequency."""
    entries: list[dict[str, Any]] = []
    for entry in values(data.get("eventSchedule")):
        if not isinstance(entry, dict):
            continue
        frequency = str(entry.get("repeatFrequency") or entry.get("frequency") or "")
        normal: dict[str, Any] = {
            "days": [d for d in (day_name(v) for v in values(entry.get("byDay"))) if d],
            "frequency": _FREQUENCIES.get(frequency.lower(), frequency),
        }
        for source, target in (
            ("startTime", "start_time"),
            ("endTime", "end_time"),
            ("startDate", "start_date"),
            ("endDate", "end_date"),
            ("repeatCount", "repeat_count"),
        ):
            if entry.get(source) not in (None, ""):
                normal[target] = entry[source]
        entries.append(normal)
    for entry in values(data.get("hoursAvailable")):
        if isinstance(entry, dict):
            entries.append(
                {
                    "days": [d for d in (day_name(v) for v in values(entry.get("dayOfWeek"))) if d],
                    "start_time": entry.get("opens"),
                    "end_time": entry.get("closes"),
                    "frequency": "P1W",
                }
            )
    return entries


def labels(value: Any) -> list[str]:
    return [
        text(v.get("prefLabel")) if isinstance(v, dict) else text(v)
        for v in values(value)
        if (isinstance(v, dict) and v.get("prefLabel")) or isinstance(v, str)
    ]


def prices(value: Any) -> list[dict[str, Any]]:
    prices = []
    for offer in values(value):
        if not isinstance(offer, dict):
            continue
        price = number(offer.get("price"))
        entry: dict[str, Any] = {}
        if text(offer.get("name")):
            entry["name"] = text(offer.get("name"))
        if price is not None:
            entry["price"] = price
        if text(offer.get("priceCurrency")):
            entry["currency"] = text(offer.get("priceCurrency"))
        if entry:
            prices.append(entry)
    return prices
