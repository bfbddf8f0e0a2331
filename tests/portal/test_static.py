"""Every asset is ours, served by WhiteNoise with content-hashed names in production."""

import re

import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_collectstatic_writes_hashed_names_that_pages_use(tmp_path, client, settings):
    manifest = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
    storages = {**settings.STORAGES, "staticfiles": manifest}
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
        html = client.get("/").content.decode()
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html)
    assert css, "the stylesheet is not served under a hashed name"
    assert (tmp_path / css.group(1).removeprefix("/static/")).exists()


def test_pages_load_nothing_from_another_host(client):
    html = client.get("/").content.decode() + client.get("/accounts/login/").content.decode()
    sources = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith("/") for s in sources), sources
