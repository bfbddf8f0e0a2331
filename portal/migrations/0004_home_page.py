"""Replace Wagtail's placeholder "Welcome" page with Portico's editable home page."""

from django.db import migrations


def create_home_page(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("portal.HomePage")
    QuickLink = apps.get_model("portal.QuickLink")

    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, slug="home", depth=2).delete()
    if HomePage.objects.exists():
        return
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="portal")
    locale = Locale.objects.order_by("pk").first()
    # Turkish is there from the start, so editors can translate any page straight away.
    Locale.objects.get_or_create(language_code="tr")
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
        hero_title="How can we help?",
        hero_text="Track your orders, start a return, find answers and spend your rewards.",
    )
    for order, (destination, label, description) in enumerate(
        [
            ("track_order", "Track an order", "See where your parcel is."),
            ("start_return", "Start a return", "Send something back in a few steps."),
            ("help_center", "Help center", "Answers to common questions."),
            ("rewards", "Rewards", "Earn points and spend them on rewards."),
        ]
    ):
        QuickLink.objects.create(
            page=home,
            sort_order=order,
            destination=destination,
            label=label,
            description=description,
        )
    Page.objects.filter(depth=1).update(numchild=1)
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Portico",
    )


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_staff_groups")]

    operations = [migrations.RunPython(create_home_page, migrations.RunPython.noop)]
