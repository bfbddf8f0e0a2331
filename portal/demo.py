"""Demo data for the portal shell: staff, customers, branding, the home page in both languages.

Every step looks up what it would create by a natural key first, so running the seed
again changes nothing.
"""

import itertools
import os

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Locale, Site

from . import groups
from .models import BrandingSettings, HomePage, StandardPage

ADMIN_EMAIL = "admin@portico.test"
STAFF = [
    ("editor@portico.test", "Elif", "Editor", groups.EDITORS),
    ("marketer@portico.test", "Mark", "Marketer", groups.MARKETERS),
    ("agent@portico.test", "Ayşe", "Agent", groups.SUPPORT_AGENTS),
    ("manager@portico.test", "Hande", "Manager", groups.HELP_CENTER_MANAGERS),
]
FIRST_NAMES = [
    "Emma",
    "Mehmet",
    "Olivia",
    "Zeynep",
    "Liam",
    "Can",
    "Sophia",
    "Elif",
    "Noah",
    "Deniz",
]
LAST_NAMES = ["Smith", "Yılmaz", "Johnson", "Kaya", "Brown", "Demir", "Garcia", "Şahin"]
CUSTOMER_COUNT = 60

HOME_TR = {
    "title": "Ana sayfa",
    "hero_title": "Size nasıl yardımcı olabiliriz?",
    "hero_text": "Siparişlerinizi takip edin, iade başlatın, yanıtları bulun ve "
    "ödüllerinizi kullanın.",
    "links": [
        ("Sipariş takibi", "Kargonuzun nerede olduğunu görün."),
        ("İade başlat", "Birkaç adımda ürün iade edin."),
        ("Yardım merkezi", "Sık sorulan soruların yanıtları."),
        ("Ödüller", "Puan kazanın, ödüllerde kullanın."),
    ],
}

PAGES = [
    {
        "slug": "about",
        "title": "About us",
        "intro": "Harbor & Loom makes linen, towels and throws in small batches.",
        "body": "<p>We started in 2019 with one loom and a harbour-side shop. Today we ship "
        "to customers across Europe and Turkey.</p>",
        "tr": {
            "slug": "hakkimizda",
            "title": "Hakkımızda",
            "intro": "Harbor & Loom; keten, havlu ve şalları küçük partiler halinde üretir.",
            "body": "<p>2019'da tek bir tezgâh ve liman kenarında bir dükkânla başladık. "
            "Bugün Avrupa ve Türkiye'nin dört bir yanına gönderim yapıyoruz.</p>",
        },
    },
    {
        "slug": "shipping",
        "title": "Shipping information",
        "intro": "Orders leave our workshop within two working days.",
        "body": "<p>Standard delivery takes 2–5 working days. Every parcel is tracked, and "
        "you can follow it from your account or with your order number.</p>",
        "tr": {
            "slug": "kargo-bilgileri",
            "title": "Kargo bilgileri",
            "intro": "Siparişler iki iş günü içinde atölyemizden çıkar.",
            "body": "<p>Standart teslimat 2–5 iş günü sürer. Her gönderi takip edilir; "
            "hesabınızdan ya da sipariş numaranızla izleyebilirsiniz.</p>",
        },
    },
]


def demo_admin_password() -> str:
    return os.environ.get("PORTICO_DEMO_ADMIN_PASSWORD", "portico-demo")


def _verified_user(email: str, **fields):
    User = get_user_model()
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    if created:
        user.set_password(fields.pop("password", None) or demo_admin_password())
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user, created


def seed_staff(stdout) -> None:
    _, created = _verified_user(
        ADMIN_EMAIL, first_name="Store", last_name="Owner", is_staff=True, is_superuser=True
    )
    for email, first, last, group_name in STAFF:
        user, _ = _verified_user(email, first_name=first, last_name=last, language="en")
        user.groups.add(Group.objects.get(name=group_name))
    if created:
        stdout.write(
            f"Created the admin {ADMIN_EMAIL} and staff users (editor@, marketer@, agent@, "
            "manager@)."
        )


def seed_customers(stdout) -> int:
    names = itertools.islice(itertools.product(LAST_NAMES, FIRST_NAMES), CUSTOMER_COUNT)
    made = 0
    for i, (last, first) in enumerate(names):
        turkish = last in {"Yılmaz", "Kaya", "Demir", "Şahin"}
        email = f"customer{i + 1:03d}@example.com"
        _, created = _verified_user(
            email,
            first_name=first,
            last_name=last,
            language="tr" if turkish else "en",
            password="customer-demo",
        )
        made += created
    return made


def seed_branding() -> None:
    site = Site.objects.get(is_default_site=True)
    branding = BrandingSettings.for_site(site)
    if branding.support_email:
        return
    branding.store_name = "Harbor & Loom"
    branding.brand_colour = "#0f766e"
    branding.support_email = "support@harborandloom.example"
    branding.return_address = (
        "Harbor & Loom Returns\nKuştepe Mah. 12\n34387 Şişli / İstanbul\nTürkiye"
    )
    branding.save()


def seed_pages() -> None:
    english = Locale.objects.get(language_code="en")
    turkish, _ = Locale.objects.get_or_create(language_code="tr")
    home = HomePage.objects.get(locale=english)
    tr_home = home.get_translation_or_none(turkish)
    if tr_home is None:
        tr_home = home.copy_for_translation(turkish)
        tr_home.title = HOME_TR["title"]
        tr_home.hero_title = HOME_TR["hero_title"]
        tr_home.hero_text = HOME_TR["hero_text"]
        for link, (label, description) in zip(
            tr_home.quick_links.all(), HOME_TR["links"], strict=False
        ):
            link.label, link.description = label, description
            link.save()
        tr_home.save_revision().publish()
    for spec in PAGES:
        page = StandardPage.objects.filter(locale=english, slug=spec["slug"]).first()
        if page is None:
            page = StandardPage(
                title=spec["title"],
                slug=spec["slug"],
                intro=spec["intro"],
                body=spec["body"],
                show_in_menus=True,
            )
            home.add_child(instance=page)
            page.save_revision().publish()
        if page.get_translation_or_none(turkish) is None:
            translated = page.copy_for_translation(turkish)
            for field in ("title", "slug", "intro", "body"):
                setattr(translated, field, spec["tr"][field])
            translated.save_revision().publish()


@transaction.atomic
def seed(*, stdout) -> None:
    seed_staff(stdout)
    made = seed_customers(stdout)
    seed_branding()
    seed_pages()
    stdout.write(f"Portal: {made} new customers, branding, home and content pages in en + tr.")
