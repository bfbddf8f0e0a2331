"""The staff groups and what each may do. One table, kept true after every migrate.

Each later app adds its models' permissions here; ``sync`` only ever adds, so a
permission a superuser granted by hand is never taken away.
"""

from django.apps import apps as global_apps

EDITORS = "Editors"
MARKETERS = "Marketers"
SUPPORT_AGENTS = "Support agents"
HELP_CENTER_MANAGERS = "Help center managers"

# What editors and help center managers both do with the help center's records: search
# promotions (Wagtail's "promoted search results") and the read-only reports.
_HELP_CENTER_CONTENT = [
    "wagtailsearchpromotions.add_query",
    "wagtailsearchpromotions.change_query",
    "wagtailsearchpromotions.delete_query",
    "wagtailsearchpromotions.view_query",
    "wagtailsearchpromotions.add_searchpromotion",
    "wagtailsearchpromotions.change_searchpromotion",
    "wagtailsearchpromotions.delete_searchpromotion",
    "wagtailsearchpromotions.view_searchpromotion",
    "knowledgebase.view_searchevent",
    "knowledgebase.view_articlevote",
    "knowledgebase.view_contactrequest",
]

# group name -> permission codenames as "app_label.codename"
GROUP_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        *_HELP_CENTER_CONTENT,
    ],
    MARKETERS: [
        "wagtailadmin.access_admin",
        "portal.change_brandingsettings",
        "wagtailimages.add_image",
        "wagtailimages.choose_image",
        "orders.view_order",
        "orders.view_customer",
        "loyalty.view_earningrule",
        "loyalty.add_earningrule",
        "loyalty.change_earningrule",
        "loyalty.change_programsettings",
        "loyalty.view_tier",
        "loyalty.add_tier",
        "loyalty.change_tier",
        "loyalty.delete_tier",
        "loyalty.view_campaign",
        "loyalty.add_campaign",
        "loyalty.change_campaign",
        "loyalty.delete_campaign",
        "loyalty.view_account",
        "loyalty.adjust_account",
        "loyalty.view_entry",
        "loyalty.view_reward",
        "loyalty.add_reward",
        "loyalty.change_reward",
        "loyalty.view_redemption",
        "loyalty.void_redemption",
        "loyalty.view_referral",
        "loyalty.review_referral",
    ],
    SUPPORT_AGENTS: [
        "wagtailadmin.access_admin",
        "orders.view_order",
        "orders.view_customer",
        "orders.view_webhookdelivery",
        "orders.replay_webhookdelivery",
        "loyalty.view_account",
        "loyalty.adjust_account",
        "loyalty.view_entry",
        "loyalty.view_redemption",
        "loyalty.void_redemption",
        "knowledgebase.view_contactrequest",
        "knowledgebase.retry_contactrequest",
        # The returns queue, its actions, the report and the policy simulator. The policy
        # itself (returns.change_returnpolicy) is left to superusers.
        "returns.view_returnrequest",
        "returns.manage_returnrequest",
    ],
    HELP_CENTER_MANAGERS: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        *_HELP_CENTER_CONTENT,
    ],
}

# Page tree permissions (on the root page) per group.
# Editors never publish: their changes reach the site through the help center's
# moderation workflow (knowledgebase migration 0003), which help center managers approve.
GROUP_PAGE_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: ["add_page", "change_page"],
    HELP_CENTER_MANAGERS: ["add_page", "change_page", "publish_page"],
}


# Images and documents are granted per collection in Wagtail (on the root collection here,
# so everywhere); the model permissions above only label the groups' intent.
_IMAGES = ["wagtailimages.add_image", "wagtailimages.change_image", "wagtailimages.choose_image"]
_DOCUMENTS = [
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
GROUP_COLLECTION_PERMISSIONS: dict[str, list[str]] = {
    EDITORS: [*_IMAGES, *_DOCUMENTS],
    # The store's logo in the branding settings.
    MARKETERS: ["wagtailimages.add_image", "wagtailimages.choose_image"],
    HELP_CENTER_MANAGERS: [*_IMAGES, *_DOCUMENTS],
}


def sync(apps=global_apps) -> None:
    """Create the groups and grant every listed permission that exists now. Idempotent."""
    Group = apps.get_model("auth", "Group")
    for name, perms in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_existing(apps, perms))
    _sync_tree(apps, "Page", "GroupPagePermission", "page", GROUP_PAGE_PERMISSIONS)
    _sync_tree(
        apps, "Collection", "GroupCollectionPermission", "collection", GROUP_COLLECTION_PERMISSIONS
    )


def _existing(apps, perms: list[str]) -> list:
    """The permissions of ``perms`` ("app_label.codename", or a codename of wagtailcore)
    that exist now."""
    Permission = apps.get_model("auth", "Permission")
    found = []
    for dotted in perms:
        app_label, _, codename = dotted.rpartition(".")
        perm = Permission.objects.filter(
            content_type__app_label=app_label or "wagtailcore", codename=codename
        ).first()
        if perm is not None:
            found.append(perm)
    return found


def _sync_tree(apps, tree: str, link: str, field: str, table: dict[str, list[str]]) -> None:
    """Wagtail's per-node permissions (pages, collections), granted on the tree's root."""
    try:
        Tree = apps.get_model("wagtailcore", tree)
        Link = apps.get_model("wagtailcore", link)
    except LookupError:
        return
    root = Tree.objects.filter(depth=1).first()
    if root is None:
        return
    Group = apps.get_model("auth", "Group")
    for name, perms in table.items():
        group = Group.objects.get(name=name)
        for perm in _existing(apps, perms):
            Link.objects.get_or_create(group=group, permission=perm, **{field: root})


def sync_after_migrate(sender, **kwargs) -> None:
    # post_migrate fires once per installed app that has models, in order, each creating
    # its own permissions; on the last such app's turn every permission exists.
    with_models = [c for c in global_apps.get_app_configs() if c.models_module is not None]
    if sender is with_models[-1]:
        sync()
