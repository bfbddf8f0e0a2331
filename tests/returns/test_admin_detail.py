"""One return's page in Wagtail admin, every action through its POST, and the photos."""

import html
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from returns.models import Method, ReturnEvent, ReturnLine, ReturnPayment, ReturnPhoto, Status
from tests.returns.admin_helpers import agent, delivered_order, editor, return_made, return_row

pytestmark = pytest.mark.django_db


def detail_url(request):
    return reverse("returns_returnrequest:inspect", args=[request.pk])


def act(client, request, action, **data):
    url = reverse("returns_returnrequest:action", args=[request.pk, action])
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[0] == (detail_url(request), 302)
    request.refresh_from_db()
    return html.unescape(response.content.decode())


def photo_of(line, colour="red") -> ReturnPhoto:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), colour).save(buffer, "PNG")
    photo = ReturnPhoto(line=line, content_type="image/png", width=640, height=480)
    photo.image.save("photo.png", ContentFile(buffer.getvalue()), save=False)
    photo.save()
    return photo


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def order():
    return delivered_order(
        number="#1001",
        lines=[("Linen shirt", "LS-1", 2, "40.00", "Shirts"), ("Mug", "MG-1", 1, "12.00", "Mugs")],
    )


# --- The page ---------------------------------------------------------------------------


def test_return_page_shows_everything_an_agent_decides_with(client, order):
    shirt, mug = order.lines.order_by("pk")
    earlier = return_row(order, lines=[(mug, 1, "damaged")], status=Status.CLOSED, review="")
    request = return_made(order, [(shirt, 1, "too_small")])
    photo = photo_of(request.lines.get())
    ReturnPayment.objects.create(
        request=request, order=order, kind=ReturnPayment.Kind.STRIPE, key="k-1",
        amount=Decimal("35.05"), currency="EUR", state=ReturnPayment.State.FAILED,
        error="card_declined",
    )  # fmt: skip
    user = agent()
    client.force_login(user)
    act(client, request, "note", message="Customer called about the size.")

    response = client.get(detail_url(request))

    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    # the return, its line and the photo served through the admin
    assert (
        request.number in text and "Linen shirt" in text and "LS-1" in text and "Too small" in text
    )
    photo_url = reverse("returns_returnrequest:photo", args=[request.pk, photo.pk])
    assert f"{photo_url}?size=thumb" in text
    # the order, linked to its admin page
    assert reverse("orders_order:inspect", args=[order.pk]) in text
    # the customer's history: the earlier return and the rate (1 order, 1 with a return)
    assert earlier.number in text and "100%" in text
    # the policy version and the rule that decided
    assert f"v{request.policy_version.number}" in text
    assert "Approve small returns of customers in good standing" in text
    assert "Approved automatically" in text
    # amounts, the failed payment with its error, and the whole log with who did what
    assert "€35.05" in text and "card_declined" in text
    assert "Requested" in text and "Label issued" in text
    assert "Customer called about the size." in text and "Alan Turing" in text


def test_page_offers_only_the_actions_the_status_table_allows(client, order):
    client.force_login(agent())
    requested = return_row(order)
    received = return_row(order, status=Status.RECEIVED)

    assert client.get(detail_url(requested)).context["actions"] == [
        "approve", "reject", "cancel", "note",
    ]  # fmt: skip
    assert client.get(detail_url(received)).context["actions"] == ["inspect", "note"]


def test_staff_who_may_only_look_see_no_action_and_cannot_post_one(client, order):
    request = return_row(order)
    viewer = editor("viewer@example.com")
    viewer.user_permissions.add(Permission.objects.get(codename="view_returnrequest"))
    client.force_login(viewer)

    response = client.get(detail_url(request))
    assert response.status_code == 200 and response.context["actions"] == []

    url = reverse("returns_returnrequest:action", args=[request.pk, "approve"])
    assert client.post(url)["Location"] == reverse("wagtailadmin_home")
    request.refresh_from_db()
    assert request.status == Status.REQUESTED


# --- Actions ----------------------------------------------------------------------------


