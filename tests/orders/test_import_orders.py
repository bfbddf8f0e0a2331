import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.models import Order, OrderLine

pytestmark = pytest.mark.django_db

HEADER = (
    "order_id,order_number,email,currency,placed_at,paid_at,total,subtotal,shipping_total,"
    "customer_first_name,line_id,sku,title,quantity,unit_price,tags,final_sale\n"
)
GOOD = (
    "1001,#1001,ann@example.com,USD,2026-03-01T10:00:00Z,2026-03-01T10:01:00Z,55.00,50.00,5.00,"
    "Ann,L1,CUP,Cup,2,10.00,kitchen,false\n"
    "1001,#1001,ann@example.com,USD,2026-03-01T10:00:00Z,2026-03-01T10:01:00Z,55.00,50.00,5.00,"
    'Ann,L2,BOWL,Bowl,1,30.00,"kitchen,sale",true\n'
    "1002,#1002,bo@example.com,EUR,2026-03-02 12:00:00,,20.00,20.00,0,"
    "Bo,L1,SPOON,Spoon,4,5.00,,\n"
)
BAD = (
    "1003,#1003,carl@example.com,USD,2026-03-03T10:00:00Z,,abc,0,0,Carl,L1,X,X,1,1.00,,\n"
    "1004,#1004,dee@example.com,USD,2026-03-04T10:00:00Z,,4.00,4.00,0,Dee,L1,Y,Y,two,2.00,,\n"
    ",#1005,eve@example.com,USD,2026-03-05T10:00:00Z,,4.00,4.00,0,Eve,L1,Z,Z,1,4.00,,\n"
)


def run(tmp_path, text, name="orders.csv", *extra):
    path = tmp_path / name
    path.write_text(text)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_orders", str(path), "--no-progress", *extra, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_csv_rows_become_orders_with_lines(tmp_path):
    out, err = run(tmp_path, HEADER + GOOD)
    assert "2 created" in out and err == ""
    first = Order.objects.get(external_id="1001", connector="import")
    assert first.total == Decimal("55.00") and first.paid_at is not None
    assert first.lines.count() == 2
    assert first.lines.get(sku="BOWL").tags == ["kitchen", "sale"]
    assert first.lines.get(sku="BOWL").is_final_sale
    second = Order.objects.get(external_id="1002")
    assert second.placed_at.isoformat() == "2026-03-02T12:00:00+00:00"
    assert second.financial_status == "pending"


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    run(tmp_path, HEADER + GOOD)
    before = list(Order.objects.values().order_by("pk"))
    out, _ = run(tmp_path, HEADER + GOOD)
    assert "0 created, 2 already known" in out
    after = list(Order.objects.values().order_by("pk"))
    for row in before + after:
        row.pop("updated_at")
    assert before == after
    assert OrderLine.objects.count() == 3


def test_bad_rows_are_reported_by_number_and_reason_and_the_rest_imported(tmp_path):
    out, err = run(tmp_path, HEADER + GOOD + BAD)
    assert "2 created" in out and "3 rows with errors" in out
    assert "row 5: total: must be an amount like 12.50" in err
    assert "row 6: quantity: must be a whole number" in err
    assert "row 7: order_id: is required" in err
    assert set(Order.objects.values_list("external_id", flat=True)) == {"1001", "1002"}


def test_a_file_missing_required_columns_says_which(tmp_path):
    _out, err = run(tmp_path, "order_id,email\n1,a@example.com\n")
    assert "column is missing" in err
    assert "currency" in err and "total" in err
    assert not Order.objects.exists()


def test_json_lines_import_with_a_bad_line(tmp_path):
    records = [
        {"type": "order", "data": {"id": "J1", "number": "J1", "email": "j@example.com",
                                   "currency": "GBP", "total": "9.99",
                                   "placed_at": "2026-01-01T00:00:00Z"}},
        {"type": "shipment", "data": {"id": "S1", "order_id": "J1", "carrier": "Royal Mail",
                                      "tracking_number": "RM1", "status": "delivered"}},
    ]  # fmt: skip
    text = "\n".join(json.dumps(r) for r in records) + "\n{not json}\n"
    out, err = run(tmp_path, text, "orders.jsonl")
    assert "2 created" in out  # the order and its shipment
    assert "row 3: line: not valid JSON" in err
    order = Order.objects.get(external_id="J1")
    assert order.shipments.get().carrier == "royal_mail"


def test_backfill_under_a_platform_name_meets_its_webhooks(tmp_path):
    run(tmp_path, HEADER + GOOD, "orders.csv", "--connector", "shopify")
    assert Order.objects.filter(connector="shopify").count() == 2


def test_a_missing_file_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No such file"):
        call_command("import_orders", str(tmp_path / "nope.csv"))


def test_a_record_for_an_order_nobody_sent_is_reported_and_the_rest_imported(tmp_path):
    records = [
        {"type": "order", "data": {"id": "J1", "number": "J1", "email": "j@example.com",
                                   "currency": "GBP", "total": "9.99",
                                   "placed_at": "2026-01-01T00:00:00Z"}},
        {"type": "shipment", "data": {"id": "S1", "order_id": "NOPE", "status": "delivered"}},
        {"type": "order", "data": {"id": "J2", "number": "J2", "email": "k@example.com",
                                   "currency": "GBP", "total": "5.00",
                                   "placed_at": "2026-01-02T00:00:00Z"}},
    ]  # fmt: skip
    out, err = run(tmp_path, "\n".join(json.dumps(r) for r in records) + "\n", "orders.jsonl")
    assert "2 created" in out
    assert "row 2: order_id:" in err and "NOPE" in err
    assert set(Order.objects.values_list("external_id", flat=True)) == {"J1", "J2"}


def test_a_file_longer_than_one_chunk_is_imported_whole(tmp_path, monkeypatch):
    from orders import importer

    monkeypatch.setattr(importer, "CHUNK", 2)
    run(tmp_path, HEADER + GOOD + BAD)
    out, _err = run(tmp_path, HEADER + GOOD + BAD)
    assert "0 created, 2 already known" in out
    assert Order.objects.count() == 2 and OrderLine.objects.count() == 3
