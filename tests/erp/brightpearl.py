#!/usr/bin/env python3
"""LOCAL STAND-IN FOR THE BRIGHTPEARL REST API -- NOT BRIGHTPEARL.

A test and demo server for wharf's Brightpearl connector. It imitates the
handful of Brightpearl calls the connector makes, with state kept in memory
and driven by tests through the /_test/ control API (README.md beside this
file). Nothing here talks to Brightpearl, and nothing it answers is
Brightpearl's word: where the public documentation is silent, the stand-in
makes a choice and README.md says so.

Documented behaviours imitated, and where they are written down (the notes
in shared/research/erp-as2.md section 1 give the details):

  URL form /public-api/{account}/{service}/{resource}; ID sets "1-5,7"
      https://api-docs.brightpearl.com/order/order/post.html
      https://www.brightpearl.com/developer/latest/concept/index.html
  Body {"response": ...} or {"errors":[{code, message}]}, never both;
  null fields omitted; CMNC-404 for an unknown resource, CMNC-010 for a
  missing JSON body
      https://help.brightpearl.com/hc/en-us/articles/212644943-Structure-of-JSON-responses
  404 also means "no results" for a multi-resource GET
      https://help.brightpearl.com/hc/en-us/articles/212644843-HTTP-status-codes
  200 requests per minute, then HTTP 503; every answer carries
  brightpearl-requests-remaining (0-199) and brightpearl-next-throttle-period (ms)
      https://help.brightpearl.com/hc/en-us/articles/212644823-Request-throttling
  Private app: brightpearl-app-ref + brightpearl-staff-token
      https://help.brightpearl.com/hc/en-us/articles/4414311366545
  OAuth: Authorization Bearer + brightpearl-app-ref + brightpearl-dev-ref;
  POST /oauth/token (or /{account}/oauth/token), form-encoded,
  grant_type authorization_code | refresh_token, snake_case JSON answer
  with the account's api_domain
      https://help.brightpearl.com/hc/en-us/articles/4414330000657
      https://help.brightpearl.com/hc/en-us/articles/360032240811-OAuth-authentication
      https://api-docs.brightpearl.com/utilities/oauth-token/post.html
  Resource search: filters by column, firstResult (1-based), pageSize,
  sort=col|ASC; metaData + positional results; date ranges FROM/TO, FROM/
      https://www.brightpearl.com/developer/latest/concept/index.html
  POST sales-order (rows inline, answer = new id; quantity a string, whole
  for stock-tracked products; net/tax up to 4 dp; taxCode required)
      https://api-docs.brightpearl.com/order/sales-order/post.html
      https://api-docs.brightpearl.com/order/sales-order-row/put.html
  PUT sales-order replaces the document; If-Match: version, 412 on mismatch
      https://api-docs.brightpearl.com/order/sales-order/put.html
  GET order (orderRows keyed by row id, quantity.magnitude, rowValue, ...)
      https://api-docs.brightpearl.com/order/order/post.html (field set)
  PUT order/{id}/status {orderStatusId, orderNote}; no cancelling once the
  order has goods-out notes or an invoice
      https://api-docs.brightpearl.com/order/order-status-update/put.html
  Postal address, then contact with postAddressIds {DEF, BIL, DEL}
      (research notes 1.5: rubydoc brightpearl_api, snowio ContactCreate)
  Goods-out notes: POST one note per warehouse; events PRI/PIC/PAC/SHW with
  the field spelled "occured", SHW back-fills the others; If-Match with
  lastEventVersion; GET by order and note id sets; PUT shipping; search
      https://api-docs.brightpearl.com/warehouse/goods-out-note/post.html
      (research notes 1.5: Goods-Out Note Event POST; snowio GoodsOutNoteTest)
  Product availability total/warehouses {inStock, onHand, allocated, inTransit}
      https://api-docs.brightpearl.com/warehouse/product-availability/get.html
  Product search by SKU (exact)
      https://api-docs.brightpearl.com/product/product/search.html
  Webhooks {subscribeTo, httpMethod, uriTemplate, bodyTemplate, contentType,
  idSetAccepted, qualityOfService}; ${...} template variables; event names
      https://api-docs.brightpearl.com/integration/webhook/post.html
      https://help.brightpearl.com/hc/en-us/articles/212644883-Subscribable-resource-events
      https://help.brightpearl.com/hc/en-us/articles/212644863-Webhooks
  No idempotency key on order POST: two POSTs make two orders.

Python 3 standard library only.

Usage:
  brightpearl.py [--port N] [--port-file PATH] [--cert PEM --key PEM]
                 [--account acme] [--app-ref acme_wharf] [--dev-ref wharf-dev]
                 [--staff-token T] [--client-id ID] [--client-secret S]
                 [--refresh-token T] [--token-seconds 3600]
                 [--rate-per-minute 200] [--hold-seconds 30]
                 [--utc-offset +00:00] [--base-currency USD] [--state FILE]
                 [--webhook-ca PEM] [--verbose]
Prints exactly one line "listening PORT" on stdout once it accepts requests.
"""

import argparse
import copy
import datetime as dt
import json
import os
import queue
import re
import secrets
import ssl
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import standin  # noqa: E402  (tests/lib/standin.py)
from standin import serve  # noqa: E402

BANNER = "wharf local Brightpearl stand-in (NOT Brightpearl; for tests and demos only)"
UTC = dt.timezone.utc
MAX_BODY = 10 * 1024 * 1024
MAX_LOG = 10000
FAULT_KINDS = ("500", "503", "timeout", "cut", "lost", "401", "412")
SECRET_HEADERS = ("authorization", "brightpearl-staff-token", "brightpearl-account-token")
SECRET_FORM = ("client_secret", "code", "refresh_token")
EVENT_CODES = ("PRI", "UPR", "PIC", "UPI", "PAC", "UPA", "SHW")

DEFAULT_PRODUCTS = [
    # the SKUs are the vendor part numbers of tests/canonical/order-rp.xml and order-df.xml
    {"id": 1001, "SKU": "ACME-1001", "name": "Acme widget, blue", "stockTracked": True,
     "barcode": "012345678905"},
    {"id": 1002, "SKU": "ACME-1002", "name": "Acme widget, red", "stockTracked": True,
     "barcode": "084123450010"},
    {"id": 1003, "SKU": "ACME-2001", "name": "Acme gadget", "stockTracked": True,
     "barcode": "084123450027"},
    {"id": 1004, "SKU": "SHIP-STD", "name": "Shipping", "stockTracked": False},
]
DEFAULT_WAREHOUSES = [
    {"id": 2, "name": "Main warehouse", "address": {"streetAddress": "1 Dock Road", "postcode": "08817",
                                                    "city": "Edison", "state": "NJ", "countryIsoCode2": "US"}},
    {"id": 3, "name": "West warehouse", "address": {"streetAddress": "9 Harbor Way", "postcode": "85043",
                                                    "city": "Phoenix", "state": "AZ", "countryIsoCode2": "US"}},
]
DEFAULT_STOCK = [
    {"productId": 1001, "warehouseId": 2, "onHand": 100, "allocated": 10},
    {"productId": 1001, "warehouseId": 3, "onHand": 20, "allocated": 0},
    {"productId": 1002, "warehouseId": 2, "onHand": 50, "allocated": 0},
    {"productId": 1003, "warehouseId": 2, "onHand": 8, "allocated": 2},
]
DEFAULT_STATUSES = [
    {"id": 1, "name": "Draft / Quote"},
    {"id": 2, "name": "New web order"},
    {"id": 4, "name": "Invoiced"},
    {"id": 20, "name": "Amazon: accepted"},
    {"id": 21, "name": "Amazon: rejected"},
]

# --------------------------------------------------------------------------
# values: dates, decimals, id sets

_DT_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?"
                    r"(Z|z|[+-]\d{2}:?\d{2})?$")


def parse_dt(s):
    """An ISO-8601 date or date-time; no zone means UTC. None if it is not one."""
    if not isinstance(s, str):
        return None
    m = _DT_RE.match(s.strip())
    if not m:
        return None
    date, clock, zone = m.groups()
    clock = clock or "00:00:00"
    if len(clock) == 5:
        clock += ":00"
    frac = ""
    if "." in clock:
        clock, frac = clock.split(".")
        frac = "." + (frac + "000000")[:6]
    if not zone or zone in ("Z", "z"):
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    try:
        return dt.datetime.fromisoformat(date + "T" + clock + frac + zone)
    except ValueError:
        return None


def parse_offset(s):
    m = re.match(r"^([+-])(\d{2}):?(\d{2})$", s or "")
    if not m:
        raise ValueError("want an offset like +00:00 or -05:00, got %r" % s)
    d = dt.timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return dt.timezone(-d if m.group(1) == "-" else d)


_DEC_RE = re.compile(r"^-?\d{1,12}(\.\d{1,4})?$")