def test_agent_approves_and_the_label_is_issued(client, order):
    request = return_row(order)
    user = agent()
    client.force_login(user)

    text = act(client, request, "approve", message="Approved, thank you.")

    assert f"{request.number}: Approved." in text
    assert request.status == Status.LABEL_ISSUED and request.label_tracking_number
    event = request.events.get(to_status=Status.APPROVED)
    assert event.actor == user and event.message == "Approved, thank you."


def test_reject_without_a_message_is_refused_in_words_then_done_with_one(client, order):
    request = return_row(order)
    client.force_login(agent())

    text = act(client, request, "reject", message="   ")
    assert "Say why the return is rejected: the customer will read it." in text
    assert request.status == Status.REQUESTED

    act(client, request, "reject", message="The tags were removed.")
    assert (
        request.status == Status.REJECTED and request.rejection_message == "The tags were removed."
    )


def test_only_a_requested_return_can_be_rejected(client, order):
    request = return_row(order, status=Status.INSPECTED, review="")
    client.force_login(agent())
    page = client.get(detail_url(request)).content.decode()
    reject_url = reverse("returns_returnrequest:action", args=[request.pk, "reject"])
    assert reject_url not in page
    text = act(client, request, "reject", message="Worn.")
    assert "Only a requested return can be rejected" in text
    assert request.status == Status.INSPECTED


def test_a_nul_in_a_message_is_refused_in_words(client, order):
    request = return_row(order)
    client.force_login(agent())
    text = act(client, request, "note", message="a\x00b")
    assert "cannot be stored" in text


def test_parcel_goes_in_transit_is_received_and_inspected_per_line(client, order):
    shirt, mug = order.lines.order_by("pk")
    request = return_row(order, lines=[(shirt, 2, "too_small"), (mug, 1, "damaged")],
                         status=Status.LABEL_ISSUED, review="")  # fmt: skip
    first, second = request.lines.order_by("pk")
    client.force_login(agent())

    act(client, request, "in_transit")
    assert request.status == Status.IN_TRANSIT
    act(client, request, "receive", message="Box dented.")
    assert request.status == Status.RECEIVED and request.received_at
    text = act(client, request, "inspect", **{
        f"line-{first.pk}-outcome": "partial", f"line-{first.pk}-amount": "50,00",
        f"line-{first.pk}-note": "One shirt worn",
        f"line-{second.pk}-outcome": "accepted",
    })  # fmt: skip

    assert request.status == Status.INSPECTED
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.outcome, first.accepted_amount, first.outcome_note) == (
        ReturnLine.Outcome.PARTIAL, Decimal("50.00"), "One shirt worn",
    )  # fmt: skip
    assert (second.outcome, second.accepted_amount) == (
        ReturnLine.Outcome.ACCEPTED,
        Decimal("12.00"),
    )
    assert request.total == Decimal("62.00")
    assert "The payout of 62.00 EUR is on its way." in text


def test_inspection_that_rejects_every_line_rejects_the_return(client, order):
    request = return_row(order, status=Status.RECEIVED)
    line = request.lines.get()
    client.force_login(agent())

    text = act(client, request, "inspect", **{
        f"line-{line.pk}-outcome": "rejected", f"line-{line.pk}-note": "Not our product",
    })  # fmt: skip

    assert request.status == Status.REJECTED and request.total == 0
    assert "no item passed" in text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "rejected"}, "Say why a line is rejected."),
        ({"outcome": "partial", "amount": "lots"}, "Give the partial amount as a number."),
        ({"outcome": "partial"}, "Give the partial amount as a number."),
        ({"outcome": "partial", "amount": "NaN"}, "Give the partial amount as a number."),
        ({"outcome": "partial", "amount": "1e999999"}, "Give the partial amount as a number."),
        ({"outcome": "partial", "amount": "999"}, "A partial amount is between 0 and 40.00."),
        ({"outcome": "maybe"}, "Choose accept, partial or reject for every line."),
        ({}, "Choose accept, partial or reject for every line."),
    ],
)
def test_an_inspection_the_service_refuses_changes_nothing_and_says_why(
    client, order, fields, message
):
    request = return_row(order, status=Status.RECEIVED)
    line = request.lines.get()
    client.force_login(agent())

    text = act(client, request, "inspect", **{f"line-{line.pk}-{k}": v for k, v in fields.items()})

    assert message in text
    assert request.status == Status.RECEIVED
    line.refresh_from_db()
    assert line.outcome == "" and line.accepted_amount is None


