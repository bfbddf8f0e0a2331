"""Strings of the libraries (allauth, Django) that Portico's own catalog translates again.

Django merges the catalogs of every installed app, and two of them word "password"
differently in Turkish: allauth says "Şifre", Django's own auth app "Parola". The sign-up
page asked for a "Parola", then its "Şifre (tekrar)", under rules about the "parola".
Listed here, the strings a customer meets are extracted into ``locale/`` by
``make makemessages``, and Portico's catalog, which comes first, words them as allauth's
account pages do. Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

LIBRARY_STRINGS = [
    gettext_noop("Password"),
    # django.contrib.auth.password_validation: the rules under the field, and its errors.
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("This password is too common."),
    gettext_noop("This password is entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
]
