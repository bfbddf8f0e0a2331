"""A local stand-in for api.stripe.com: a real HTTP server on 127.0.0.1 (random port).

It answers what Portico asks Stripe, with Stripe's objects and error objects, so the real
``stripe`` library parses the answers as it would Stripe's:

- ``GET /v1/checkout/sessions/<id>/line_items`` — a list object (``{"object": "list",
  "data", "has_more", "url"}``), paged by ``limit`` / ``starting_after``;
- ``POST /v1/coupons``, ``POST /v1/promotion_codes`` and ``POST /v1/promotion_codes/<id>``;
- ``POST /v1/refunds``, ``GET /v1/refunds/<id>`` and ``GET /v1/refunds?payment_intent=``
  on the PaymentIntents a test registers (``refunds.py``).

A wrong key gets Stripe's 401, an unknown object its 404. ``Idempotency-Key`` works as
Stripe's: the same key with the same parameters replays the first response (with
``Idempotent-Replayed: true``) and creates nothing; with other parameters it is a 400
``idempotency_error``. Every request is recorded so a test can check the key, the headers
and the pages the library asked for.

    with FakeStripe(api_key="sk_test_…", page_size=2) as fake:
        fake.line_items["cs_test_…"] = [...]
        fake.payment_intents["pi_…"] = {"amount": 6580, "currency": "eur"}
        settings.STRIPE_API_BASE = fake.url

Controls: ``failing`` (every POST answers 500), ``fail_posts = n`` (the next n POSTs
answer 500 and change nothing; the library retries with the same key), ``lose_responses
= n`` (the next n refund POSTs are applied but the connection is closed unanswered, as a
timeout looks), ``refund_status`` (what new refunds become) and ``set_refund_status``.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .refunds import RefundsMixin, error_body

LINE_ITEMS_PREFIX = "/v1/checkout/sessions/"
LINE_ITEMS_SUFFIX = "/line_items"


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")


class FakeStripe(RefundsMixin):
    def __init__(self, *, api_key: str, page_size: int = 100):
        self.api_key = api_key
        # Smaller than the limit a client asks for, it makes every list span several pages
        # (the real API also may return fewer items than ``limit``).
        self.page_size = page_size
        self.line_items: dict[str, list[dict]] = {}
        self.requests: list[RecordedRequest] = []
        # What POSTs created, by id; a failing Stripe answers every POST with a 500.
        self.coupons: dict[str, dict] = {}
        self.promotion_codes: dict[str, dict] = {}
        self.failing = False
        self.fail_posts = 0
        self.lose_responses = 0
        # Idempotency-Key → (the request it was first used with, status, body).
        self._idempotent: dict[str, tuple[tuple, int, dict]] = {}
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        RefundsMixin.__init__(self)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeStripe:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake._handle(self)

            def do_POST(self):
                fake._handle_post(self)

            def log_message(self, format, *args):
                pass  # keep test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # A short poll keeps stop() quick; the server answers at once either way.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- the API ------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        headers = {key.lower(): value for key, value in handler.headers.items()}
        with self._lock:
            self.requests.append(RecordedRequest("GET", parts.path, query, headers))

        if headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(
                handler,
                401,
                "invalid_request_error",
                "Invalid API Key provided.",
                code="api_key_invalid",
            )
        path = parts.path
        if path == "/v1/refunds" or path.startswith("/v1/refunds/"):
            with self._lock:
                status, data = self._refunds_get(path, query)
            return self._json(handler, status, data)
        if not (path.startswith(LINE_ITEMS_PREFIX) and path.endswith(LINE_ITEMS_SUFFIX)):
            return self._error(
                handler, 404, "invalid_request_error", f"Unrecognized request URL (GET: {path})."
            )
        session_id = unquote(path[len(LINE_ITEMS_PREFIX) : -len(LINE_ITEMS_SUFFIX)])
        items = self.line_items.get(session_id)
        if items is None:
            return self._error(
                handler,
                404,
                "invalid_request_error",
                f"No such checkout.session: '{session_id}'",
                code="resource_missing",
                param="session",
            )
        status, data = self._page(items, query, path)
        return self._json(handler, status, data)

    def _page(self, items: list[dict], query: dict[str, str], url: str) -> tuple[int, dict]:
        """One page of a list object, as ``limit`` and ``starting_after`` ask."""
        try:
            limit = int(query.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return 400, error_body(
                "invalid_request_error",
                "Invalid integer: limit must be between 1 and 100.",
                param="limit",
            )
        start = 0
        if "starting_after" in query:
            ids = [item["id"] for item in items]
            if query["starting_after"] not in ids:
                return 400, error_body(
                    "invalid_request_error", "Invalid starting_after id.", param="starting_after"
                )
            start = ids.index(query["starting_after"]) + 1
        page = items[start : start + min(limit, self.page_size)]
        return 200, {
            "object": "list",
            "data": page,
            "has_more": start + len(page) < len(items),
            "url": url,
        }

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        """Form-encoded POSTs (Stripe's bracket notation), honouring ``Idempotency-Key``
        as Stripe does: the same key and parameters answer with the first response and
        create nothing more; the same key with other parameters is refused."""
        parts = urlsplit(handler.path)
        headers = {key.lower(): value for key, value in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        raw = handler.rfile.read(length).decode()
        form = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        with self._lock:
            self.requests.append(RecordedRequest("POST", parts.path, form, headers))
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(handler, 401, "invalid_request_error", "Invalid API Key provided.")
        with self._lock:
            failing = self.failing or self.fail_posts > 0
            self.fail_posts = max(0, self.fail_posts - 1)
        if failing:
            # Failed before the endpoint ran: nothing saved under the key, as at Stripe.
            return self._error(handler, 500, "api_error", "Something went wrong on Stripe's end.")
        key = headers.get("idempotency-key", "")
        request = (parts.path, tuple(sorted(form.items())))
        replayed = False
        with self._lock:
            if key and key in self._idempotent:
                first, status, data = self._idempotent[key]
                if first == request:
                    replayed = True
                else:
                    status, data = (
                        400,
                        error_body(
                            "idempotency_error",
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                        ),
                    )
            else:
                status, data = self._create(parts.path, form)
                if key:
                    self._idempotent[key] = (request, status, data)
            lose = parts.path == "/v1/refunds" and self.lose_responses > 0
            if lose:
                self.lose_responses -= 1
            data = json.loads(json.dumps(data))  # a snapshot: later changes are not sent
        if lose:
            # Applied, then the connection drops before the answer: what a timeout looks
            # like to the client, which cannot know whether anything happened.
            handler.close_connection = True
            return None
        extra = {"Idempotent-Replayed": "true"} if replayed else {}
        return self._json(handler, status, data, headers=extra)

    def _create(self, path: str, form: dict[str, str]) -> tuple[int, dict]:
        def error(message, param):
            return 400, error_body("invalid_request_error", message, param=param)

        if path == "/v1/refunds":
            return self._refund_create(form)
        if path == "/v1/coupons":
            if not form.get("amount_off") and not form.get("percent_off"):
                return error("Must provide amount_off or percent_off.", "amount_off")
            if form.get("amount_off") and not form.get("currency"):
                return error("Must provide currency with amount_off.", "currency")
            coupon = {
                "id": f"coupon_fake{len(self.coupons) + 1:04d}",
                "object": "coupon",
                "amount_off": int(form["amount_off"]) if form.get("amount_off") else None,
                "currency": form.get("currency"),
                "percent_off": float(form["percent_off"]) if form.get("percent_off") else None,
                "duration": form.get("duration", "once"),
                "max_redemptions": int(form["max_redemptions"])
                if form.get("max_redemptions")
                else None,
                "name": form.get("name"),
                "valid": True,
            }
            self.coupons[coupon["id"]] = coupon
            return 200, coupon
        if path == "/v1/promotion_codes":
            coupon_id = form.get("promotion[coupon]", "")
            if form.get("promotion[type]") != "coupon" or coupon_id not in self.coupons:
                return error(f"No such coupon: '{coupon_id}'", "promotion[coupon]")
            code = form.get("code", "")
            if any(p["code"].lower() == code.lower() for p in self.promotion_codes.values()):
                return error("An active promotion code with this code already exists.", "code")
            promotion = {
                "id": f"promo_fake{len(self.promotion_codes) + 1:04d}",
                "object": "promotion_code",
                "active": True,
                "code": code,
                "promotion": {"type": "coupon", "coupon": coupon_id},
                "max_redemptions": int(form["max_redemptions"])
                if form.get("max_redemptions")
                else None,
                "restrictions": {
                    "minimum_amount": int(form["restrictions[minimum_amount]"])
                    if form.get("restrictions[minimum_amount]")
                    else None,
                    "minimum_amount_currency": form.get("restrictions[minimum_amount_currency]"),
                },
                "times_redeemed": 0,
            }
            self.promotion_codes[promotion["id"]] = promotion
            return 200, promotion
        if path.startswith("/v1/promotion_codes/"):
            promotion = self.promotion_codes.get(path.rsplit("/", 1)[-1])
            if promotion is None:
                return 404, error_body("invalid_request_error", "No such promotion code")
            if "active" in form:
                promotion["active"] = form["active"] == "true"
            return 200, promotion
        return 404, error_body("invalid_request_error", f"Unrecognized request URL (POST: {path}).")

    def _error(self, handler, status, kind, message, *, code=None, param=None) -> None:
        self._json(handler, status, error_body(kind, message, code=code, param=param))

    def _json(self, handler, status: int, data: dict, *, headers: dict | None = None) -> None:
        body = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Request-Id", f"req_fake{len(self.requests):06d}")
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