def dec(s):
    """A decimal string of at most 4 places, as Decimal; None if it is not one."""
    if not isinstance(s, str) or not _DEC_RE.match(s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def money(d):
    """Exact decimal string, at least 2 places, at most 4 (trailing zeros cut)."""
    s = format(d.quantize(Decimal("0.0001")), "f")
    whole, frac = s.split(".")
    frac = frac.rstrip("0")
    return whole + "." + (frac + "00")[:max(2, len(frac))]


def parse_idset(s, limit=500):
    """ "1-5,7" -> [1,2,3,4,5,7]; ValueError if malformed or over the limit."""
    out = []
    for part in s.split(","):
        m = re.match(r"^(\d+)(?:-(\d+))?$", part.strip())
        if not m:
            raise ValueError("not an ID set: %s" % s)
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        if b < a or b - a > limit:
            raise ValueError("not an ID set: %s" % s)
        out.extend(range(a, b + 1))
        if len(out) > limit:
            raise ValueError("an ID set holds at most %d ids" % limit)
    seen = set()
    return [i for i in out if not (i in seen or seen.add(i))]


class ApiError(Exception):
    """An answer in the errors envelope: {"errors":[{code, message}...]}."""

    def __init__(self, status, code, messages, headers=None):
        if isinstance(messages, str):
            messages = [messages]
        super().__init__("; ".join(messages))
        self.status, self.code, self.messages = status, code, messages
        self.headers = headers or {}

    def body(self):
        return {"errors": [{"code": self.code, "message": m} for m in self.messages]}


def bad(messages):
    return ApiError(400, "CMNC-400", messages)


def not_found(what):
    return ApiError(404, "CMNC-404", "Cannot find the resource " + what)


# --------------------------------------------------------------------------
# resource search (the Brightpearl search format)

class Column:
    def __init__(self, name, typ, get):
        self.name, self.typ, self.get = name, typ, get   # typ: INTEGER STRING DATETIME BOOLEAN


def run_search(q, columns, records, fmt_time):
    """Filters, sorts and pages records; answers {metaData, results} with
    positional rows. Raises ApiError 400 for a bad parameter."""
    by = {c.name: c for c in columns}
    paging = ("firstResult", "pageSize", "sort", "columns")
    rows = list(records)
    for k, v in q.items():
        if k in paging:
            continue
        c = by.get(k)
        if c is None:
            raise bad("%s is not a filterable column (columns: %s)" % (k, ", ".join(by)))
        rows = [r for r in rows if _matches(c, c.get(r), v, k)]
    try:
        first = int(q.get("firstResult", "1"))
        size = int(q.get("pageSize", "200"))
    except ValueError:
        raise bad("firstResult and pageSize are whole numbers")
    if first < 1:
        raise bad("firstResult starts at 1")
    if size < 1 or size > 500:
        # LIMIT: a search page holds at most 500 results
        raise bad("pageSize must be between 1 and 500")
    key, desc = columns[0], False
    if q.get("sort"):
        name, _, direction = q["sort"].partition("|")
        if name not in by or direction.upper() not in ("", "ASC", "DESC"):
            raise bad("sort wants column|ASC or column|DESC: " + q["sort"])
        key, desc = by[name], direction.upper() == "DESC"
    pk = columns[0]
    rows.sort(key=lambda r: (_sort_key(key, key.get(r)), pk.get(r)), reverse=desc)
    shown = columns
    if q.get("columns"):
        names = [n.strip() for n in q["columns"].split(",") if n.strip()]
        for n in names:
            if n not in by:
                raise bad("no such column: " + n)
        shown = [by[n] for n in names]
    page = rows[first - 1:first - 1 + size]
    results = []
    for r in page:
        line = []
        for c in shown:
            v = c.get(r)
            if c.typ == "DATETIME" and isinstance(v, dt.datetime):
                v = fmt_time(v)
            line.append(v)
        results.append(line)
    return {
        "metaData": {
            "resultsAvailable": len(rows),
            "resultsReturned": len(page),
            "firstResult": first,
            "lastResult": first + len(page) - 1,
            "columns": [{"name": c.name, "sortable": True, "filterable": True,
                         "reportDataType": "PERIOD" if c.typ == "DATETIME" else c.typ} for c in shown],
            "sorting": [{"filterable": {"name": key.name}, "direction": "DESC" if desc else "ASC"}],
        },
        "results": results,
    }


def _sort_key(c, v):
    if v is None:
        return (0, "")
    if c.typ == "DATETIME":
        return (1, v.timestamp())
    if c.typ == "STRING":
        return (1, str(v).lower())
    return (1, v)


def _matches(c, v, want, name):
    if c.typ == "DATETIME":
        lo, sep, hi = want.partition("/")
        a = parse_dt(lo) if lo else None
        b = parse_dt(hi) if hi else None
        if (lo and a is None) or (hi and b is None) or (not lo and not hi):
            raise bad("%s wants a date range FROM/TO, FROM/ or /TO (ISO-8601; encode '+' as %%2B): %s" % (name, want))
        if not sep:
            b = a
        if v is None:
            return False
        return (a is None or v >= a) and (b is None or v <= b)
    if c.typ == "INTEGER":
        try:
            ids = parse_idset(want, 10000)
        except ValueError:
            raise bad("%s wants an id or an ID set: %s" % (name, want))
        return v in ids
    if c.typ == "BOOLEAN":
        if want.lower() not in ("true", "false"):
            raise bad("%s wants true or false: %s" % (name, want))
        return bool(v) == (want.lower() == "true")
    return v is not None and str(v).lower() == want.lower()


# --------------------------------------------------------------------------
# state

class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.tz = parse_offset(args.utc_offset)
        self.tokens = {}            # token -> {kind: access|refresh, expires (datetime or None)}
        self.codes = {}             # one-use authorization code -> {redirect_uri}
        if args.refresh_token:
            self.tokens[args.refresh_token] = {"kind": "refresh", "expires": None}
        self.deliveries = []
        self.pending = 0
        self.idle = threading.Condition(self.lock)
        self.outbox = queue.Queue()
        self.reset()

    def reset(self, tokens=False):
        with self.lock:
            self.fixed = None         # a fixed clock (datetime) or None
            self.offset = 0.0         # seconds added to the real clock
            self.next_id = {"contact": 201, "address": 301, "order": 5001, "row": 9001,
                            "note": 701, "webhook": 1}
            self.products, self.warehouses, self.stock, self.statuses = {}, {}, {}, {}
            self.contacts, self.addresses, self.orders, self.notes = {}, {}, {}, {}
            self.order_notes = {}     # orderId -> [orderNote...] from status changes
            self.puts_without_if_match = []
            self.webhooks = {}
            self.drop = 0             # deliveries to drop (-1: all)
            self.deliveries = []
            self.faults = []
            self.requests = []
            self.seq = 0
            self.rate = self.args.rate_per_minute
            self.window = None        # (start datetime, count)
            self.rotate = False       # /_test/refresh-policy: a new refresh token on each refresh
            self.rotations = 0
            if tokens:
                self.tokens.clear()
                self.codes.clear()
                if self.args.refresh_token:
                    self.tokens[self.args.refresh_token] = {"kind": "refresh", "expires": None}
            self.seed({"products": DEFAULT_PRODUCTS, "warehouses": DEFAULT_WAREHOUSES,
                       "stock": DEFAULT_STOCK, "statuses": DEFAULT_STATUSES})

    # ---- time ---------------------------------------------------------------
    def now(self):
        if self.fixed is not None:
            return self.fixed
        return dt.datetime.fromtimestamp(time.time() + self.offset, UTC)

    def fmt(self, t):
        """Brightpearl's form: 2026-07-01T10:00:00.000+01:00 (the account's offset)."""
        t = t.astimezone(self.tz)
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (t.microsecond // 1000) + t.strftime("%z")[:3] + ":" + t.strftime("%z")[3:]

    def new_id(self, kind):
        with self.lock:
            n = self.next_id[kind]
            self.next_id[kind] = n + 1
            return n

    # ---- rate limit ----------------------------------------------------------
    def take_rate(self, count=True):
        """(allowed, remaining, ms to the next period). The period starts with
        the first request after the last one ended and lasts a minute."""
        with self.lock:
            now = self.now()
            if self.window is None or (now - self.window[0]).total_seconds() >= 60:
                self.window = (now, 0)
            start, used = self.window
            ms = max(0, int(60000 - (now - start).total_seconds() * 1000))
            if not count:
                return True, max(0, min(199, self.rate - used)), ms
            if used >= self.rate:
                return False, 0, ms
            used += 1
            self.window = (start, used)
            return True, max(0, min(199, self.rate - used)), ms

    # ---- faults --------------------------------------------------------------
    def take_fault(self, method, path):
        with self.lock:
            hit = None
            for f in self.faults:
                if f["times"] <= 0:
                    continue
                if f["method"] not in ("*", method) or not re.search(f["path"], path):
                    continue
                if f["after"] > 0:
                    f["after"] -= 1
                    continue
                if hit is None:
                    f["times"] -= 1
                    hit = dict(f)
            return hit

    # ---- seeds ----------------------------------------------------------------
    def seed(self, body):
        with self.lock:
            for p in body.get("products", []):
                pid = int(p["id"])
                self.products[pid] = {"id": pid, "SKU": str(p.get("SKU", "")), "name": str(p.get("name", "")),
                                      "stockTracked": bool(p.get("stockTracked", True)),
                                      "barcode": p.get("barcode")}
            for w in body.get("warehouses", []):
                wid = int(w["id"])
                self.warehouses[wid] = {"id": wid, "name": str(w.get("name", "Warehouse %d" % wid)),
                                        "address": dict(w.get("address") or {})}
            for s in body.get("stock", []):
                key = (int(s["productId"]), int(s["warehouseId"]))
                self.stock[key] = {"onHand": int(s.get("onHand", 0)), "allocated": int(s.get("allocated", 0)),
                                   "inTransit": int(s.get("inTransit", 0))}
            for s in body.get("statuses", []):
                self.statuses[int(s["id"])] = str(s["name"])
            made = []
            for c in body.get("contacts", []):
                made.append(self.add_contact(c))
            return made

    def add_contact(self, c):
        """A contact from the control API's flat form (companyName, email ...)."""
        cid = int(c["id"]) if c.get("id") else self.new_id("contact")
        self.next_id["contact"] = max(self.next_id["contact"], cid + 1)
        now = self.now()
        self.contacts[cid] = {
            "contactId": cid, "firstName": c.get("firstName"), "lastName": c.get("lastName"),
            "postAddressIds": {}, "organisation": {"organisationId": cid, "name": c.get("companyName")},
            "communication": {"emails": {"PRI": {"email": c["email"]}}} if c.get("email") else {},
            "relationshipToAccount": {"isCustomer": bool(c.get("isCustomer", True)), "isSupplier": False,
                                      "isStaff": False},
            "createdOn": now, "updatedOn": now,
        }
        return cid

    # ---- output ------------------------------------------------------------------
    def out(self, v):
        """A deep copy with datetimes in Brightpearl's form and None fields dropped."""
        if isinstance(v, dt.datetime):
            return self.fmt(v)
        if isinstance(v, dict):
            return {str(k): self.out(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [self.out(x) for x in v]
        return v

    def dump(self):
        with self.lock:
            return {
                "banner": BANNER,
                "now": self.fmt(self.now()),
                "fixedClock": self.fixed is not None,
                "account": self.args.account,
                "rate": {"perMinute": self.rate, "used": self.window[1] if self.window else 0},
                "products": self.out(list(self.products.values())),
                "warehouses": self.out(list(self.warehouses.values())),
                "stock": [{"productId": k[0], "warehouseId": k[1], **v} for k, v in sorted(self.stock.items())],
                "statuses": [{"id": k, "name": v} for k, v in sorted(self.statuses.items())],
                "contacts": self.out(list(self.contacts.values())),
                "addresses": self.out(list(self.addresses.values())),
                "orders": self.out(list(self.orders.values())),
                "orderNotes": self.out(self.order_notes),
                "putsWithoutIfMatch": list(self.puts_without_if_match),
                "goodsOutNotes": self.out({k: v for k, v in self.notes.items()}),
                "webhooks": self.out(list(self.webhooks.values())),
                "faults": [f for f in self.faults if f["times"] > 0],
                "tokens": {"access": sum(1 for t in self.tokens.values() if t["kind"] == "access"),
                           "refresh": sum(1 for t in self.tokens.values() if t["kind"] == "refresh")},
            }

    def save(self):
        if not self.args.state:
            return
        with self.lock:
            data = json.dumps(self.dump(), indent=1)
        tmp = "%s.%d.tmp" % (self.args.state, threading.get_ident())
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(data)
        os.replace(tmp, self.args.state)


# --------------------------------------------------------------------------
# webhooks: rendered and delivered by one background thread, in order

def render(template, ctx):
    return re.sub(r"\$\{([a-z-]+)\}", lambda m: str(ctx.get(m.group(1), m.group(0))), template or "")


class Deliverer(threading.Thread):
    daemon = True

    def __init__(self, st):
        super().__init__(name="webhook-deliverer")
        self.st = st

    def run(self):
        while True:
            d = self.st.outbox.get()
            try:
                self.deliver(d)
            except Exception as e:  # a delivery never takes the stand-in down
                with self.st.lock:
                    d.update(status="failed", error="stand-in error: %r" % e)
            with self.st.lock:
                self.st.pending -= 1
                self.st.idle.notify_all()

    def deliver(self, d):
        """Makes the request (again, for quality of service 1); the outcome
        goes into d under the lock, where /_test/webhooks reads it."""
        tries = 3 if d["qualityOfService"] == 1 else 1
        data = d["body"].encode("utf-8") if d["method"] in ("POST", "PUT") else None
        for attempt in range(tries):
            res = {"attempts": attempt + 1, "status": "failed"}
            req = urllib.request.Request(d["uri"], data=data, method=d["method"])
            if data is not None:
                req.add_header("Content-Type", d["contentType"])
            ctx = None
            if self.st.args.webhook_ca and d["uri"].startswith("https:"):
                ctx = ssl.create_default_context(cafile=self.st.args.webhook_ca)
            try:
                with urllib.request.urlopen(req, timeout=5, context=ctx) as r:
                    res.update(httpStatus=r.status, status="delivered", error=None)
            except urllib.error.HTTPError as e:
                res.update(httpStatus=e.code, error="HTTP %d" % e.code)
            except (OSError, ValueError) as e:
                res.update(error=str(e))
            with self.st.lock:
                d.update(res)
            if res["status"] == "delivered":
                return
            if attempt + 1 < tries:
                time.sleep(0.2)


def raise_event(st, event, resource_id):
    """Queues a delivery for every webhook subscribed to event. Lock held."""
    resource, _, rest = event.partition(".")
    lifecycle, _, specifier = rest.partition(".")
    now = st.now()
    for w in sorted(st.webhooks.values(), key=lambda w: w["id"]):
        if w["subscribeTo"] != event:
            continue
        ctx = {"account-code": st.args.account, "resource-type": resource, "resource-id": resource_id,
               "lifecycle-event": lifecycle, "resource-specifier": specifier,
               "raised-on": st.fmt(now), "brightpearl-version": "1"}
        d = {"seq": len(st.deliveries) + 1, "webhookId": w["id"], "event": event, "resourceId": resource_id,
             "method": w["httpMethod"], "uri": render(w["uriTemplate"], ctx),
             "body": render(w.get("bodyTemplate"), ctx), "contentType": w.get("contentType") or "application/json",
             "qualityOfService": w.get("qualityOfService", 1), "raisedOn": st.fmt(now),
             "status": "pending", "attempts": 0}
        st.deliveries.append(d)
        if st.drop:
            d["status"] = "dropped"
            if st.drop > 0:
                st.drop -= 1
            continue
        st.pending += 1
        st.outbox.put(d)


# --------------------------------------------------------------------------
# the API

ROUTES = []


def route(method, pattern):
    def wrap(fn):
        ROUTES.append((method, re.compile("^" + pattern + "$"), fn))
        return fn
    return wrap


class Api:
    """One API call: self.q (query), self.body (JSON or None), self.h (headers,
    lower-case). Handlers run with the state lock held and return the value
    of "response" (None: an empty 200)."""

    def __init__(self, st, method, q, body, headers):
        self.st, self.method, self.q, self.body, self.h = st, method, q, body, headers
        self.changed = False

    def need_body(self):
        if not isinstance(self.body, dict):
            raise ApiError(400, "CMNC-010", "You must supply a JSON formatted body with your request")
        return self.body

    def ids(self, s, limit=500):
        try:
            return parse_idset(s, limit)
        except ValueError as e:
            raise bad(str(e))

    # ---- contacts ---------------------------------------------------------
    @route("POST", r"contact-service/postal-address")
    def post_address(self):
        b = self.need_body()
        errs = []
        if not isinstance(b.get("addressLine1"), str) or not b["addressLine1"].strip():
            errs.append("addressLine1: required")
        for k in ("addressLine2", "addressLine3", "addressLine4", "postalCode"):
            if k in b and b[k] is not None and not isinstance(b[k], str):
                errs.append("%s: must be a string" % k)
        iso3 = b.get("countryIsoCode")
        if not isinstance(iso3, str) or not re.match(r"^[A-Z]{3}$", iso3):
            errs.append("countryIsoCode: a 3-letter ISO country code (e.g. GBR, USA), got %s" % json.dumps(iso3))
        if errs:
            raise bad(errs)
        aid = self.st.new_id("address")
        self.st.addresses[aid] = {"addressId": aid, "addressLine1": b.get("addressLine1"),
                                  "addressLine2": b.get("addressLine2"), "addressLine3": b.get("addressLine3"),
                                  "addressLine4": b.get("addressLine4"), "postalCode": b.get("postalCode"),
                                  "countryIsoCode": iso3}
        self.changed = True
        return aid

    @route("GET", r"contact-service/postal-address/([0-9,-]+)")
    def get_address(self, idset):
        found = [self.st.addresses[i] for i in self.ids(idset) if i in self.st.addresses]
        if not found:
            raise not_found("postal-address/" + idset)
        return found

    @route("POST", r"contact-service/contact")
    def post_contact(self):
        b = self.need_body()
        errs = []
        org = b.get("organisation") or {}
        if not isinstance(org, dict):
            errs.append("organisation: must be an object")
            org = {}
        if not any(isinstance(x, str) and x.strip() for x in (b.get("firstName"), b.get("lastName"), org.get("name"))):
            errs.append("firstName, lastName or organisation.name: one is required")
        pa = b.get("postAddressIds") or {}
        if not isinstance(pa, dict):
            errs.append("postAddressIds: must be an object {DEF, BIL, DEL}")
            pa = {}
        for k, v in pa.items():
            if k not in ("DEF", "BIL", "DEL"):
                errs.append("postAddressIds.%s: only DEF, BIL and DEL" % k)
            elif not isinstance(v, int) or v not in self.st.addresses:
                errs.append("postAddressIds.%s: no postal address %s" % (k, json.dumps(v)))
        rel = b.get("relationshipToAccount") or {}
        if not isinstance(rel, dict):
            errs.append("relationshipToAccount: must be an object")
            rel = {}
        if errs:
            raise bad(errs)
        cid = self.st.new_id("contact")
        now = self.st.now()
        self.st.contacts[cid] = {
            "contactId": cid, "salutation": b.get("salutation"), "firstName": b.get("firstName"),
            "lastName": b.get("lastName"), "postAddressIds": dict(pa),
            "communication": copy.deepcopy(b.get("communication") or {}),
            "organisation": {"organisationId": cid, "name": org.get("name")} if org.get("name") else None,
            "relationshipToAccount": {"isCustomer": bool(rel.get("isCustomer", False)),
                                      "isSupplier": bool(rel.get("isSupplier", False)), "isStaff": False},
            "createdOn": now, "updatedOn": now,
        }
        self.changed = True
        return cid

    @route("GET", r"contact-service/contact/([0-9,-]+)")
    def get_contact(self, idset):
        found = [self.st.contacts[i] for i in self.ids(idset) if i in self.st.contacts]
        if not found:
            raise not_found("contact/" + idset)
        return found

    @route("GET", r"contact-service/contact-search")
    def contact_search(self):
        def email(c):
            return (((c.get("communication") or {}).get("emails") or {}).get("PRI") or {}).get("email")
        cols = [Column("contactId", "INTEGER", lambda c: c["contactId"]),
                Column("primaryEmail", "STRING", email),
                Column("firstName", "STRING", lambda c: c.get("firstName")),
                Column("lastName", "STRING", lambda c: c.get("lastName")),
                Column("companyName", "STRING", lambda c: (c.get("organisation") or {}).get("name")),
                Column("isCustomer", "BOOLEAN", lambda c: c["relationshipToAccount"]["isCustomer"])]
        return run_search(self.q, cols, self.st.contacts.values(), self.st.fmt)

    # ---- sales orders ------------------------------------------------------
    def check_address(self, a, where, errs):
        if a is None:
            return
        if not isinstance(a, dict):
            errs.append("%s: must be an object" % where)
            return
        iso3 = a.get("countryIsoCode")
        if iso3 is not None and (not isinstance(iso3, str) or not re.match(r"^[A-Z]{3}$", iso3)):
            errs.append("%s.countryIsoCode: a 3-letter ISO country code, got %s" % (where, json.dumps(iso3)))

    def check_order(self, b, old=None):
        """The errors of a sales-order document, each naming its field."""
        st, errs = self.st, []
        cust = b.get("customer")
        cid = cust.get("id") if isinstance(cust, dict) else None
        if not isinstance(cid, int) or isinstance(cid, bool):
            errs.append("customer.id: required, a contact id")
        elif cid not in st.contacts:
            errs.append("customer.id: no contact %d" % cid)
        cur = b.get("currency")
        code = cur.get("code") if isinstance(cur, dict) else None
        if not isinstance(code, str) or not re.match(r"^[A-Z]{3}$", code):
            errs.append("currency.code: required, a 3-letter currency code")
        rate = cur.get("exchangeRate") if isinstance(cur, dict) else None
        if rate is not None and not (isinstance(rate, str) and re.match(r"^\d{1,6}(\.\d{1,6})?$", rate)):
            errs.append("currency.exchangeRate: a decimal string of at most 6 places")
        for k in ("ref", "externalRef"):
            if k in b and b[k] is not None and not isinstance(b[k], str):
                errs.append("%s: must be a string" % k)
        if "placedOn" in b and b["placedOn"] is not None and parse_dt(b["placedOn"]) is None:
            errs.append("placedOn: an ISO-8601 date-time, got %s" % json.dumps(b["placedOn"]))
        if b.get("statusId") is not None and b["statusId"] not in st.statuses:
            errs.append("statusId: no order status %s" % json.dumps(b["statusId"]))
        if b.get("warehouseId") is not None and b["warehouseId"] not in st.warehouses:
            errs.append("warehouseId: no warehouse %s" % json.dumps(b["warehouseId"]))
        for k in ("channelId", "priceListId"):
            if b.get(k) is not None and (not isinstance(b[k], int) or isinstance(b[k], bool)):
                errs.append("%s: must be an integer" % k)
        if b.get("priceModeCode") is not None and b["priceModeCode"] not in ("EXC", "INC"):
            errs.append("priceModeCode: EXC or INC")
        dl = b.get("delivery")
        if dl is not None:
            if not isinstance(dl, dict):
                errs.append("delivery: must be an object")
            else:
                if dl.get("date") is not None and parse_dt(dl["date"]) is None:
                    errs.append("delivery.date: an ISO-8601 date-time, got %s" % json.dumps(dl["date"]))
                if dl.get("shippingMethodId") is not None and not isinstance(dl["shippingMethodId"], int):
                    errs.append("delivery.shippingMethodId: must be an integer")
                self.check_address(dl.get("address"), "delivery.address", errs)
        bl = b.get("billing")
        if bl is not None:
            if not isinstance(bl, dict):
                errs.append("billing: must be an object")
            else:
                if bl.get("contactId") is not None and bl["contactId"] not in st.contacts:
                    errs.append("billing.contactId: no contact %s" % json.dumps(bl["contactId"]))
                self.check_address(bl.get("address"), "billing.address", errs)
        rows = b.get("rows")
        if not isinstance(rows, list):
            errs.append("rows: required, a list")
            rows = []
        old_rows = old["orderRows"] if old else {}
        for i, r in enumerate(rows):
            w = "rows[%d]" % i
            if not isinstance(r, dict):
                errs.append(w + ": must be an object")
                continue
            if r.get("id") is not None and str(r["id"]) not in old_rows:
                errs.append(w + ".id: no row %s on this order" % json.dumps(r["id"]))
            pid = r.get("productId")
            prod = None
            if pid is not None:
                if not isinstance(pid, int) or isinstance(pid, bool) or pid not in st.products:
                    errs.append(w + ".productId: no product %s" % json.dumps(pid))
                else:
                    prod = st.products[pid]
            elif not isinstance(r.get("name"), str) or not r["name"].strip():
                errs.append(w + ": productId or name is required")
            if not isinstance(r.get("taxCode"), str) or not r["taxCode"].strip():
                errs.append(w + ".taxCode: required")
            qty = r.get("quantity")
            if not isinstance(qty, str):
                errs.append(w + ".quantity: required, a string (e.g. \"2\"), got %s" % json.dumps(qty))
            elif prod is not None and prod["stockTracked"] and not re.match(r"^\d+$", qty):
                errs.append(w + ".quantity: a whole number for the stock-tracked product %s, got %s" % (prod["SKU"], qty))
            elif dec(qty) is None:
                errs.append(w + ".quantity: a decimal string, got %s" % qty)
            for k in ("net", "tax"):
                if dec(r.get(k)) is None:
                    errs.append(w + ".%s: required, a decimal string of at most 4 places, got %s" % (k, json.dumps(r.get(k))))
            for k in ("nominalCode", "externalRef", "name"):
                if r.get(k) is not None and not isinstance(r[k], str):
                    errs.append(w + ".%s: must be a string" % k)
        return errs

    def party(self, contact, addr_kind, override=None, with_contact=True):
        """parties.customer/delivery/billing: the override address, else the
        contact's own address of that kind, else its default."""
        a = {}
        if override:
            a = {k: override.get(k) for k in ("addressFullName", "companyName", "addressLine1", "addressLine2",
                                              "addressLine3", "addressLine4", "postalCode", "countryIsoCode",
                                              "telephone", "mobileTelephone", "email")}
        elif contact:
            pa = contact.get("postAddressIds") or {}
            aid = pa.get(addr_kind) or pa.get("DEF")
            src = self.st.addresses.get(aid) or {}
            name = " ".join(x for x in (contact.get("firstName"), contact.get("lastName")) if x) or None
            email = (((contact.get("communication") or {}).get("emails") or {}).get("PRI") or {}).get("email")
            a = {"addressFullName": name, "companyName": (contact.get("organisation") or {}).get("name"),
                 "addressLine1": src.get("addressLine1"), "addressLine2": src.get("addressLine2"),
                 "addressLine3": src.get("addressLine3"), "addressLine4": src.get("addressLine4"),
                 "postalCode": src.get("postalCode"), "countryIsoCode": src.get("countryIsoCode"), "email": email}
        if with_contact and contact:
            a = dict(a, contactId=contact["contactId"])
        return a

    def build_order(self, b, oid, old=None):
        """The GET ORDER document of a sales-order body (old: the order a PUT replaces)."""
        st = self.st
        now = st.now()
        cust = st.contacts[b["customer"]["id"]]
        bl = b.get("billing") or {}
        bill_contact = st.contacts.get(bl.get("contactId")) or cust
        dl = b.get("delivery") or {}
        cur = b["currency"]
        code = cur["code"]
        base = st.args.base_currency
        rate = Decimal(cur.get("exchangeRate") or "1") if code != base else Decimal("1")
        status_id = b.get("statusId") or (old["orderStatus"]["orderStatusId"] if old else min(st.statuses))
        rows, net, tax = {}, Decimal(0), Decimal(0)
        for i, r in enumerate(b["rows"]):
            rid = int(r["id"]) if r.get("id") is not None else st.new_id("row")
            prod = st.products.get(r.get("productId"))
            rn, rt, qty = Decimal(r["net"]), Decimal(r["tax"]), Decimal(r["quantity"])
            net += rn
            tax += rt
            rows[str(rid)] = {
                "orderRowSequence": str(i + 1),
                "productId": prod["id"] if prod else None,
                "productName": r.get("name") or (prod["name"] if prod else None),
                "productSku": prod["SKU"] if prod else None,
                "quantity": {"magnitude": format(qty.quantize(Decimal("0.0001")), "f")},
                "productPrice": {"currencyCode": code, "value": money(rn / qty) if qty else "0.00"},
                "rowValue": {"taxCode": r["taxCode"], "rowNet": {"currencyCode": code, "value": money(rn)},
                             "rowTax": {"currencyCode": code, "value": money(rt)}},
                "nominalCode": r.get("nominalCode"),
                "externalRef": r.get("externalRef"),
            }
        placed = parse_dt(b["placedOn"]) if b.get("placedOn") else (old["placedOn"] if old else now)
        deliv_date = parse_dt(dl["date"]) if dl.get("date") else None
        order = {
            "id": oid,
            "parentOrderId": 0,
            "orderTypeCode": "SO",
            "reference": b.get("ref") or "",
            "externalRef": b.get("externalRef"),
            "version": old["version"] + 1 if old else 1,
            "orderStatus": {"orderStatusId": status_id, "name": st.statuses.get(status_id)},
            "orderPaymentStatus": "UNPAID",
            "shippingStatusCode": "NST",
            "placedOn": placed,
            "createdOn": old["createdOn"] if old else now,
            "updatedOn": now,
            "priceListId": b.get("priceListId"),
            "priceModeCode": b.get("priceModeCode") or "EXC",
            "warehouseId": b.get("warehouseId"),
            "currency": {"orderCurrencyCode": code, "accountingCurrencyCode": base,
                         "fixedExchangeRate": bool(cur.get("fixedExchangeRate", True)),
                         "exchangeRate": format(rate.quantize(Decimal("0.000001")), "f")},
            "delivery": {"deliveryDate": deliv_date, "shippingMethodId": dl.get("shippingMethodId")},
            "assignment": {"current": {"channelId": b.get("channelId") or 0, "staffOwnerContactId": 0,
                                       "projectId": 0, "leadSourceId": 0, "teamId": 0}},
            "parties": {"customer": self.party(cust, "DEF"),
                        "delivery": self.party(cust, "DEL", dl.get("address"), with_contact=False),
                        "billing": self.party(bill_contact, "BIL", bl.get("address"))},
            "invoices": old["invoices"] if old else [],
            "totalValue": {"net": money(net), "taxAmount": money(tax), "total": money(net + tax),
                           "baseNet": money(net * rate), "baseTaxAmount": money(tax * rate),
                           "baseTotal": money((net + tax) * rate)},
            "orderRows": rows,
        }
        return order

    @route("POST", r"order-service/sales-order")
    def post_sales_order(self):
        b = self.need_body()
        errs = self.check_order(b)
        if errs:
            raise bad(errs)
        # SPEC: no idempotency key: every accepted POST is a new order
        oid = self.st.new_id("order")
        self.st.orders[oid] = self.build_order(b, oid)
        raise_event(self.st, "sales-order.created", oid)
        self.changed = True
        return oid

    def orders_of(self, idset):
        found = [self.st.orders[i] for i in self.ids(idset) if i in self.st.orders]
        if not found:
            raise not_found("order/" + idset)
        return found

    @route("GET", r"order-service/order/([0-9,-]+)")
    def get_order(self, idset):
        return self.orders_of(idset)

    @route("GET", r"order-service/sales-order/([0-9,-]+)")
    def get_sales_order(self, idset):
        return self.orders_of(idset)

    @route("PUT", r"order-service/sales-order/(\d+)")
    def put_sales_order(self, oid):
        oid = int(oid)
        old = self.st.orders.get(oid)
        if old is None:
            raise not_found("sales-order/%d" % oid)
        b = self.need_body()
        want = self.h.get("if-match")
        if want is None:
            # the If-Match header is optional; record who leaves it out
            self.st.puts_without_if_match.append(oid)
        elif want.strip().strip('"') != str(old["version"]):
            raise ApiError(412, "CMNC-412", "Order %d is at version %d, not %s: it was changed since you read it"
                           % (oid, old["version"], want))
        errs = self.check_order(b, old)
        if errs:
            raise bad(errs)
        new = self.build_order(b, oid, old)
        new["shippingStatusCode"] = old["shippingStatusCode"]
        self.st.orders[oid] = new
        self.changed = True
        return None

    @route("PUT", r"order-service/order/(\d+)/status")
    def put_status(self, oid):
        b = self.need_body()
        sid = b.get("orderStatusId")
        note = b.get("orderNote")
        errs = []
        if not isinstance(sid, int) or sid not in self.st.statuses:
            errs.append("orderStatusId: no order status %s" % json.dumps(sid))
        if note is not None and (not isinstance(note, dict) or not isinstance(note.get("text", ""), str)):
            errs.append("orderNote: {text, isPublic}")
        if errs:
            raise bad(errs)
        set_status(self.st, int(oid), sid, note)
        self.changed = True
        return None

    @route("GET", r"order-service/order-status")
    def order_statuses(self):
        return [{"statusId": k, "name": v, "orderTypeCode": "SO"} for k, v in sorted(self.st.statuses.items())]

    def order_columns(self):
        return [Column("orderId", "INTEGER", lambda o: o["id"]),
                Column("orderTypeId", "INTEGER", lambda o: 1),
                Column("contactId", "INTEGER", lambda o: o["parties"]["customer"].get("contactId")),
                Column("orderStatusId", "INTEGER", lambda o: o["orderStatus"]["orderStatusId"]),
                Column("externalRef", "STRING", lambda o: o.get("externalRef")),
                Column("customerRef", "STRING", lambda o: o.get("reference")),
                Column("updatedOn", "DATETIME", lambda o: o["updatedOn"]),
                Column("createdOn", "DATETIME", lambda o: o["createdOn"])]

    @route("GET", r"order-service/order-search")
    def order_search(self):
        return run_search(self.q, self.order_columns(), self.st.orders.values(), self.st.fmt)

    @route("GET", r"order-service/sales-order-search")
    def sales_order_search(self):
        return run_search(self.q, self.order_columns(), self.st.orders.values(), self.st.fmt)

    # ---- goods-out notes -----------------------------------------------------
    @route("POST", r"warehouse-service/order/(\d+)/goods-note/goods-out")
    def post_goods_out(self, oid):
        oid = int(oid)
        if oid not in self.st.orders:
            raise not_found("order/%d" % oid)
        b = self.need_body()
        whs = b.get("warehouses")
        if not isinstance(whs, list) or not whs:
            raise bad("warehouses: required, a non-empty list")
        errs = []
        left = remaining_rows(self.st, oid)
        asked = {}
        for i, w in enumerate(whs):
            where = "warehouses[%d]" % i
            if not isinstance(w, dict):
                errs.append(where + ": must be an object")
                continue
            if w.get("warehouseId") not in self.st.warehouses:
                errs.append(where + ".warehouseId: no warehouse %s" % json.dumps(w.get("warehouseId")))
            if w.get("releaseDate") is not None and parse_dt(w["releaseDate"]) is None:
                errs.append(where + ".releaseDate: an ISO-8601 date-time")
            prods = w.get("products")
            if not isinstance(prods, list) or not prods:
                errs.append(where + ".products: required, a non-empty list")
                continue
            for j, p in enumerate(prods):
                pw = "%s.products[%d]" % (where, j)
                rid = p.get("salesOrderRowId") if isinstance(p, dict) else None
                if str(rid) not in left:
                    errs.append(pw + ".salesOrderRowId: no product row %s on order %d" % (json.dumps(rid), oid))
                    continue
                row = self.st.orders[oid]["orderRows"][str(rid)]
                if p.get("productId") != row.get("productId"):
                    errs.append(pw + ".productId: row %s is product %s" % (rid, row.get("productId")))
                qty = p.get("quantity")
                if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1:
                    errs.append(pw + ".quantity: a whole number above 0")
                    continue
                asked[str(rid)] = asked.get(str(rid), 0) + qty
                if asked[str(rid)] > left[str(rid)]:
                    errs.append(pw + ".quantity: row %s has %d left to fulfil" % (rid, left[str(rid)]))
        if errs:
            raise bad(errs)
        made = {}
        now = self.st.now()
        for w in whs:
            nid = self.st.new_id("note")
            rows = {}
            for p in w["products"]:
                rows.setdefault(str(p["salesOrderRowId"]), []).append(
                    {"productId": p["productId"], "quantity": p["quantity"], "locationId": 2,
                     "externalRef": self.st.orders[oid]["orderRows"][str(p["salesOrderRowId"])].get("externalRef")})
            self.st.notes[nid] = {
                "goodsOutNoteId": nid, "orderId": oid, "warehouseId": w["warehouseId"],
                "externalRef": w.get("externalRef") or b.get("externalRef"),
                "transfer": bool(w.get("transfer", False)), "priority": bool(b.get("priority", False)),
                "status": {"printed": False, "picked": False, "packed": False, "shipped": False},
                "shipping": {"shippingMethodId": b.get("shippingMethodId")},
                "releaseDate": parse_dt(w["releaseDate"]) if w.get("releaseDate") else now,
                "createdOn": now, "updatedOn": now, "orderRows": rows, "events": [], "lastEventVersion": 0,
            }
            made[str(nid)] = {"warehouseId": w["warehouseId"]}
            raise_event(self.st, "goods-out-note.created", nid)
        touch_order(self.st, oid)
        self.changed = True
        return made

    @route("GET", r"warehouse-service/order/(\*|[0-9,-]+)/goods-note/goods-out(?:/([0-9,-]+))?")
    def get_goods_out(self, orders, notes):
        oids = None if orders == "*" else set(self.ids(orders))
        nids = self.ids(notes) if notes else sorted(self.st.notes)
        out = {}
        for n in nids:
            note = self.st.notes.get(n)
            if note and (oids is None or note["orderId"] in oids):
                out[str(n)] = {k: v for k, v in note.items() if k != "goodsOutNoteId"}
        if not out:
            raise not_found("goods-out notes %s/%s" % (orders, notes or ""))
        return out

    @route("PUT", r"warehouse-service/goods-note/goods-out/(\d+)")
    def put_goods_out(self, nid):
        note = self.st.notes.get(int(nid))
        if note is None:
            raise not_found("goods-note/goods-out/" + nid)
        b = self.need_body()
        sh = b.get("shipping")
        errs = []
        if sh is not None and not isinstance(sh, dict):
            errs.append("shipping: must be an object")
            sh = None
        if sh:
            if sh.get("boxes") is not None and (not isinstance(sh["boxes"], int) or sh["boxes"] < 0):
                errs.append("shipping.boxes: a whole number")
            if sh.get("reference") is not None and not isinstance(sh["reference"], str):
                errs.append("shipping.reference: must be a string")
            if sh.get("shippingMethodId") is not None and not isinstance(sh["shippingMethodId"], int):
                errs.append("shipping.shippingMethodId: must be an integer")
            if sh.get("weight") is not None and not isinstance(sh["weight"], (str, int, float)):
                errs.append("shipping.weight: a number or decimal string")
        if errs:
            raise bad(errs)
        for k in ("reference", "boxes", "weight", "shippingMethodId"):
            if sh and k in sh:
                note["shipping"][k] = sh[k]
        for k in ("priority", "externalRef"):
            if k in b:
                note[k] = b[k]
        note["updatedOn"] = self.st.now()
        self.changed = True
        return None

    @route("POST", r"warehouse-service/goods-note/goods-out/(\d+)/event")
    def post_event(self, nid):
        note = self.st.notes.get(int(nid))
        if note is None:
            raise not_found("goods-note/goods-out/" + nid)
        b = self.need_body()
        evs = b.get("events")
        if not isinstance(evs, list) or not evs:
            raise bad("events: required, a non-empty list")
        want = self.h.get("if-match")
        if want is not None and want.strip().strip('"') != str(note["lastEventVersion"]):
            raise ApiError(412, "CMNC-412", "Goods-out note %s is at event version %d, not %s"
                           % (nid, note["lastEventVersion"], want))
        errs = []
        for i, e in enumerate(evs):
            w = "events[%d]" % i
            if not isinstance(e, dict):
                errs.append(w + ": must be an object")
                continue
            if e.get("eventCode") not in EVENT_CODES:
                errs.append(w + ".eventCode: one of %s" % ", ".join(EVENT_CODES))
            # SPEC: the field is spelled "occured" in Brightpearl's API
            if parse_dt(e.get("occured")) is None:
                errs.append(w + ".occured: required, an ISO-8601 date-time (spelled occured)")
            if not isinstance(e.get("eventOwnerId"), int):
                errs.append(w + ".eventOwnerId: required, a contact id")
            if e.get("eventCode") == "SHW" and note["status"]["shipped"]:
                errs.append(w + ": goods-out note %s is already shipped" % nid)
        if errs:
            raise bad(errs)
        for e in evs:
            apply_event(self.st, note, e["eventCode"], parse_dt(e["occured"]), e["eventOwnerId"])
        self.changed = True
        return None

    @route("GET", r"warehouse-service/goods-note/goods-out-search")
    def goods_out_search(self):
        cols = [Column("goodsOutNoteId", "INTEGER", lambda n: n["goodsOutNoteId"]),
                Column("orderId", "INTEGER", lambda n: n["orderId"]),
                Column("warehouseId", "INTEGER", lambda n: n["warehouseId"]),
                Column("shipped", "BOOLEAN", lambda n: n["status"]["shipped"]),
                Column("shippedOn", "DATETIME", lambda n: n["status"].get("shippedOn")),
                Column("updatedOn", "DATETIME", lambda n: n["updatedOn"]),
                Column("createdOn", "DATETIME", lambda n: n["createdOn"])]
        return run_search(self.q, cols, self.st.notes.values(), self.st.fmt)

    # ---- stock, warehouses, products ---------------------------------------
    @route("GET", r"warehouse-service/product-availability/([0-9,-]+)")
    def availability(self, idset):
        try:
            # LIMIT: 50 product ids per availability call
            pids = parse_idset(idset, 50)
        except ValueError as e:
            raise bad("product-availability: %s (at most 50 product ids)" % e)
        out = {}
        for pid in pids:
            if pid not in self.st.products:
                continue
            total = {"inStock": 0, "onHand": 0, "allocated": 0, "inTransit": 0}
            per = {}
            for (p, w), s in sorted(self.st.stock.items()):
                if p != pid:
                    continue
                v = {"inStock": s["onHand"] - s["allocated"], "onHand": s["onHand"],
                     "allocated": s["allocated"], "inTransit": s["inTransit"]}
                per[str(w)] = v
                for k in total:
                    total[k] += v[k]
            out[str(pid)] = {"total": total, "warehouses": per}
        if not out:
            raise not_found("product-availability/" + idset)
        return out

    @route("GET", r"warehouse-service/warehouse(?:/([0-9,-]+))?")
    def get_warehouses(self, idset):
        ids = self.ids(idset) if idset else sorted(self.st.warehouses)
        out = []
        for i in ids:
            w = self.st.warehouses.get(i)
            if w:
                a = dict(w["address"])
                a.setdefault("addressId", 100 + i)
                out.append({"id": i, "name": w["name"], "typeCode": "OWN", "address": a})
        if not out:
            raise not_found("warehouse/" + (idset or ""))
        return out

    @route("GET", r"product-service/product-search")
    def product_search(self):
        cols = [Column("productId", "INTEGER", lambda p: p["id"]),
                Column("SKU", "STRING", lambda p: p["SKU"]),
                Column("productName", "STRING", lambda p: p["name"])]
        return run_search(self.q, cols, self.st.products.values(), self.st.fmt)

    @route("GET", r"product-service/product/([0-9,-]+)")
    def get_product(self, idset):
        out = []
        for i in self.ids(idset):
            p = self.st.products.get(i)
            if p:
                out.append({"id": i, "identity": {"sku": p["SKU"], "barcode": p.get("barcode")},
                            "stock": {"stockTracked": p["stockTracked"]},
                            "salesChannels": [{"salesChannelName": "Brightpearl", "productName": p["name"]}]})
        if not out:
            raise not_found("product/" + idset)
        return out

    # ---- webhooks ----------------------------------------------------------------
    @route("POST", r"integration-service/webhook")
    def post_webhook(self):
        b = self.need_body()
        errs = []
        if not isinstance(b.get("subscribeTo"), str) or not re.match(r"^[a-z-]+\.[a-z-]+(\.[a-z-]+)?$", b["subscribeTo"]):
            errs.append("subscribeTo: an event such as order.modified.order-status")
        if b.get("httpMethod") not in ("GET", "POST", "PUT", "DELETE"):
            errs.append("httpMethod: GET, POST, PUT or DELETE")
        if not isinstance(b.get("uriTemplate"), str) or not re.match(r"^https?://", b["uriTemplate"]):
            errs.append("uriTemplate: required, an http(s) URI template")
        for k in ("bodyTemplate", "contentType"):
            if b.get(k) is not None and not isinstance(b[k], str):
                errs.append(k + ": must be a string")
        if b.get("idSetAccepted") is not None and not isinstance(b["idSetAccepted"], bool):
            errs.append("idSetAccepted: true or false")
        if b.get("qualityOfService", 1) not in (0, 1):
            errs.append("qualityOfService: 0 (at most once) or 1 (at least once)")
        if errs:
            raise bad(errs)
        wid = self.st.new_id("webhook")
        self.st.webhooks[wid] = {"id": wid, "subscribeTo": b["subscribeTo"], "httpMethod": b["httpMethod"],
                                 "uriTemplate": b["uriTemplate"], "bodyTemplate": b.get("bodyTemplate"),
                                 "contentType": b.get("contentType"), "idSetAccepted": b.get("idSetAccepted", False),
                                 "qualityOfService": b.get("qualityOfService", 1)}
        self.changed = True
        return wid

    @route("GET", r"integration-service/webhook(?:/([0-9,-]+))?")
    def get_webhooks(self, idset):
        ids = self.ids(idset) if idset else sorted(self.st.webhooks)
        out = [self.st.webhooks[i] for i in ids if i in self.st.webhooks]
        if idset and not out:
            raise not_found("webhook/" + idset)
        return out

    @route("DELETE", r"integration-service/webhook/(\d+)")
    def delete_webhook(self, wid):
        if self.st.webhooks.pop(int(wid), None) is None:
            raise not_found("webhook/" + wid)
        self.changed = True
        return None


# ---- state changes shared by the API and the control API (lock held) -------

def touch_order(st, oid):
    o = st.orders[oid]
    o["version"] += 1
    o["updatedOn"] = st.now()


def remaining_rows(st, oid):
    """Product row id (str) -> quantity not yet on a goods-out note."""
    left = {}
    for rid, r in st.orders[oid]["orderRows"].items():
        if r.get("productId"):
            left[rid] = int(Decimal(r["quantity"]["magnitude"]))
    for n in st.notes.values():
        if n["orderId"] == oid:
            for rid, lines in n["orderRows"].items():
                if rid in left:
                    left[rid] -= sum(x["quantity"] for x in lines)
    return left


def set_status(st, oid, sid, note=None, invoice_ref=None):
    o = st.orders.get(oid)
    if o is None:
        raise not_found("order/%d" % oid)
    name = st.statuses[sid]
    if name.lower().startswith("cancel"):
        if any(n["orderId"] == oid for n in st.notes.values()) or o["invoices"]:
            raise bad("Order %d has goods-out notes or an invoice: it cannot be cancelled" % oid)
    o["orderStatus"] = {"orderStatusId": sid, "name": name}
    if name == "Invoiced" and not o["invoices"]:
        o["invoices"] = [{"invoiceReference": invoice_ref or "INV-%d" % oid, "taxDate": st.now()}]
    if note:
        st.order_notes.setdefault(oid, []).append(dict(note))
    touch_order(st, oid)
    raise_event(st, "order.modified.order-status", oid)


def apply_event(st, note, code, when, owner):
    s = note["status"]
    flags = {"PRI": ("printed", True), "UPR": ("printed", False), "PIC": ("picked", True),
             "UPI": ("picked", False), "PAC": ("packed", True), "UPA": ("packed", False)}
    if code == "SHW":
        # SHW back-fills printed, picked and packed
        for k in ("printed", "picked", "packed"):
            if not s[k]:
                s[k], s[k + "On"] = True, when
        s["shipped"], s["shippedOn"], s["shippedById"] = True, when, owner
    else:
        k, v = flags[code]
        s[k] = v
        s[k + "On"] = when if v else None
    note["events"].append({"eventCode": code, "occured": when, "eventOwnerId": owner})
    note["lastEventVersion"] += 1
    note["updatedOn"] = st.now()
    if code == "SHW":
        oid = note["orderId"]
        left = remaining_rows(st, oid)
        shipped_all = all(v == 0 for v in left.values()) and all(
            n["status"]["shipped"] for n in st.notes.values() if n["orderId"] == oid)
        st.orders[oid]["shippingStatusCode"] = "ASS" if shipped_all else "PSS"
        touch_order(st, oid)
        raise_event(st, "goods-out-note.modified.shipped", note["goodsOutNoteId"])
        if shipped_all:
            raise_event(st, "order.modified.fully-shipped", oid)


# --------------------------------------------------------------------------
# HTTP

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wharf-brightpearl-standin/1"
    timeout = 60
    st = None  # State, set in main

    def log_message(self, fmt, *a):
        if self.st.args.verbose:
            sys.stderr.write("brightpearl-standin: " + (fmt % a) + "\n")

    def send(self, status, obj=None, headers=None):
        body = b"" if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Wharf-Stand-In", "local Brightpearl stand-in, NOT Brightpearl")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        if self.entry is not None:
            self.entry["status"] = status

    def hang_up(self, what):
        """Closes the connection without an answer."""
        if self.entry is not None:
            self.entry["status"] = what
        standin.hang_up(self)

    def lose(self, f):
        """The answer of a request that took effect never arrives: at once
        (lost, cut), or after f.seconds of silence (timeout)."""
        if f["kind"] == "timeout":
            time.sleep(float(f.get("seconds") or self.st.args.hold_seconds))
        return self.hang_up(f["kind"])

    def read_body(self):
        try:
            return standin.read_body(self, MAX_BODY)
        except standin.TooLarge:
            raise ApiError(413, "CMNC-413", "The request body is too large")

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_GET

    def log_request_entry(self, path, query, raw):
        h = {k.lower(): ("<redacted>" if k.lower() in SECRET_HEADERS else v) for k, v in self.headers.items()}
        ctype = self.headers.get("Content-Type", "")
        body = None
        if raw:
            text = raw.decode("utf-8", "replace")
            if "x-www-form-urlencoded" in ctype:
                body = {k: ("<redacted>" if k in SECRET_FORM else v[0])
                        for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
            else:
                try:
                    body = json.loads(text)
                except ValueError:
                    body = text[:4096]
        st = self.st
        with st.lock:
            st.seq += 1
            e = {"seq": st.seq, "time": st.fmt(st.now()), "method": self.command, "path": path,
                 "query": query, "headers": h, "body": body, "status": None}
            st.requests.append(e)
            del st.requests[:-MAX_LOG]
        return e

    def dispatch(self):
        self.entry = None
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        try:
            raw = self.read_body()
        except (ApiError, ValueError):
            return self.send(413, {"errors": [{"code": "CMNC-413", "message": "The request body is too large"}]})
        if path.startswith("/_test/"):
            return self.control(path, q, raw)
        if path == "/":
            return self.send(200, {"banner": BANNER, "api": "/public-api/%s/" % self.st.args.account})
        self.entry = self.log_request_entry(path, url.query, raw)
        m = re.match(r"^/(?:([^/]+)/)?oauth/token$", path)
        if m:
            return self.oauth(m.group(1), raw)
        m = re.match(r"^/public-api/([^/]+)/(.*)$", path)
        if not m:
            return self.send(404, {"errors": [{"code": "CMNC-404", "message": "Cannot find the resource " + path}]})
        self.api(m.group(1), m.group(2), q, raw)

    # ---- the API -----------------------------------------------------------
    def api(self, account, rest, q, raw):
        st, a = self.st, self.st.args
        if account != a.account:
            _, left, ms = st.take_rate(count=False)
            return self.send(404, {"errors": [{"code": "CMNC-404", "message": "Cannot find account " + account}]},
                             {"brightpearl-requests-remaining": str(left), "brightpearl-next-throttle-period": str(ms)})
        allowed, left, ms = st.take_rate()
        hdr = {"brightpearl-requests-remaining": str(left), "brightpearl-next-throttle-period": str(ms)}
        lost = None
        changed = False
        try:
            if not allowed:
                raise ApiError(503, "CMNC-503", "Request cap of %d per minute reached: try again in %d ms" % (st.rate, ms))
            fault = st.take_fault(self.command, self.path.split("?")[0])
            if fault:
                self.entry["fault"] = fault["kind"]
            if fault and (fault["kind"] == "lost" or (fault["kind"] in ("timeout", "cut") and fault.get("applied"))):
                lost, fault = fault, None   # the request takes effect; its answer never arrives
            if fault and fault["kind"] == "timeout":
                time.sleep(float(fault.get("seconds") or a.hold_seconds))
                return self.hang_up("timeout")
            if fault and fault["kind"] == "cut":
                return self.hang_up("cut")
            headers = {k.lower(): v for k, v in self.headers.items()}
            if fault and fault["kind"] == "500":
                raise ApiError(500, "CMNC-500", "Internal error (a test fault)")
            if fault and fault["kind"] == "503":
                hdr = {"brightpearl-requests-remaining": "0",
                       "brightpearl-next-throttle-period": str(int(fault.get("ms") or 1000))}
                raise ApiError(503, "CMNC-503", "Request cap reached (a test fault)")
            if fault and fault["kind"] == "401":
                self.expire_presented(headers)
                raise ApiError(401, "CMNC-401", "The access token has expired (a test fault)")
            if fault and fault["kind"] == "412":
                raise ApiError(412, "CMNC-412", "The resource was changed since you read it (a test fault)")
            self.authenticate(headers)
            for method, rx, fn in ROUTES:
                m = rx.match(rest)
                if m and method == self.command:
                    break
            else:
                if any(rx.match(rest) for _, rx, _ in ROUTES):
                    raise ApiError(405, "CMNC-405", "%s is not allowed on %s" % (self.command, rest))
                raise not_found("/" + rest)
            body = None
            if self.command in ("POST", "PUT") and raw.strip():
                if "json" not in headers.get("content-type", "").lower():
                    raise ApiError(415, "CMNC-415", "Send the body as application/json")
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "CMNC-010", "You must supply a JSON formatted body with your request")
            call = Api(st, self.command, q, body, headers)
            with st.lock:
                resp = fn(call, *m.groups())
                changed = call.changed
                if resp is not None:
                    resp = st.out(resp)
            if changed:
                st.save()
            if lost:
                return self.lose(lost)
            self.send(200, None if resp is None else {"response": resp}, hdr)
        except ApiError as e:
            if lost:
                return self.lose(lost)
            h = dict(hdr)
            h.update(e.headers)
            self.send(e.status, e.body(), h)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the stand-in: say so
            traceback.print_exc()
            self.send(500, {"errors": [{"code": "CMNC-500", "message": "stand-in bug: %r" % e}]}, hdr)

    def authenticate(self, h):
        st, a = self.st, self.st.args
        app = h.get("brightpearl-app-ref")
        if not app:
            raise ApiError(401, "CMNC-401", "The brightpearl-app-ref header is missing")
        if app != a.app_ref:
            raise ApiError(401, "CMNC-401", "Unknown app reference " + app)
        auth = h.get("authorization", "")
        if auth:
            m = re.match(r"^Bearer\s+(\S+)$", auth)
            if not m:
                raise ApiError(401, "CMNC-401", "Authorization wants: Bearer <access token>")
            if h.get("brightpearl-dev-ref") != a.dev_ref:
                raise ApiError(401, "CMNC-401", "An OAuth call needs the app's brightpearl-dev-ref header")
            with st.lock:
                t = st.tokens.get(m.group(1))
                if t is None or t["kind"] != "access":
                    raise ApiError(401, "CMNC-401", "Unknown access token")
                if t["expires"] <= st.now():
                    raise ApiError(401, "CMNC-401", "The access token has expired")
            return
        tok = h.get("brightpearl-staff-token")
        if tok is None:
            raise ApiError(401, "CMNC-401", "Not authenticated: send brightpearl-staff-token or Authorization: Bearer")
        if not a.staff_token or not secrets.compare_digest(tok.encode(), a.staff_token.encode()):
            raise ApiError(401, "CMNC-401", "The staff token is not valid for this app")

    def expire_presented(self, h):
        m = re.match(r"^Bearer\s+(\S+)$", h.get("authorization", ""))
        with self.st.lock:
            t = self.st.tokens.get(m.group(1)) if m else None
            if t and t["kind"] == "access":
                t["expires"] = self.st.now() - dt.timedelta(seconds=1)

    # ---- OAuth token endpoint ------------------------------------------------
    def oauth(self, path_account, raw):
        st, a = self.st, self.st.args

        def fail(status, error, desc):
            return self.send(status, {"error": error, "error_description": desc}, {"Cache-Control": "no-store"})

        if self.command != "POST":
            return fail(405, "invalid_request", "POST only")
        fault = st.take_fault("POST", self.path.split("?")[0])
        lost = None
        if fault:
            self.entry["fault"] = fault["kind"]
            if fault["kind"] in ("timeout", "cut") and fault.get("applied"):
                lost, fault = fault, None
        if fault:
            if fault["kind"] == "timeout":
                time.sleep(float(fault.get("seconds") or a.hold_seconds))
                return self.hang_up("timeout")
            if fault["kind"] == "cut":
                return self.hang_up("cut")
            if fault["kind"] in ("500", "503"):
                return fail(int(fault["kind"]), "server_error", "a test fault")
            if fault["kind"] == "lost":
                lost = fault
        if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
            return fail(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded")
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True).items()}
        grant = form.get("grant_type")
        if grant not in ("authorization_code", "refresh_token"):
            return fail(400, "unsupported_grant_type", "grant_type is authorization_code or refresh_token")
        if form.get("client_id") != a.client_id:
            return fail(400, "invalid_client", "unknown client_id")
        if a.client_secret and not secrets.compare_digest(form.get("client_secret", "").encode(), a.client_secret.encode()):
            return fail(400, "invalid_client", "client_secret does not match")
        with st.lock:
            if grant == "authorization_code":
                account = path_account or form.get("account_code")
                if not account:
                    return fail(400, "invalid_request", "account_code is required (or the path /{account}/oauth/token)")
                if account != a.account:
                    return fail(400, "invalid_grant", "unknown account " + account)
                c = st.codes.pop(form.get("code", ""), None)
                if c is None:
                    return fail(400, "invalid_grant", "the code is unknown or was used already")
                if c.get("redirect_uri") and form.get("redirect_uri") != c["redirect_uri"]:
                    return fail(400, "invalid_grant", "redirect_uri does not match the authorization request")
                refresh = "bprt-" + secrets.token_urlsafe(24)
                st.tokens[refresh] = {"kind": "refresh", "expires": None}
            else:
                refresh = form.get("refresh_token", "")
                t = st.tokens.get(refresh)
                if t is None or t["kind"] != "refresh":
                    return fail(400, "invalid_grant", "the refresh token is unknown")
                if st.rotate:
                    # a new refresh token for each refresh, the one used dead at once
                    del st.tokens[refresh]
                    refresh = "bprt-" + secrets.token_urlsafe(24)
                    st.tokens[refresh] = {"kind": "refresh", "expires": None}
                    st.rotations += 1
            access = "bpat-" + secrets.token_urlsafe(24)
            st.tokens[access] = {"kind": "access", "expires": st.now() + dt.timedelta(seconds=a.token_seconds)}
        st.save()
        if lost:
            return self.lose(lost)
        domain = self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1]
        self.send(200, {"access_token": access, "refresh_token": refresh, "expires_in": a.token_seconds,
                        "token_type": "Bearer", "api_domain": domain}, {"Cache-Control": "no-store"})

    # ---- control API -------------------------------------------------------
    def control(self, path, q, raw):
        st = self.st
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except ValueError as e:
            return self.send(400, {"error": "body is not JSON: %s" % e})
        try:
            out = self.control_op(path, q, body)
        except ApiError as e:
            return self.send(e.status, {"error": "; ".join(e.messages)})
        except (ValueError, KeyError, TypeError) as e:
            return self.send(400, {"error": "%s: %r" % (type(e).__name__, e)})
        if out is None:
            return self.send(404, {"error": "no such control endpoint: %s %s" % (self.command, path)})
        if self.command == "POST" and path not in ("/_test/oauth-code",):
            st.save()
        self.send(200, out)

    def control_op(self, path, q, b):
        st, cmd = self.st, self.command
        if not isinstance(b, (dict, list)):
            raise ValueError("the body is a JSON object")
        if cmd == "GET":
            if path == "/_test/state":
                return st.dump()
            if path == "/_test/requests":
                with st.lock:
                    out = list(st.requests)
                if q.get("method"):
                    out = [e for e in out if e["method"] == q["method"].upper()]
                if q.get("path"):
                    out = [e for e in out if re.search(q["path"], e["path"])]
                if q.get("since"):
                    out = [e for e in out if e["seq"] > int(q["since"])]
                return {"count": len(out), "requests": out}
            if path == "/_test/webhooks":
                deadline = time.monotonic() + min(float(q.get("wait") or 0), 30)
                with st.lock:
                    while st.pending and time.monotonic() < deadline:
                        st.idle.wait(deadline - time.monotonic())
                    return {"pending": st.pending, "drop": st.drop, "deliveries": copy.deepcopy(st.deliveries)}
            if path == "/_test/fault":
                with st.lock:
                    return {"faults": [f for f in st.faults if f["times"] > 0]}
            return None
        if cmd != "POST":
            raise ApiError(405, "", "POST (GET for state, requests, webhooks, fault)")
        with st.lock:
            if path == "/_test/reset":
                st.reset(tokens=bool(b.get("tokens")))
                return {"reset": True}
            if path == "/_test/seed":
                if b.get("replace"):
                    for k, coll in (("products", st.products), ("warehouses", st.warehouses),
                                    ("stock", st.stock), ("statuses", st.statuses)):
                        if k in b:
                            coll.clear()
                return {"seeded": True, "contacts": st.seed(b)}
            if path == "/_test/fault":
                if isinstance(b, dict) and b.get("clear"):
                    st.faults = []
                    return {"faults": 0}
                items = b if isinstance(b, list) else [b]
                for f in items:
                    if f.get("kind") not in FAULT_KINDS:
                        raise ValueError("kind is one of " + " ".join(FAULT_KINDS))
                    re.compile(f.get("path", ""))
                    st.faults.append({"method": str(f.get("method", "*")).upper(), "path": f.get("path", ""),
                                      "kind": f["kind"], "times": int(f.get("times", 1)),
                                      "after": int(f.get("after", 0)), "seconds": f.get("seconds"),
                                      "ms": f.get("ms"), "applied": bool(f.get("applied"))})
                return {"faults": len([f for f in st.faults if f["times"] > 0])}
            if path == "/_test/rate":
                if "perMinute" in b:
                    st.rate = int(b["perMinute"])
                if b.get("reset"):
                    st.window = None
                if "used" in b:
                    st.take_rate(count=False)
                    st.window = (st.window[0], int(b["used"]))
                _, left, ms = st.take_rate(count=False)
                return {"perMinute": st.rate, "used": st.window[1], "remaining": left, "nextThrottlePeriodMs": ms}
            if path == "/_test/expire-tokens":
                n = 0
                for t in st.tokens.values():
                    if t["kind"] == "access":
                        t["expires"] = st.now() - dt.timedelta(seconds=1)
                        n += 1
                return {"expired": n}
            if path == "/_test/refresh-policy":
                if "rotate" in b:
                    st.rotate = bool(b["rotate"])
                return {"rotate": st.rotate, "rotations": st.rotations}
            if path == "/_test/oauth-code":
                code = "bpac-" + secrets.token_urlsafe(16)
                st.codes[code] = {"redirect_uri": b.get("redirect_uri")}
                return {"code": code, "redirect_uri": b.get("redirect_uri"), "account": st.args.account}
            if path == "/_test/bump-version":
                oid = int(b["orderId"])
                if oid not in st.orders:
                    raise ApiError(404, "", "no order %d" % oid)
                for _ in range(int(b.get("by", 1))):
                    touch_order(st, oid)
                return {"orderId": oid, "version": st.orders[oid]["version"]}
            if path == "/_test/clock":
                if "now" in b and b["now"] is None:
                    st.fixed, st.offset = None, 0.0
                elif "now" in b:
                    t = parse_dt(b["now"])
                    if t is None:
                        raise ValueError("now is not an ISO-8601 date-time")
                    st.fixed = t
                elif "advanceSeconds" in b:
                    if st.fixed is not None:
                        st.fixed += dt.timedelta(seconds=float(b["advanceSeconds"]))
                    else:
                        st.offset += float(b["advanceSeconds"])
                else:
                    raise ValueError("want {now: ISO}, {now: null} or {advanceSeconds: N}")
                return {"now": st.fmt(st.now()), "fixed": st.fixed is not None}
            if path == "/_test/order-status":
                oid = int(b["orderId"])
                sid = b.get("statusId")
                if sid is None and b.get("status"):
                    sid = next((k for k, v in st.statuses.items() if v == b["status"]), None)
                if sid not in st.statuses:
                    raise ValueError("no such status: %r" % (b.get("statusId") or b.get("status")))
                note = {"text": b["note"], "isPublic": False} if b.get("note") else None
                set_status(st, oid, sid, note, b.get("invoiceReference"))
                return {"orderId": oid, "statusId": sid, "version": st.orders[oid]["version"]}
            if path == "/_test/ship":
                return self.ship(b)
            if path == "/_test/webhooks":
                if "drop" in b:
                    st.drop = int(b["drop"])
                return {"drop": st.drop}
        return None

    def ship(self, b):
        """A goods-out note for everything left on the order, shipped."""
        st = self.st
        oid = int(b["orderId"])
        o = st.orders.get(oid)
        if o is None:
            raise ApiError(404, "", "no order %d" % oid)
        wid = int(b.get("warehouseId") or o.get("warehouseId") or min(st.warehouses))
        if wid not in st.warehouses:
            raise ValueError("no warehouse %d" % wid)
        left = remaining_rows(st, oid)
        prods = [{"productId": o["orderRows"][rid]["productId"], "salesOrderRowId": int(rid), "quantity": n}
                 for rid, n in left.items() if n > 0]
        if not prods:
            raise ValueError("order %d has nothing left to ship" % oid)
        call = Api(st, "POST", {}, {"warehouses": [{"warehouseId": wid, "products": prods}],
                                    "shippingMethodId": b.get("shippingMethodId"), "priority": False}, {})
        nid = int(next(iter(call.post_goods_out(str(oid)))))
        note = st.notes[nid]
        for k in ("reference", "boxes", "weight", "shippingMethodId"):
            if b.get(k) is not None:
                note["shipping"][k] = b[k]
        when = parse_dt(b["shippedOn"]) if b.get("shippedOn") else st.now()
        apply_event(st, note, "SHW", when, int(b.get("eventOwnerId", 4)))
        return {"noteId": nid, "orderId": oid, "warehouseId": wid, "shippedOn": st.fmt(when)}


# --------------------------------------------------------------------------
# main

def parse_args(argv):
    p = argparse.ArgumentParser(description=BANNER)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    p.add_argument("--port-file", help="write the port number to this file once listening")
    p.add_argument("--cert", help="PEM certificate: serve HTTPS")
    p.add_argument("--key", help="PEM private key for --cert")
    p.add_argument("--account", default="acme", help="the account code in /public-api/{account}/")
    p.add_argument("--app-ref", default="acme_wharf", help="brightpearl-app-ref (also the OAuth client_id by default)")
    p.add_argument("--dev-ref", default="wharf-dev", help="brightpearl-dev-ref that OAuth calls must send")
    p.add_argument("--staff-token", default="wharf-test-staff-token", help="private-app staff token ('' turns it off)")
    p.add_argument("--client-id", help="OAuth client_id (default: --app-ref)")
    p.add_argument("--client-secret", default="wharf-test-client-secret",
                   help="OAuth client_secret ('' : not confidential, no secret checked)")
    p.add_argument("--refresh-token", help="a refresh token valid from the start (skips the code exchange)")
    p.add_argument("--token-seconds", type=int, default=3600, help="access token lifetime (expires_in)")
    p.add_argument("--rate-per-minute", type=int, default=200, help="request cap per period of a minute")
    p.add_argument("--hold-seconds", type=float, default=30, help="how long a timeout fault holds a request")
    p.add_argument("--utc-offset", default="+00:00", help="the account's offset in the dates it answers")
    p.add_argument("--base-currency", default="USD", help="the account's accounting currency")
    p.add_argument("--state", help="write the state as JSON to this file after every change")
    p.add_argument("--webhook-ca", help="trust this CA (PEM) as well when delivering webhooks over https")
    p.add_argument("--verbose", action="store_true", help="log requests on stderr")
    a = p.parse_args(argv)
    a.client_id = a.client_id or a.app_ref
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    try:
        parse_offset(a.utc_offset)
    except ValueError as e:
        p.error(str(e))
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    st = State(args)
    Deliverer(st).start()
    Handler.st = st
    st.save()
    serve(Handler, args, lambda port, scheme: "%s: account %s, %s://127.0.0.1:%d/public-api/%s/" % (
        BANNER, args.account, scheme, port, args.account))


if __name__ == "__main__":
    main()
