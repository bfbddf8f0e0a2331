import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model


class UserFactory(factory.django.DjangoModelFactory):
    """A customer whose email is verified, as after sign-up and confirmation."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    first_name = "Ada"
    last_name = "Lovelace"
    language = "en"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        EmailAddress.objects.get_or_create(
            user=obj,
            email=obj.email,
            defaults={"verified": extracted is not False, "primary": True},
        )
