"""Backfill orders from a file: CSV (one row per order line) or JSON Lines (Portico records).

Orders are applied 500 at a time with ``mirror.apply_many`` (new ones set-based), with the
same rules as webhooks, so importing the same file twice, or a file that overlaps what
webhooks already delivered, changes nothing. A bad row is
reported with its row number and reason; its order is skipped, the others are imported.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .connectors.base import scope
from .connectors.portico import parse_line, parse_order, parse_record
from .exceptions import OrderNotYetKnown, PayloadError
from .services import mirror

# The CSV columns (docs/connectors.md). Order columns repeat on each of its lines.
ORDER_COLUMNS = [
    "order_id", "order_number", "email", "currency", "placed_at", "paid_at", "cancelled_at",
    "financial_status", "subtotal", "discount_total", "shipping_total", "tax_total", "total",
    "discount_codes", "payment_reference", "customer_first_name", "customer_last_name",
    "customer_phone", "customer_locale", "updated_at",
]  # fmt: skip
LINE_COLUMNS = [
    "line_id", "sku", "title", "variant", "quantity", "unit_price", "line_discount",
    "product_type", "tags", "final_sale", "gift_card",
]  # fmt: skip
REQUIRED_COLUMNS = {"order_id", "order_number", "email", "currency", "placed_at", "total"}


@dataclass
class RowError:
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


@dataclass
class Report:
    created: int = 0
    updated: int = 0  # already known: applied again (idempotent)
    stale: int = 0  # older than what is stored: left alone
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Unit:
    """One order (or one shipment/refund record) and the rows it came from."""

    rows: list[int]
    change: object | None = None
    error: RowError | None = None


def _csv_order(rows: list[tuple[int, dict]]) -> Unit:
    numbers = [n for n, _ in rows]
    first_row, first = rows[0]
    data = {
        "id": first.get("order_id"),
        "number": first.get("order_number"),
        "email": first.get("email"),
        "currency": first.get("currency"),
        "placed_at": first.get("placed_at"),
        "paid_at": first.get("paid_at") or None,
        "cancelled_at": first.get("cancelled_at") or None,
        "updated_at": first.get("updated_at") or None,
        "financial_status": first.get("financial_status") or None,
        "subtotal": first.get("subtotal"),
        "discount_total": first.get("discount_total"),
        "shipping_total": first.get("shipping_total"),
        "tax_total": first.get("tax_total"),
        "total": first.get("total"),
        "discount_codes": first.get("discount_codes") or [],
        "payment_reference": first.get("payment_reference"),
        "customer": {
            "first_name": first.get("customer_first_name"),
            "last_name": first.get("customer_last_name"),
            "phone": first.get("customer_phone"),
            "locale": first.get("customer_locale"),
        },
    }
    try:
        with scope(""):
            order = parse_order({k: v for k, v in data.items() if v not in ("", None)}, "")
    except PayloadError as exc:
        return Unit(numbers, error=RowError(first_row, _column(exc.field), exc.message))
    for number, row in rows:
        if not row.get("line_id"):
            continue
        line = {
            "id": row.get("line_id"),
            "sku": row.get("sku"),
            "title": row.get("title"),
            "variant": row.get("variant"),
            "quantity": row.get("quantity"),
            "unit_price": row.get("unit_price"),
            "discount": row.get("line_discount"),
            "product_type": row.get("product_type"),
            "tags": row.get("tags") or [],
            "final_sale": row.get("final_sale"),
            "gift_card": row.get("gift_card"),
        }
        try:
            order.lines.append(parse_line({k: v for k, v in line.items() if v != ""}, ""))
        except PayloadError as exc:
            return Unit(numbers, error=RowError(number, _column(exc.field), exc.message))
    return Unit(numbers, change=order)


_COLUMN_OF = {
    "id": "order_id", "number": "order_number", "discount": "line_discount",
    "variant": "variant", "customer.first_name": "customer_first_name",
    "customer.last_name": "customer_last_name", "customer.phone": "customer_phone",
    "customer.locale": "customer_locale",
}  # fmt: skip


def _column(path: str) -> str:
    return _COLUMN_OF.get(path, path)


def read_csv(handle: io.TextIOBase) -> Iterator[Unit]:
    reader = csv.DictReader(handle)
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        yield Unit([1], error=RowError(1, ", ".join(sorted(missing)), "column is missing"))
        return
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, row in enumerate(reader, start=2):
        key = (row.get("order_id") or "").strip()
        if not key:
            yield Unit([number], error=RowError(number, "order_id", "is required"))
            continue
        groups.setdefault(key, []).append((number, row))
    for rows in groups.values():
        yield _csv_order(rows)


def read_jsonl(handle: io.TextIOBase) -> Iterator[Unit]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except ValueError as exc:
            yield Unit([number], error=RowError(number, "line", f"not valid JSON ({exc})"))
            continue
        try:
            yield Unit([number], change=parse_record(record))
        except PayloadError as exc:
            yield Unit([number], error=RowError(number, exc.field, exc.message))


# Orders applied together (``mirror.apply_many``): new orders go in set-based.
CHUNK = 500


def import_units(units: Iterable[Unit], *, connector: str, progress=None) -> Report:
    report = Report()
    chunk: list[Unit] = []
    for unit in units:
        if unit.error is not None:
            report.errors.append(unit.error)
            if progress is not None:
                progress(len(unit.rows))
            continue
        chunk.append(unit)
        if len(chunk) >= CHUNK:
            _apply_chunk(chunk, connector, report, progress)
            chunk = []
    _apply_chunk(chunk, connector, report, progress)
    return report


def _apply_chunk(chunk: list[Unit], connector: str, report: Report, progress) -> None:
    """Apply a chunk together; if one of its records waits for an order the mirror does not
    have, apply them one by one instead, so that record alone is reported."""
    if not chunk:
        return
    try:
        outcomes = mirror.apply_many(connector=connector, changes=[u.change for u in chunk])
    except OrderNotYetKnown:
        outcomes = []
        for unit in chunk:
            try:
                outcomes.append(mirror.apply(connector=connector, change=unit.change))
            except OrderNotYetKnown as exc:
                report.errors.append(RowError(unit.rows[0], "order_id", str(exc)))
                outcomes.append(None)
    for unit, outcome in zip(chunk, outcomes, strict=True):
        if outcome is None:
            pass
        elif outcome.created:
            report.created += 1
        elif outcome.stale:
            report.stale += 1
        else:
            report.updated += 1
        if progress is not None:
            progress(len(unit.rows))
