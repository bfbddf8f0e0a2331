"""A policy that works out of the box: 30 days, the usual reasons, and one rule that
approves small returns of customers who are not flagged. Staff change it in Wagtail."""

from decimal import Decimal

from django.db import migrations

REASONS = [
    # code, label, Turkish, photo, comment, restocking %, return shipping fee
    ("damaged", "Arrived damaged or faulty", "Hasarlı veya kusurlu geldi", True, True, 0, 0),
    ("wrong_item", "Wrong item sent", "Yanlış ürün gönderildi", True, False, 0, 0),
    ("not_as_described", "Not as described", "Açıklamadaki gibi değil", False, True, 0, 0),
    ("too_small", "Too small", "Çok küçük", False, False, 0, Decimal("4.95")),
    ("too_large", "Too large", "Çok büyük", False, False, 0, Decimal("4.95")),
    ("changed_mind", "Changed my mind", "Fikrimi değiştirdim", False, False, 0, Decimal("4.95")),
]


def create(apps, schema_editor):
    Policy = apps.get_model("returns", "ReturnPolicy")
    Reason = apps.get_model("returns", "ReturnReason")
    Rule = apps.get_model("returns", "AutomationRule")
    if Policy.objects.exists():
        return
    policy = Policy.objects.create(
        window_days=30,
        conditions="Items must be unused, with their tags, in the original packaging.",
        conditions_tr="Ürünler kullanılmamış, etiketli ve orijinal ambalajında olmalıdır.",
        keep_item_under=Decimal("5.00"),
    )
    for order, (code, label, label_tr, photo, comment, percent, fee) in enumerate(REASONS):
        Reason.objects.create(
            policy=policy,
            sort_order=order,
            code=code,
            label=label,
            label_tr=label_tr,
            requires_photo=photo,
            requires_comment=comment,
            restocking_percent=Decimal(percent),
            shipping_fee=Decimal(fee),
        )
    Rule.objects.create(
        policy=policy,
        name="Approve small returns of customers in good standing",
        priority=10,
        max_value=Decimal("150"),
        only_unflagged=True,
        action="auto_approve",
    )


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
