"""A local stand-in for api.stripe.com: a real HTTP server on 127.0.0.1 (random port).

It answers what Portico asks Stripe — ``GET /v1/checkout/sessions/<id>/line_items`` —
with Stripe's list objects (``{"object": "list", "data", "has_more", "url"}``), paged by
``limit`` / ``starting_after`` like the real API, answers a wrong key with Stripe's 401
error object and an unknown session with its 404, and records every request so a test
can check the key, the headers and the pages the library asked for.

    with FakeStripe(api_key="sk_test_…", page_size=2) as fake:
        fake.line_items["cs_test_…"] = [...]
        settings.STRIPE_API_BASE = fake.url
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

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


class FakeStripe:
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
        self._idempotent: dict[str, tuple[int, dict]] = {}
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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

        try:
            limit = int(query.get("limit", "10"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return self._error(
                handler,
                400,
                "invalid_request_error",
                "Invalid integer: limit must be between 1 and 100.",
                param="limit",
            )
        start = 0
        if "starting_after" in query:
            ids = [item["id"] for item in items]
            if query["starting_after"] not in ids:
                return self._error(
                    handler,
                    400,
                    "invalid_request_error",
                    "Invalid starting_after id.",
                    param="starting_after",
                )
            start = ids.index(query["starting_after"]) + 1
        page = items[start : start + min(limit, self.page_size)]
        return self._json(
            handler,
            200,
            {
                "object": "list",
                "data": page,
                "has_more": start + len(page) < len(items),
                "url": path,
            },
        )

    def _handle_post(self, handler: BaseHTTPRequestHandler) -> None:
        """``POST /v1/coupons`` and ``POST /v1/promotion_codes`` (form-encoded, with
        Stripe's bracket notation), honouring ``Idempotency-Key`` as Stripe does: the same
        key answers with the first response and creates nothing more."""
        parts = urlsplit(handler.path)
        headers = {key.lower(): value for key, value in handler.headers.items()}
        length = int(headers.get("content-length") or 0)
        form = {k: v[-1] for k, v in parse_qs(handler.rfile.read(length).decode()).items()}
        with self._lock:
            self.requests.append(RecordedRequest("POST", parts.path, form, headers))
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return self._error(handler, 401, "invalid_request_error", "Invalid API Key provided.")
        if self.failing:
            return self._error(handler, 500, "api_error", "Something went wrong on Stripe's end.")
        key = headers.get("idempotency-key", "")
        with self._lock:
            if key and key in self._idempotent:
                status, data = self._idempotent[key]
                return self._json(handler, status, data)
            status, data = self._create(parts.path, form)
            if key:
                self._idempotent[key] = (status, data)
        return self._json(handler, status, data)

    def _create(self, path: str, form: dict[str, str]) -> tuple[int, dict]:
        def error(message, param):
            return 400, {"error": {"type": "invalid_request_error", "message": message,
                                   "param": param}}  # fmt: skip

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
                return 404, {"error": {"type": "invalid_request_error",
                                       "message": "No such promotion code"}}  # fmt: skip
            if "active" in form:
                promotion["active"] = form["active"] == "true"
            return 200, promotion
        return 404, {"error": {"type": "invalid_request_error",
                               "message": f"Unrecognized request URL (POST: {path})."}}  # fmt: skip

    def _error(self, handler, status, kind, message, *, code=None, param=None) -> None:
        error = {"type": kind, "message": message}
        if code:
            error["code"] = code
        if param:
            error["param"] = param
        self._json(handler, status, {"error": error})

    def _json(self, handler, status: int, data: dict) -> None:
        body = json.dumps(data).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.send_header("Request-Id", f"req_fake{len(self.requests):06d}")
        handler.end_headers()
        handler.wfile.write(body)