def test_note_goes_in_the_log_with_the_agents_name_and_stays_internal(client, order):
    request = return_row(order)
    client.force_login(agent())

    act(client, request, "note", message="Asked for a photo by phone.")
    text = html.unescape(client.get(detail_url(request)).content.decode())

    note = request.events.get(kind=ReturnEvent.Kind.NOTE)
    assert not note.public and note.actor.email == "agent@example.com"
    assert "Asked for a photo by phone." in text and "Alan Turing" in text and "Internal" in text
    assert "A note needs some text." in act(client, request, "note", message="")


@pytest.mark.parametrize(
    ("action", "status", "message"),
    [
        ("receive", Status.REQUESTED, "A return that is “Requested” cannot become “Received”."),
        ("close", Status.REQUESTED, "A return that is “Requested” cannot become “Closed”."),
        ("approve", Status.CLOSED, "A return that is “Closed” cannot become “Approved”."),
        (
            "in_transit",
            Status.RECEIVED,
            "A return that is “Received” cannot become “On its way back”.",
        ),
        ("inspect", Status.REQUESTED, "Only a received return can be inspected."),
    ],
)
def test_an_illegal_move_is_an_error_message_not_an_error_page(
    client, order, action, status, message
):
    request = return_row(order, status=status)
    client.force_login(agent())

    text = act(client, request, action, message="x")

    assert message in text
    assert request.status == status
    assert not request.events.exclude(to_status=status).exists()


def test_close_a_resolved_return_and_cancel_a_requested_one(client, order):
    resolved = return_row(order, status=Status.REFUNDED)
    waiting = return_row(order)
    client.force_login(agent())

    act(client, resolved, "close")
    act(client, waiting, "cancel")

    assert resolved.status == Status.CLOSED and resolved.closed_at
    assert waiting.status == Status.CANCELLED


def test_keep_the_item_approval_goes_straight_to_inspected(client, order):
    request = return_row(order, method=Method.KEEP)
    client.force_login(agent())

    act(client, request, "approve")

    assert request.status == Status.INSPECTED
    assert set(request.lines.values_list("outcome", flat=True)) == {"accepted"}


def test_unknown_action_or_return_is_not_found_and_get_is_not_allowed(client, order):
    request = return_row(order)
    client.force_login(agent())

    assert (
        client.post(
            reverse("returns_returnrequest:action", args=[request.pk, "refund"])
        ).status_code
        == 404
    )
    assert (
        client.post(reverse("returns_returnrequest:action", args=[999999, "approve"])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("returns_returnrequest:action", args=[request.pk, "approve"])
        ).status_code
        == 405
    )
    assert client.get(reverse("returns_returnrequest:inspect", args=[999999])).status_code == 404


# --- Photos -----------------------------------------------------------------------------


def test_photos_are_served_to_agents_only_and_only_under_their_return(client, order):
    request = return_row(order)
    other = return_row(order)
    photo = photo_of(request.lines.get())
    url = reverse("returns_returnrequest:photo", args=[request.pk, photo.pk])
    client.force_login(agent())

    full = client.get(url)
    assert full.status_code == 200 and full["Content-Type"] == "image/png"
    assert full["X-Content-Type-Options"] == "nosniff" and "private" in full["Cache-Control"]
    thumb = client.get(url, {"size": "thumb"})
    assert thumb["Content-Type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320
    wrong = reverse("returns_returnrequest:photo", args=[other.pk, photo.pk])
    assert client.get(wrong).status_code == 404

    client.force_login(editor())
    assert client.get(url).status_code == 302


def test_a_photo_whose_file_is_gone_is_not_found(client, order):
    request = return_row(order)
    photo = photo_of(request.lines.get())
    photo.image.storage.delete(photo.image.name)
    client.force_login(agent())

    url = reverse("returns_returnrequest:photo", args=[request.pk, photo.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"size": "thumb"}).status_code == 404
