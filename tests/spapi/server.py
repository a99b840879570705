#!/usr/bin/env python3
"""LOCAL STAND-IN FOR AMAZON SP-API -- NOT AMAZON.

A test and demo server for wharf that imitates the Amazon Selling Partner API
vendor operations (Retail Procurement and Direct Fulfillment), Login with
Amazon token exchange, the Tokens API (restricted data tokens) and the
Finances Invoices API. Nothing here talks to Amazon: every answer comes from
the official Swagger 2.0 models (read at start from --models) and from state
that tests inject through the /_test/ control API (see README.md beside this
file).

Python 3 standard library only (plain Debian python3 >= 3.9).

Usage:
  server.py [--port N] [--port-file PATH] [--cert PEM --key PEM]
            [--models DIR] [--config JSON] [--client-id ID]
            [--client-secret S] [--refresh-token T] [--token-seconds N]
            [--page-size N] [--processing-polls N] [--max-age-days N]
            [--sandbox] [--rate OP=RATE/BURST ...] [--state DIR]
Prints exactly one line "listening PORT" on stdout once it accepts requests.
"""

import argparse
import base64
import copy
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import standin  # noqa: E402  (tests/lib/standin.py)
from standin import serve  # noqa: E402

BANNER = "wharf local SP-API stand-in (NOT Amazon; for tests and demos only)"
UTC = dt.timezone.utc
DEFAULT_CLIENT_ID = "amzn1.application-oa2-client.wharftest0000000000000000"
DEFAULT_CLIENT_SECRET = "wharf-test-client-secret"
DEFAULT_REFRESH_TOKEN = "Atzr|wharf-test-refresh-token"
MAX_BODY = 10 * 1024 * 1024

# --------------------------------------------------------------------------
# time helpers

_DT_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?)?$")
_DATE_IN_STR = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")


def parse_dt(s):
    """Parses an ISO-8601 date-time loosely; naive values are UTC. None if bad."""
    if not isinstance(s, str) or not _DT_RE.match(s):
        return None
    t = s.replace("z", "Z")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    m = re.search(r"([+-])(\d{2})(\d{2})$", t)
    if m and "T" in t:
        t = t[:m.start()] + m.group(1) + m.group(2) + ":" + m.group(3)
    elif re.search(r"T.*[+-]\d{2}$", t):
        t += ":00"
    # fromisoformat before 3.11 accepts only 0, 3 or 6 fraction digits
    m = re.search(r"\.(\d+)", t)
    if m:
        frac = (m.group(1) + "000000")[:6]
        t = t[:m.start()] + "." + frac + t[m.end():]
    try:
        v = dt.datetime.fromisoformat(t)
    except ValueError:
        return None
    if v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v


def iso(t):
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------
# Swagger 2.0 schema validation (the subset the SP-API models use)

class Validator:
    def __init__(self, definitions):
        self.defs = definitions

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/definitions/"):
                raise ValueError("unsupported $ref " + ref)
            schema = self.defs[ref[len("#/definitions/"):]]
            seen += 1
            if seen > 50:
                raise ValueError("$ref loop at " + ref)
        return schema

    def validate(self, schema, value, path="$"):
        errs = []
        self._v(schema, value, path, errs)
        return errs

    def _v(self, schema, value, path, errs):
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        for sub in schema.get("allOf", []):
            self._v(sub, value, path, errs)
        typ = schema.get("type")
        if typ is None and ("properties" in schema or "required" in schema):
            typ = "object"
        if typ == "object":
            if not isinstance(value, dict):
                errs.append((path, "must be an object"))
                return
            props = schema.get("properties", {})
            for r in schema.get("required", []):
                if r not in value:
                    errs.append((path + "." + r, "required field is missing"))
            for k, v in value.items():
                if k in props:
                    self._v(props[k], v, path + "." + k, errs)
                else:
                    ap = schema.get("additionalProperties", True)
                    if ap is False:
                        errs.append((path + "." + k, "unexpected field"))
                    elif isinstance(ap, dict):
                        self._v(ap, v, path + "." + k, errs)
            return
        if typ == "array":
            if not isinstance(value, list):
                errs.append((path, "must be an array"))
                return
            if "minItems" in schema and len(value) < schema["minItems"]:
                errs.append((path, "must have at least %d items" % schema["minItems"]))
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                errs.append((path, "must have at most %d items" % schema["maxItems"]))
            items = schema.get("items")
            if items is not None:
                for i, v in enumerate(value):
                    self._v(items, v, "%s[%d]" % (path, i), errs)
            return
        if typ == "string":
            if not isinstance(value, str):
                errs.append((path, "must be a string"))
                return
            if "minLength" in schema and len(value) < schema["minLength"]:
                errs.append((path, "must be at least %d characters long" % schema["minLength"]))
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                errs.append((path, "must be at most %d characters long" % schema["maxLength"]))
            if "pattern" in schema and not re.search(schema["pattern"], value):
                errs.append((path, "does not match the pattern " + schema["pattern"]))
            if schema.get("format") == "date-time" and parse_dt(value) is None:
                errs.append((path, "is not an ISO-8601 date-time: " + value))
        elif typ == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                errs.append((path, "must be an integer"))
                return
        elif typ == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                errs.append((path, "must be a number"))
                return
        elif typ == "boolean":
            if not isinstance(value, bool):
                errs.append((path, "must be a boolean"))
                return
        if "enum" in schema and value not in schema["enum"]:
            errs.append((path, "value %s is not one of %s" % (json.dumps(value), ", ".join(map(str, schema["enum"])))))
        if typ in ("integer", "number"):
            if "minimum" in schema and value < schema["minimum"]:
                errs.append((path, "must be >= %s" % schema["minimum"]))
            if "maximum" in schema and value > schema["maximum"]:
                errs.append((path, "must be <= %s" % schema["maximum"]))


# --------------------------------------------------------------------------
# models

class Op:
    def __init__(self, model, method, template, spec, definitions):
        self.model = model            # file stem, e.g. "vendorOrders"
        self.method = method.upper()
        self.template = template
        self.spec = spec
        self.id = spec.get("operationId", method + template)
        self.qname = model + "/" + self.id
        self.defs = definitions
        self.validator = Validator(definitions)
        pat = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self.regex = re.compile("^" + pat + "$")
        self.params = [p for p in spec.get("parameters", []) if p.get("in") != "body"]
        self.body = next((p for p in spec.get("parameters", []) if p.get("in") == "body"), None)
        m = re.search(r"\|\s*Rate[^\n]*\n\|[- |]+\n\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|", spec.get("description", ""))
        self.rate, self.burst = (float(m.group(1)), int(m.group(2))) if m else (10.0, 10)
        self.family = "df" if model.startswith("vendorDirectFulfillment") else (
            "fin" if model.startswith("finances") else "rp")
        self.responses = spec.get("responses", {})

    def schema_def(self, code):
        r = self.responses.get(str(code))
        if not r or "schema" not in r:
            return None
        return self.validator.resolve(r["schema"])

    def wraps_payload(self):
        for code in ("200", "202"):
            d = self.schema_def(code)
            if d is not None:
                return "payload" in d.get("properties", {})
        return False

    def bare_error(self, code):
        d = self.schema_def(code)
        return d is not None and "code" in d.get("properties", {}) and "errors" not in d.get("properties", {})

    def transactional(self):
        d = self.schema_def("202")
        if d is None:
            return False
        if "payload" in d.get("properties", {}):
            d = self.validator.resolve(d["properties"]["payload"])
        return "transactionId" in d.get("properties", {})

    def sandbox(self):
        out = []
        for code, r in self.responses.items():
            for ex in r.get("x-amzn-api-sandbox", {}).get("static", []):
                out.append((int(code), ex))
        return out


def load_models(path):
    ops = []
    files = sorted(f for f in os.listdir(path) if f.endswith(".json"))
    if not files:
        raise SystemExit("no models (*.json) in " + path)
    for f in files:
        with open(os.path.join(path, f), encoding="utf-8") as fh:
            m = json.load(fh)
        stem = f[:-5]
        for tmpl, methods in m.get("paths", {}).items():
            for meth, spec in methods.items():
                if meth in ("get", "post", "put", "delete", "patch"):
                    ops.append(Op(stem, meth, tmpl, spec, m.get("definitions", {})))
    return ops


# --------------------------------------------------------------------------
# state

class ApiError(Exception):
    def __init__(self, status, code, message, details="", headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.headers = headers or {}


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.t = time.monotonic()

    def take(self):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.reset()

    def reset(self):
        with self.lock:
            self.clock_offset = 0.0
            self.tokens = {}          # token -> {kind, expires, resources}
            self.tokens_issued = {"access": 0, "rdt": 0}
            self.calls = {}
            self.submissions = []
            self.transactions = {}    # id -> dict
            self.faults = []
            self.rp_orders = {}       # po -> order
            self.rp_acks = {}         # po -> {seq: {details:[...], accepted, rejected, uom}}
            self.df_orders = {}
            self.invoices = {}        # identifier -> {invoiceHeader, invoiceItems, marketplaceId}
            self.buckets = {}

    def now(self):
        return dt.datetime.fromtimestamp(time.time() + self.clock_offset, UTC)

    def take_fault(self, qname, opid, kinds=None):
        with self.lock:
            for f in self.faults:
                if f["count"] <= 0:
                    continue
                if f["operation"] not in ("*", qname, opid):
                    continue
                if kinds is not None and f["kind"] not in kinds:
                    continue
                if kinds is None and f["kind"] in ("processing", "fail"):
                    continue
                f["count"] -= 1
                return dict(f)
        return None

    def dump(self):
        with self.lock:
            return {
                "banner": BANNER,
                "now": iso(self.now()),
                "submissions": copy.deepcopy(self.submissions),
                "calls": dict(self.calls),
                "tokensIssued": dict(self.tokens_issued),
                "transactions": {k: {"status": self.peek_status(v), "operation": v["operation"],
                                     "polls": v["polls"]} for k, v in self.transactions.items()},
                "faults": [f for f in self.faults if f["count"] > 0],
                "rpOrders": sorted(self.rp_orders),
                "dfOrders": sorted(self.df_orders),
                "invoices": sorted(self.invoices),
            }

    @staticmethod
    def peek_status(t):
        if t["fate"] == "processing":
            return "Processing"
        if t["polls"] < t["processingPolls"]:
            return "Processing"
        return "Failure" if t["fate"] == "fail" else "Success"

    def save(self):
        if not self.args.state:
            return
        os.makedirs(self.args.state, exist_ok=True)
        tmp = os.path.join(self.args.state, "state.json.%d.tmp" % threading.get_ident())
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.dump(), fh, indent=1)
        os.replace(tmp, os.path.join(self.args.state, "state.json"))


# --------------------------------------------------------------------------
# paging

def make_token(query_key, offset):
    raw = json.dumps({"q": query_key, "o": offset}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode()


def read_token(token, query_key):
    try:
        d = json.loads(base64.urlsafe_b64decode(token.encode() + b"==").decode())
        if d["q"] != query_key or not isinstance(d["o"], int) or d["o"] < 0:
            raise ValueError
        return d["o"]
    except Exception:
        raise ApiError(400, "InvalidInput", "Invalid nextToken: it does not belong to this query.", "nextToken")


def query_key(q, skip=("nextToken",)):
    items = sorted((k, v) for k, v in q.items() if k not in skip)
    return hashlib.sha1(json.dumps(items).encode()).hexdigest()[:16]


def page(items, q, limit):
    off = read_token(q["nextToken"], query_key(q)) if q.get("nextToken") else 0
    chunk = items[off:off + limit]
    nxt = make_token(query_key(q), off + limit) if off + limit < len(items) else None
    return chunk, nxt


# --------------------------------------------------------------------------
# the server

class Server:
    def __init__(self, args):
        self.args = args
        self.ops = load_models(args.models)
        self.state = State(args)
        self.rates = {}
        for spec in args.rate or []:
            m = re.match(r"^(.+)=([\d.]+)/(\d+)$", spec)
            if not m:
                raise SystemExit("--rate wants OP=RATE/BURST, got " + spec)
            self.rates[m.group(1)] = (float(m.group(2)), int(m.group(3)))
        self.by_qname = {o.qname: o for o in self.ops}

    def find(self, method, path):
        allowed = False
        for op in self.ops:
            m = op.regex.match(path)
            if m:
                if op.method == method:
                    return op, {k: urllib.parse.unquote(v) for k, v in m.groupdict().items()}
                allowed = True
        if allowed:
            raise ApiError(405, "MethodNotAllowed", "Method %s is not allowed on %s." % (method, path))
        raise ApiError(404, "NotFound", "The resource specified does not exist.", path)

    def rate_for(self, op):
        for k in (op.qname, op.id, "*"):
            if k in self.rates:
                return self.rates[k]
        return op.rate, op.burst

    def take_rate(self, key, rate, burst):
        with self.state.lock:
            b = self.state.buckets.get(key)
            if b is None:
                b = self.state.buckets[key] = Bucket(rate, burst)
            return b.take()

    # ---- auth -----------------------------------------------------------
    def check_token(self, op, path, method, headers, fault):
        tok = headers.get("x-amz-access-token")
        if not tok:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "The request has no x-amz-access-token header.")
        st = self.state
        with st.lock:
            info = st.tokens.get(tok)
            if info is None:
                raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                               "The access token is not valid.")
            expired = info["expires"] <= st.now()
        if fault and fault["kind"] == "401-expired":
            expired = True
        if expired:
            raise ApiError(401, "Unauthorized", "The access token you provided has expired.",
                           "", {"x-amzn-ErrorType": "UnauthorizedException"})
        restricted = op is not None and op.family == "df" and op.id in ("getOrders", "getOrder")
        if info["kind"] == "rdt":
            if not any(r["method"] == method and _path_match(r["path"], path) for r in info["resources"]):
                raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                               "The restricted data token does not cover %s %s." % (method, path))
        elif restricted:
            raise ApiError(403, "Unauthorized", "Access to requested resource is denied.",
                           "This operation returns restricted data: it needs a restricted data token (RDT).")
        return info

    def issue(self, kind, resources=None):
        st = self.state
        with st.lock:
            if kind == "access":
                tok = "Atza|" + secrets.token_urlsafe(48)
            else:
                tok = "Atz.sprdt|" + secrets.token_urlsafe(48)
            st.tokens[tok] = {"kind": kind, "resources": resources or [],
                              "expires": st.now() + dt.timedelta(seconds=self.args.token_seconds)}
            st.tokens_issued[kind] += 1
        return tok


    def inject_orders(self, kind, body, q):
        ship_from = q.get("shipFromPartyId")
        if isinstance(body, dict):
            ship_from = body.get("shipFromPartyId", ship_from)
            body = body.get("orders") or (body.get("payload") or {}).get("orders") or [body]
        if not isinstance(body, list):
            raise ValueError("want a list of orders")
        st = self.state
        model = "vendorOrders" if kind == "rp" else "vendorDirectFulfillmentOrders_2021-12-28"
        op = next(o for o in self.ops if o.model == model)
        orders = copy.deepcopy(body)
        if q.get("rebase") in ("1", "true"):
            orders = rebase(orders, kind, st.now())
        now = iso(st.now())
        for o in orders:
            if not isinstance(o, dict) or not isinstance(o.get("orderDetails"), dict):
                raise ValueError("an order needs purchaseOrderNumber and orderDetails")
            d = o["orderDetails"]
            if kind == "rp":
                o.setdefault("purchaseOrderState", "New")
                d.setdefault("purchaseOrderDate", now)
                d.setdefault("purchaseOrderStateChangedDate", d["purchaseOrderDate"])
            else:
                d.setdefault("orderDate", now)
                d.setdefault("orderStatus", "NEW")
                if ship_from:
                    d["shipFromParty"] = dict(d.get("shipFromParty") or {}, partyId=ship_from)
            errs = op.validator.validate({"$ref": "#/definitions/Order"}, o)
            if errs:
                raise ValueError("order %s is not a %s Order: %s" % (
                    o.get("purchaseOrderNumber"), model, "; ".join("%s: %s" % e for e in errs[:10])))
        with st.lock:
            for o in orders:
                po = o["purchaseOrderNumber"]
                if kind == "rp":
                    if po in st.rp_orders and "purchaseOrderChangedDate" not in o["orderDetails"]:
                        o["orderDetails"]["purchaseOrderChangedDate"] = now
                    st.rp_orders[po] = o
                else:
                    st.df_orders[po] = o
        return [o["purchaseOrderNumber"] for o in orders]

    def inject_invoices(self, body):
        if isinstance(body, dict):
            body = body.get("invoices", [body])
        fin = next(o for o in self.ops if o.model.startswith("financesInvoices"))
        st = self.state
        out = []
        recs = []
        if not isinstance(body, list):
            raise ValueError("want a list of invoices")
        for rec in body:
            if not isinstance(rec, dict):
                raise ValueError("an invoice record is an object")
            if "invoiceHeader" not in rec:
                rec = {"invoiceHeader": rec, "invoiceItems": []}
            rec = copy.deepcopy(rec)
            errs = fin.validator.validate({"$ref": "#/definitions/GetInvoiceResponse"},
                                          {k: v for k, v in rec.items() if k != "marketplaceId"})
            if errs:
                raise ValueError("invoice is not a GetInvoiceResponse: " + "; ".join("%s: %s" % e for e in errs[:10]))
            recs.append(rec)
        with st.lock:
            for rec in recs:
                st.invoices[rec["invoiceHeader"]["invoiceIdentifier"]] = rec
                out.append(rec["invoiceHeader"]["invoiceIdentifier"])
        return out

    def load_fixtures(self, folder):
        """Loads rp-orders.json, df-orders.json and finances-invoices.json (dates rebased to now)."""
        for name, fn in (("rp-orders.json", lambda b: self.inject_orders("rp", b, {"rebase": "1"})),
                         ("df-orders.json", lambda b: self.inject_orders("df", b, {"rebase": "1"})),
                         ("finances-invoices.json", self.inject_invoices)):
            p = os.path.join(folder, name)
            if os.path.exists(p):
                with open(p, encoding="utf-8") as fh:
                    fn(json.load(fh))


def _path_match(pattern, path):
    pat = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(pattern)) + "$"
    return re.match(pat, path) is not None


def err_body(op, status, errs):
    if op is not None and op.bare_error(status):
        return errs[0]
    return {"errors": errs}


def error_list_value(op_for_model, errs):
    """Transaction errors shaped as the status model's ErrorList: array or {errors}."""
    d = op_for_model.defs.get("ErrorList", {})
    return errs if d.get("type") == "array" else {"errors": errs}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wharf-spapi-standin/1"
    timeout = 60
    srv = None  # Server, set in main

    def log_message(self, fmt, *a):
        if self.srv.args.verbose:
            sys.stderr.write("spapi-standin: " + (fmt % a) + "\n")

    # ---- plumbing -------------------------------------------------------
    def send_json(self, status, obj, headers=None):
        body = b"" if obj is None else json.dumps(obj, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", self.request_id)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self):
        try:
            return standin.read_body(self, MAX_BODY)
        except standin.TooLarge:
            raise ApiError(413, "RequestTooLarge", "The request body is too large.")

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_PATCH(self):
        self.dispatch()

    def dispatch(self):
        self.request_id = str(uuid.uuid4())
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        extra = {}
        op = None
        try:
            raw = self.read_body()
            if path.startswith("/_test/"):
                return self.control(path, q, raw)
            if path == "/auth/o2/token":
                return self.lwa(raw)
            if path == "/tokens/2021-03-01/restrictedDataToken":
                return self.rdt(raw)
            op, pp = self.srv.find(self.command, path)
            st = self.srv.state
            with st.lock:
                st.calls[op.qname] = st.calls.get(op.qname, 0) + 1
            rate, burst = self.srv.rate_for(op)
            extra["x-amzn-RateLimit-Limit"] = repr(float(rate))
            fault = st.take_fault(op.qname, op.id)
            lost = None  # a timeout or cut "after": the request takes effect, its answer is lost
            if fault and fault["kind"] in ("timeout", "cut") and fault.get("after"):
                lost, fault = fault, None
            if fault and fault["kind"] == "timeout":
                time.sleep(float(fault.get("seconds") or 30))
                self.close_connection = True
                return
            if fault and fault["kind"] == "cut":
                return self.cut(op, extra)
            self.srv.check_token(op, path, self.command, {k.lower(): v for k, v in self.headers.items()}, fault)
            if not self.headers.get("User-Agent"):
                raise ApiError(400, "InvalidInput", "The user-agent header is required.", "user-agent")
            if fault and fault["kind"] == "429":
                h = {"Retry-After": str(fault["seconds"])} if fault.get("seconds") else {}
                raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.", "", h)
            if fault and fault["kind"] == "400":
                # the request refused as such (Amazon's own input checks)
                raise ApiError(400, fault.get("errorCode") or "InvalidInput",
                               fault.get("errorMessage") or "The request is invalid.", "")
            if fault and fault["kind"] in ("500", "503"):
                if fault["kind"] == "500":
                    raise ApiError(500, "InternalFailure", "We encountered an internal error. Please try again.")
                raise ApiError(503, "ServiceUnavailable", "Service temporarily unavailable. Please try again.")
            if not self.srv.take_rate(op.qname, rate, burst):
                raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            body = None
            if op.body is not None:
                ctype = self.headers.get("Content-Type", "")
                if "json" not in ctype.lower():
                    raise ApiError(415, "UnsupportedMediaType", "The request payload is in an unsupported format: use application/json.")
                try:
                    body = json.loads(raw.decode("utf-8"))
                except (ValueError, UnicodeDecodeError) as e:
                    raise ApiError(400, "InvalidInput", "The request body is not valid JSON: %s" % e, "$")
            params = dict(q)
            params.update(pp)
            if self.srv.args.sandbox:
                hit = self.sandbox_match(op, params, body)
                if hit is not None:
                    return self.sandbox_answer(op, hit, body, extra)
            self.check_params(op, q, pp)
            if body is not None:
                errs = op.validator.validate(op.body["schema"], body)
                if errs:
                    raise ApiError(400, "InvalidInput", "", "", {"_list": [
                        {"code": "InvalidInput", "message": "%s: %s" % (p, m), "details": p} for p, m in errs[:20]]})
            status, obj = Ops(self.srv, op, params, body).run()
            if obj is not None and op.wraps_payload():
                obj = {"payload": obj}
            if lost and lost["kind"] == "timeout":
                time.sleep(float(lost.get("seconds") or 30))
                self.close_connection = True
                return
            if lost:
                return self.cut(op, extra)
            self.send_json(status, obj, extra)
        except ApiError as e:
            h = dict(extra)
            h.update({k: v for k, v in e.headers.items() if not k.startswith("_")})
            errs = e.headers.get("_list") or [{"code": e.code, "message": e.message, "details": e.details}]
            self.send_json(e.status, err_body(op, e.status, errs), h)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the stand-in: say so
            import traceback
            traceback.print_exc()
            self.send_json(500, {"errors": [{"code": "InternalFailure", "message": "stand-in bug: %r" % e, "details": ""}]}, extra)

    def cut(self, op, extra):
        body = json.dumps({"payload": {"note": "this response is cut short on purpose by a test fault"}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + 4096))
        self.send_header("x-amzn-RequestId", self.request_id)
        for k, v in extra.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.close_connection = True

    def check_params(self, op, q, pp):
        for p in op.params:
            name = p["name"]
            src = pp if p.get("in") == "path" else q if p.get("in") == "query" else None
            if src is None:
                continue
            if name not in src:
                if p.get("required"):
                    raise ApiError(400, "InvalidInput", "Missing required parameter '%s'." % name, name)
                continue
            v = src[name]
            if p.get("type") == "integer":
                try:
                    iv = int(v)
                except ValueError:
                    raise ApiError(400, "InvalidInput", "Parameter '%s' must be an integer: %s" % (name, v), name)
                if "minimum" in p and iv < p["minimum"] or "maximum" in p and iv > p["maximum"]:
                    raise ApiError(400, "InvalidInput", "Parameter '%s' is out of range [%s, %s]: %s" % (
                        name, p.get("minimum"), p.get("maximum"), v), name)
            if "enum" in p and v not in [str(x) for x in p["enum"]]:
                raise ApiError(400, "InvalidInput", "Parameter '%s' must be one of %s: %s" % (
                    name, ", ".join(map(str, p["enum"])), v), name)
            if p.get("format") == "date-time" and parse_dt(v) is None:
                raise ApiError(400, "InvalidInput", "Parameter '%s' is not an ISO-8601 date-time: %s" % (name, v), name)
            if p.get("format") == "boolean" and v not in ("true", "false"):
                raise ApiError(400, "InvalidInput", "Parameter '%s' must be true or false: %s" % (name, v), name)

    # ---- sandbox --------------------------------------------------------
    def sandbox_match(self, op, params, body):
        catch_all = None
        for code, ex in op.sandbox():
            want = ex.get("request", {}).get("parameters", {})
            if "body" in want:
                if "value" not in want["body"]:
                    catch_all = catch_all or (code, ex)
                elif body == want["body"]["value"]:
                    return code, ex
                continue
            got = {k: v for k, v in params.items()}
            if set(got) != set(want):
                continue
            if all(_same(want[k].get("value"), got[k]) for k in want):
                return code, ex
        if catch_all and op.validator.validate(op.body["schema"], body):
            return None  # an invalid body gets the validator's answer, not the catch-all
        return catch_all

    def sandbox_answer(self, op, hit, body, extra):
        code, ex = hit
        resp = ex.get("response")
        if code == 202 and isinstance(resp, dict):
            tid = (resp.get("payload") or resp).get("transactionId")
            if tid:
                Ops(self.srv, op, {}, body).record(tid, sandbox=True)
        self.send_json(code, resp, extra)

    # ---- LWA and Tokens API ----------------------------------------------
    def lwa(self, raw):
        if self.command != "POST":
            return self.send_json(405, {"error": "invalid_request", "error_description": "POST only"})
        st = self.srv.state
        with st.lock:
            st.calls["lwa/token"] = st.calls.get("lwa/token", 0) + 1
        fault = st.take_fault("lwa/token", "token")
        if fault and fault["kind"] == "timeout":
            time.sleep(float(fault.get("seconds") or 30))
            self.close_connection = True
            return
        if fault and fault["kind"] == "cut":
            return self.cut(None, {})
        if fault and fault["kind"] in ("500", "503"):
            return self.send_json(int(fault["kind"]), {"error": "server_error", "error_description": "test fault"})
        if fault and fault["kind"] == "429":
            return self.send_json(429, {"error": "too_many_requests", "error_description": "test fault"})
        ctype = self.headers.get("Content-Type", "")
        if "application/x-www-form-urlencoded" not in ctype:
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Content-Type must be application/x-www-form-urlencoded"})
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace")).items()}
        a = self.srv.args
        for k in ("grant_type", "client_id", "client_secret"):
            if not form.get(k):
                return self.send_json(400, {"error": "invalid_request",
                                            "error_description": "The request is missing a required parameter : " + k})
        if form["grant_type"] != "refresh_token":
            return self.send_json(400, {"error": "unsupported_grant_type",
                                        "error_description": "The authorization grant type is not supported by the authorization server"})
        if form["client_id"] != a.client_id or form["client_secret"] != a.client_secret:
            return self.send_json(400, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if form.get("refresh_token") != a.refresh_token:
            return self.send_json(400, {"error": "invalid_grant",
                                        "error_description": "The request has an invalid grant parameter : refresh_token"})
        tok = self.srv.issue("access")
        self.send_json(200, {"access_token": tok, "refresh_token": a.refresh_token,
                             "token_type": "bearer", "expires_in": a.token_seconds})

    def rdt(self, raw):
        class _RdtOp:  # errors of the Tokens API are {errors:[...]}
            family, id = "tokens", "createRestrictedDataToken"
        st = self.srv.state
        extra = {"x-amzn-RateLimit-Limit": "1.0"}
        try:
            if self.command != "POST":
                raise ApiError(405, "MethodNotAllowed", "POST only.")
            with st.lock:
                st.calls["tokens/createRestrictedDataToken"] = st.calls.get("tokens/createRestrictedDataToken", 0) + 1
            fault = st.take_fault("tokens/createRestrictedDataToken", "createRestrictedDataToken")
            if fault and fault["kind"] == "timeout":
                time.sleep(float(fault.get("seconds") or 30))
                self.close_connection = True
                return
            if fault and fault["kind"] == "cut":
                return self.cut(None, extra)
            if fault and fault["kind"] in ("500", "503", "429"):
                raise ApiError(int(fault["kind"]), "QuotaExceeded" if fault["kind"] == "429" else "InternalFailure", "test fault")
            info = self.srv.check_token(None, "", "POST", {k.lower(): v for k, v in self.headers.items()}, fault)
            if info["kind"] != "access":
                raise ApiError(403, "Unauthorized", "Access to requested resource is denied.", "An RDT cannot ask for an RDT.")
            if not self.srv.take_rate("tokens/createRestrictedDataToken", 1.0, 10):
                raise ApiError(429, "QuotaExceeded", "You exceeded your quota for the requested resource.")
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                raise ApiError(400, "InvalidInput", "The request body is not valid JSON.", "$")
            res = body.get("restrictedResources") if isinstance(body, dict) else None
            if not isinstance(res, list) or not res:
                raise ApiError(400, "InvalidInput", "$.restrictedResources: required, a non-empty array.", "$.restrictedResources")
            for i, r in enumerate(res):
                if not isinstance(r, dict) or r.get("method") not in ("GET", "PUT", "POST", "DELETE") \
                        or not isinstance(r.get("path"), str) or not r["path"].startswith("/"):
                    raise ApiError(400, "InvalidInput", "$.restrictedResources[%d]: needs method (GET|PUT|POST|DELETE) and path." % i,
                                   "$.restrictedResources[%d]" % i)
            tok = self.srv.issue("rdt", [{"method": r["method"], "path": r["path"]} for r in res])
            self.send_json(200, {"restrictedDataToken": tok, "expiresIn": self.srv.args.token_seconds}, extra)
        except ApiError as e:
            h = dict(extra)
            h.update(e.headers)
            self.send_json(e.status, {"errors": [{"code": e.code, "message": e.message, "details": e.details}]}, h)

    # ---- control API ------------------------------------------------------
    def control(self, path, q, raw):
        st = self.srv.state
        try:
            body = json.loads(raw.decode("utf-8")) if raw.strip() else None
        except ValueError as e:
            return self.send_json(400, {"error": "body is not JSON: %s" % e})
        try:
            if path == "/_test/state" and self.command == "GET":
                return self.send_json(200, st.dump())
            if self.command != "POST":
                return self.send_json(405, {"error": "POST only (GET for /_test/state)"})
            if path == "/_test/reset":
                st.reset()
                if self.srv.args.fixtures:
                    self.srv.load_fixtures(self.srv.args.fixtures)
                return self.send_json(200, {"reset": True})
            if path == "/_test/orders/rp":
                return self.send_json(200, {"added": self.srv.inject_orders("rp", body, q)})
            if path == "/_test/orders/df":
                return self.send_json(200, {"added": self.srv.inject_orders("df", body, q)})
            if path == "/_test/faults":
                items = body if isinstance(body, list) else [body]
                added = []
                for f in items:
                    if not isinstance(f, dict) or f.get("kind") not in (
                            "400", "429", "500", "503", "timeout", "cut", "401-expired", "processing", "fail"):
                        return self.send_json(400, {"error": "fault needs kind 400|429|500|503|timeout|cut|401-expired|processing|fail", "got": f})
                    f = {"operation": f.get("operation", "*"), "kind": f["kind"], "count": int(f.get("count", 1)),
                         "seconds": f.get("seconds"), "errorCode": f.get("errorCode"),
                         "errorMessage": f.get("errorMessage"), "after": bool(f.get("after")),
                         "applied": bool(f.get("applied"))}
                    added.append(f)
                with st.lock:
                    st.faults.extend(added)
                return self.send_json(200, {"faults": len(added)})
            if path == "/_test/finances":
                return self.send_json(200, {"invoices": self.srv.inject_invoices(body)})
            if path == "/_test/clock":
                with st.lock:
                    if isinstance(body, dict) and "now" in body:
                        t = parse_dt(body["now"])
                        if t is None:
                            return self.send_json(400, {"error": "now is not a date-time"})
                        st.clock_offset = t.timestamp() - time.time()
                    elif isinstance(body, dict) and "advanceSeconds" in body:
                        st.clock_offset += float(body["advanceSeconds"])
                    else:
                        return self.send_json(400, {"error": "want {now} or {advanceSeconds}"})
                return self.send_json(200, {"now": iso(st.now())})
            if path == "/_test/expire-tokens":
                with st.lock:
                    for t in st.tokens.values():
                        t["expires"] = st.now() - dt.timedelta(seconds=1)
                return self.send_json(200, {"expired": True})
            return self.send_json(404, {"error": "no such control endpoint: " + path})
        except ValueError as e:
            return self.send_json(400, {"error": str(e)})

def _same(want, got):
    if isinstance(want, bool):
        return str(want).lower() == got
    return str(want) == str(got)


def rebase(orders, kind, now):
    """Shifts every date-time in the orders so the latest order date becomes now - 1 h."""
    key = "purchaseOrderDate" if kind == "rp" else "orderDate"
    dates = [parse_dt(o.get("orderDetails", {}).get(key)) for o in orders]
    dates = [d for d in dates if d]
    if not dates:
        return orders
    delta = (now - dt.timedelta(hours=1)) - max(dates)

    def shift(v):
        if isinstance(v, dict):
            return {k: shift(x) for k, x in v.items()}
        if isinstance(v, list):
            return [shift(x) for x in v]
        if isinstance(v, str) and _DATE_IN_STR.search(v):
            return _DATE_IN_STR.sub(lambda m: iso(parse_dt(m.group(0)) + delta), v)
        return v
    return shift(orders)


# --------------------------------------------------------------------------
# operations

class Ops:
    def __init__(self, srv, op, params, body):
        self.srv, self.op, self.q, self.body = srv, op, params, body
        self.st = srv.state

    def run(self):
        fn = getattr(self, "op_%s_%s" % (self.op.family, self.op.id), None)
        if fn is None and self.op.method == "POST" and self.op.transactional():
            fn = self.write
        if fn is None:
            raise ApiError(501, "NotImplemented",
                           "The local stand-in does not implement %s (try --sandbox for its static examples)." % self.op.qname)
        return fn()

    # ---- helpers ----
    def limit(self, default=100):
        n = int(self.q.get("limit", default))
        if self.srv.args.page_size:
            n = min(n, self.srv.args.page_size)
        return n

    def window(self, after_key, before_key, required=False, days=7):
        a, b = self.q.get(after_key), self.q.get(before_key)
        if required and (a is None or b is None):
            raise ApiError(400, "InvalidInput", "Both %s and %s are required." % (after_key, before_key), after_key)
        if a is None and b is None:
            return None
        now = self.st.now()
        bt = parse_dt(b) if b else now
        at = parse_dt(a) if a else bt - dt.timedelta(days=days)
        if at > bt:
            raise ApiError(400, "InvalidInput", "%s must be before %s." % (after_key, before_key), after_key)
        if bt - at > dt.timedelta(days=days):
            raise ApiError(400, "InvalidInput", "The date range between %s and %s must not be more than %d days." % (
                after_key, before_key, days), after_key)
        max_age = self.srv.args.max_age_days
        if max_age and at < now - dt.timedelta(days=max_age):
            raise ApiError(400, "InvalidInput", "%s must not be more than %d days in the past." % (after_key, max_age), after_key)
        return at, bt

    def new_tid(self):
        return self.st.now().strftime("%Y%m%d%H%M%S") + "-" + str(uuid.uuid4())

    def record(self, tid=None, sandbox=False):
        tid = tid or self.new_tid()
        op = self.op
        fate = "success"
        errs = []
        if op.id.lower() in ("submitinvoices", "submitinvoice") and not self.srv.args.invoices_complete:
            fate = "processing"
        f = self.st.take_fault(op.qname, op.id, kinds=("processing", "fail"))
        applied = False
        if f:
            fate = f["kind"]
            # "applied": Amazon did the work (the PO shows it) but the
            # transaction itself never leaves Processing
            applied = fate == "processing" and f.get("applied")
            if fate == "fail":
                errs = [{"code": f.get("errorCode") or "INVALID_ORDER_ID",
                         "message": f.get("errorMessage") or "The purchase order number is not valid.",
                         "details": ""}]
        if fate == "success" and not sandbox:
            errs = self.semantic_errors()
            if errs:
                fate = "fail"
        with self.st.lock:
            self.st.transactions[tid] = {"id": tid, "operation": op.qname, "family": op.family, "fate": fate,
                                         "errors": errs, "polls": 0,
                                         "processingPolls": self.srv.args.processing_polls}
            self.st.submissions.append({"operation": op.qname, "transactionId": tid, "body": self.body,
                                        "time": iso(self.st.now()), "requestParameters": self.q})
            if fate == "success" or applied:
                self.apply()
        self.st.save()
        return tid

    def write(self):
        return 202, {"transactionId": self.record()}

    def semantic_errors(self):
        """Transaction-level failures a real backend reports for well-formed bodies."""
        op, b, st = self.op, self.body, self.st
        errs = []
        if op.family == "rp" and op.id == "submitAcknowledgement":
            for a in b.get("acknowledgements", []):
                if a.get("purchaseOrderNumber") not in st.rp_orders:
                    errs.append({"code": "INVALID_ORDER_ID", "message": "Purchase order %s was not found." % a.get("purchaseOrderNumber"), "details": ""})
        if op.family == "df" and op.id in ("submitAcknowledgement", "submitShipmentConfirmations"):
            key = "orderAcknowledgements" if op.id == "submitAcknowledgement" else "shipmentConfirmations"
            for a in b.get(key, []):
                if a.get("purchaseOrderNumber") not in st.df_orders:
                    errs.append({"code": "INVALID_ORDER_ID", "message": "Purchase order %s was not found." % a.get("purchaseOrderNumber"), "details": ""})
        return errs

    def apply(self):
        op, b, st = self.op, self.body, self.st
        now = iso(st.now())
        if op.family == "rp" and op.id == "submitAcknowledgement":
            for a in b.get("acknowledgements", []):
                o = st.rp_orders.get(a["purchaseOrderNumber"])
                if o is None:
                    continue
                o["purchaseOrderState"] = "Acknowledged"
                o["orderDetails"]["purchaseOrderStateChangedDate"] = now
                acks = st.rp_acks.setdefault(a["purchaseOrderNumber"], {})
                for it in a.get("items", []):
                    seq = it.get("itemSequenceNumber") or _seq_for(o, it)
                    acc = sum(x["acknowledgedQuantity"].get("amount", 0) for x in it["itemAcknowledgements"]
                              if x.get("acknowledgementCode") in ("Accepted", "Backordered"))
                    rej = sum(x["acknowledgedQuantity"].get("amount", 0) for x in it["itemAcknowledgements"]
                              if x.get("acknowledgementCode") == "Rejected")
                    q = it.get("orderedQuantity", {})
                    rec = acks.setdefault(seq, {"details": []})
                    rec.update({"accepted": acc, "rejected": rej, "uom": q.get("unitOfMeasure", "Eaches"),
                                "unitSize": q.get("unitSize", 1), "date": a.get("acknowledgementDate", now)})
                    rec["details"].append({"acknowledgementDate": a.get("acknowledgementDate", now),
                                           "acceptedQuantity": _qty(acc, rec), "rejectedQuantity": _qty(rej, rec)})
                    rec["updated"] = now
        elif op.family == "df" and op.id == "submitAcknowledgement":
            for a in b.get("orderAcknowledgements", []):
                o = st.df_orders.get(a["purchaseOrderNumber"])
                if o is not None:
                    code = (a.get("acknowledgementStatus") or {}).get("code")
                    o["orderDetails"]["orderStatus"] = "ACCEPTED" if code == "00" else "CANCELLED"
        elif op.family == "df" and op.id == "submitShipmentConfirmations":
            for s in b.get("shipmentConfirmations", []):
                o = st.df_orders.get(s["purchaseOrderNumber"])
                if o is not None and (s.get("shipmentDetails") or {}).get("shipmentStatus") == "SHIPPED":
                    o["orderDetails"]["orderStatus"] = "SHIPPED"

    # ---- RP orders ----
    def op_rp_getPurchaseOrders(self):
        st = self.st
        changed = self.window("changedAfter", "changedBefore")
        created = self.window("createdAfter", "createdBefore")
        if created is None and changed is None:
            now = st.now()
            created = (now - dt.timedelta(days=7), now)
        with st.lock:
            orders = [copy.deepcopy(o) for o in st.rp_orders.values()]
        out = []
        for o in orders:
            d = o["orderDetails"]
            if created and not _in(parse_dt(d["purchaseOrderDate"]), created):
                continue
            if changed and not _in(parse_dt(d.get("purchaseOrderChangedDate") or ""), changed):
                continue
            if self.q.get("purchaseOrderState") and o["purchaseOrderState"] != self.q["purchaseOrderState"]:
                continue
            if self.q.get("orderingVendorCode") and (d.get("sellingParty") or {}).get("partyId") != self.q["orderingVendorCode"]:
                continue
            if self.q.get("poItemState") == "Cancelled" and not any(
                    (i.get("orderedQuantity") or {}).get("amount") == 0 for i in d.get("items", [])):
                continue
            if self.q.get("isPOChanged") == "true" and not d.get("purchaseOrderChangedDate"):
                continue
            if self.q.get("isPOChanged") == "false" and d.get("purchaseOrderChangedDate"):
                continue
            out.append(o)
        out.sort(key=lambda o: (parse_dt(o["orderDetails"]["purchaseOrderDate"]), o["purchaseOrderNumber"]),
                 reverse=self.q.get("sortOrder") == "DESC")
        chunk, nxt = page(out, self.q, self.limit())
        if self.q.get("includeDetails") == "false":
            chunk = [{"purchaseOrderNumber": o["purchaseOrderNumber"], "purchaseOrderState": o["purchaseOrderState"]} for o in chunk]
        res = {"orders": chunk}
        if nxt:
            res["pagination"] = {"nextToken": nxt}
        return 200, res

    def op_rp_getPurchaseOrder(self):
        with self.st.lock:
            o = self.st.rp_orders.get(self.q["purchaseOrderNumber"])
            if o is None:
                raise ApiError(404, "NotFound", "Purchase order %s was not found." % self.q["purchaseOrderNumber"])
            return 200, copy.deepcopy(o)

    def op_rp_getPurchaseOrdersStatus(self):
        st = self.st
        created = self.window("createdAfter", "createdBefore")
        updated = self.window("updatedAfter", "updatedBefore")
        if created is None and updated is None and not self.q.get("purchaseOrderNumber"):
            now = st.now()
            created = (now - dt.timedelta(days=7), now)
        out = []
        with st.lock:
            for po, o in st.rp_orders.items():
                s = self.order_status(o, st.rp_acks.get(po, {}))
                if self.q.get("purchaseOrderNumber") and po != self.q["purchaseOrderNumber"]:
                    continue
                if created and not _in(parse_dt(s["purchaseOrderDate"]), created):
                    continue
                if updated and not _in(parse_dt(s["lastUpdatedDate"]), updated):
                    continue
                if self.q.get("purchaseOrderStatus") and s["purchaseOrderStatus"] != self.q["purchaseOrderStatus"]:
                    continue
                if self.q.get("orderingVendorCode") and s["sellingParty"].get("partyId") != self.q["orderingVendorCode"]:
                    continue
                if self.q.get("shipToPartyId") and s["shipToParty"].get("partyId") != self.q["shipToPartyId"]:
                    continue
                if self.q.get("itemConfirmationStatus") and not any(
                        i["acknowledgementStatus"]["confirmationStatus"] == self.q["itemConfirmationStatus"] for i in s["itemStatus"]):
                    continue
                if self.q.get("itemReceiveStatus") and not any(
                        i["receivingStatus"]["receiveStatus"] == self.q["itemReceiveStatus"] for i in s["itemStatus"]):
                    continue
                out.append(s)
        out.sort(key=lambda s: (parse_dt(s["purchaseOrderDate"]), s["purchaseOrderNumber"]),
                 reverse=self.q.get("sortOrder") == "DESC")
        chunk, nxt = page(out, self.q, self.limit())
        res = {"ordersStatus": chunk}
        if nxt:
            res["pagination"] = {"nextToken": nxt}
        return 200, res

    @staticmethod
    def order_status(o, acks):
        d = o["orderDetails"]
        items = []
        last = d.get("purchaseOrderChangedDate") or d["purchaseOrderDate"]
        for it in d.get("items", []):
            q = dict(it.get("orderedQuantity") or {})
            a = acks.get(it["itemSequenceNumber"])
            s = {"itemSequenceNumber": it["itemSequenceNumber"]}
            for k_from, k_to in (("amazonProductIdentifier", "buyerProductIdentifier"),
                                 ("vendorProductIdentifier", "vendorProductIdentifier"),
                                 ("netCost", "netCost"), ("listPrice", "listPrice")):
                if k_from in it:
                    s[k_to] = it[k_from]
            s["orderedQuantity"] = {"orderedQuantity": q, "orderedQuantityDetails": [
                {"updatedDate": d.get("purchaseOrderChangedDate") or d["purchaseOrderDate"], "orderedQuantity": q}]}
            rec = {"uom": q.get("unitOfMeasure", "Eaches"), "unitSize": q.get("unitSize", 1)}
            if a is None:
                s["acknowledgementStatus"] = {"confirmationStatus": "UNCONFIRMED",
                                              "acceptedQuantity": _qty(0, rec), "rejectedQuantity": _qty(0, rec)}
            else:
                cs = ("ACCEPTED" if a["rejected"] == 0 and a["accepted"] > 0 else
                      "REJECTED" if a["accepted"] == 0 else "PARTIALLY_ACCEPTED")
                s["acknowledgementStatus"] = {"confirmationStatus": cs, "acceptedQuantity": _qty(a["accepted"], a),
                                              "rejectedQuantity": _qty(a["rejected"], a),
                                              "acknowledgementStatusDetails": list(a["details"])}
                if a.get("updated") and parse_dt(a["updated"]) > parse_dt(last):
                    last = a["updated"]
            s["receivingStatus"] = {"receiveStatus": "NOT_RECEIVED", "receivedQuantity": _qty(0, rec)}
            items.append(s)
        return {"purchaseOrderNumber": o["purchaseOrderNumber"],
                "purchaseOrderStatus": "CLOSED" if o.get("purchaseOrderState") == "Closed" else "OPEN",
                "purchaseOrderDate": d["purchaseOrderDate"], "lastUpdatedDate": last,
                "sellingParty": d.get("sellingParty", {}), "shipToParty": d.get("shipToParty", {}),
                "itemStatus": items}

    # ---- transactions ----
    def transaction(self, family):
        tid = self.q["transactionId"]
        with self.st.lock:
            t = self.st.transactions.get(tid)
            if t is None or t["family"] != family:
                raise ApiError(404, "NotFound", "Transaction %s was not found." % tid, "transactionId")
            status = State.peek_status(t)
            t["polls"] += 1
        res = {"transactionId": tid, "status": status}
        if status == "Failure":
            res["errors"] = error_list_value(self.op, t["errors"])
        return 200, {"transactionStatus": res}

    def op_rp_getTransaction(self):
        return self.transaction("rp")

    def op_df_getTransactionStatus(self):
        return self.transaction("df")

    # ---- DF orders ----
    def op_df_getOrders(self):
        st = self.st
        created = self.window("createdAfter", "createdBefore", required=True)
        with st.lock:
            orders = [copy.deepcopy(o) for o in st.df_orders.values()]
        out = []
        for o in orders:
            d = o["orderDetails"]
            if not _in(parse_dt(d["orderDate"]), created):
                continue
            if self.q.get("shipFromPartyId") and (d.get("shipFromParty") or {}).get("partyId") != self.q["shipFromPartyId"]:
                continue
            if self.q.get("status") and d.get("orderStatus") != self.q["status"]:
                continue
            out.append(o)
        out.sort(key=lambda o: (parse_dt(o["orderDetails"]["orderDate"]), o["purchaseOrderNumber"]),
                 reverse=self.q.get("sortOrder") == "DESC")
        chunk, nxt = page(out, self.q, self.limit())
        if self.q.get("includeDetails") == "false":
            chunk = [{"purchaseOrderNumber": o["purchaseOrderNumber"]} for o in chunk]
        res = {"orders": chunk}
        if nxt:
            res["pagination"] = {"nextToken": nxt}
        return 200, res

    def op_df_getOrder(self):
        with self.st.lock:
            o = self.st.df_orders.get(self.q["purchaseOrderNumber"])
            if o is None:
                raise ApiError(404, "NotFound", "Purchase order %s was not found." % self.q["purchaseOrderNumber"])
            return 200, copy.deepcopy(o)

    # ---- finances ----
    def op_fin_getInvoiceHeaders(self):
        st = self.st
        win = self.window("fromIssueDate", "toIssueDate", days=90) if (
            self.q.get("fromIssueDate") or self.q.get("toIssueDate")) else None
        mod = parse_dt(self.q["invoicesModifiedAfter"]) if self.q.get("invoicesModifiedAfter") else None
        if self.q.get("invoicesModifiedAfter") and mod is None:
            raise ApiError(400, "InvalidInput", "invoicesModifiedAfter is not an ISO-8601 date-time.", "invoicesModifiedAfter")
        out = []
        with st.lock:
            recs = [copy.deepcopy(r) for r in st.invoices.values()]
        for r in recs:
            h = r["invoiceHeader"]
            if r.get("marketplaceId") and r["marketplaceId"] != self.q["marketplaceId"]:
                continue
            if win and not _in(parse_dt(h["issueDate"]), win):
                continue
            if mod and not parse_dt(h["lastUpdatedDate"]) > mod:
                continue
            out.append(h)
        out.sort(key=lambda h: (parse_dt(h["issueDate"]), h["invoiceIdentifier"]))
        chunk, nxt = page(out, self.q, self.limit(100))
        res = {"invoices": chunk, "numOfRecords": len(chunk)}
        if nxt:
            res["nextToken"] = nxt
        return 200, res

    def op_fin_getInvoice(self):
        with self.st.lock:
            r = copy.deepcopy(self.st.invoices.get(self.q["invoiceIdentifier"]))
        if r is None or (r.get("marketplaceId") and r["marketplaceId"] != self.q["marketplaceId"]):
            raise ApiError(404, "NotFound", "Invoice %s was not found." % self.q["invoiceIdentifier"], "invoiceIdentifier")
        q = dict(self.q)
        if q.get("nextTokenForLineItems"):
            q["nextToken"] = q.pop("nextTokenForLineItems")
        chunk, nxt = page(r.get("invoiceItems", []), q, self.limit(600))
        res = {"invoiceHeader": r["invoiceHeader"], "invoiceItems": chunk}
        if nxt:
            res["nextTokenForLineItems"] = nxt
        return 200, res


def _qty(n, rec):
    return {"amount": n, "unitOfMeasure": rec.get("uom", "Eaches"), "unitSize": rec.get("unitSize", 1)}


def _seq_for(order, it):
    for o in order["orderDetails"].get("items", []):
        if it.get("amazonProductIdentifier") and o.get("amazonProductIdentifier") == it["amazonProductIdentifier"]:
            return o["itemSequenceNumber"]
        if it.get("vendorProductIdentifier") and o.get("vendorProductIdentifier") == it["vendorProductIdentifier"]:
            return o["itemSequenceNumber"]
    return "?"


def _in(t, win):
    return t is not None and win[0] <= t <= win[1]


# --------------------------------------------------------------------------
# main

def default_models():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(here))
    return os.path.normpath(os.path.join(repo, "..", "shared", "amazon", "sp-api-models"))


def parse_args(argv):
    p = argparse.ArgumentParser(description=BANNER)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    p.add_argument("--port-file", help="write the port number to this file once listening")
    p.add_argument("--cert", help="PEM certificate: serve HTTPS")
    p.add_argument("--key", help="PEM private key for --cert")
    p.add_argument("--models", default=default_models(), help="folder of the SP-API Swagger models")
    p.add_argument("--config", help="JSON file: clientId, clientSecret, refreshToken, tokenSeconds, pageSize, processingPolls")
    p.add_argument("--client-id")
    p.add_argument("--client-secret")
    p.add_argument("--refresh-token")
    p.add_argument("--token-seconds", type=int, help="lifetime of access tokens and RDTs (default 3600)")
    p.add_argument("--page-size", type=int, help="cap on every page (default: the request's limit)")
    p.add_argument("--processing-polls", type=int, help="status polls that read Processing before Success (default 1)")
    p.add_argument("--max-age-days", type=int, default=180, help="oldest createdAfter accepted (0: no limit)")
    p.add_argument("--invoices-complete", action="store_true", help="invoice transactions reach Success (Amazon leaves them Processing)")
    p.add_argument("--sandbox", action="store_true", help="answer requests matching a model's x-amzn-api-sandbox static example with its response")
    p.add_argument("--rate", action="append", help="OP=RATE/BURST override (OP: model/operationId, operationId or *)")
    p.add_argument("--fixtures", help="folder with rp-orders.json, df-orders.json, finances-invoices.json to load at start (dates rebased to now)")
    p.add_argument("--state", help="folder to write state.json into after every accepted submission")
    p.add_argument("--verbose", action="store_true", help="log requests on stderr")
    a = p.parse_args(argv)
    cfg = {}
    if a.config:
        with open(a.config, encoding="utf-8") as fh:
            cfg = json.load(fh)
    a.client_id = a.client_id or cfg.get("clientId", DEFAULT_CLIENT_ID)
    a.client_secret = a.client_secret or cfg.get("clientSecret", DEFAULT_CLIENT_SECRET)
    a.refresh_token = a.refresh_token or cfg.get("refreshToken", DEFAULT_REFRESH_TOKEN)
    a.token_seconds = a.token_seconds if a.token_seconds is not None else int(cfg.get("tokenSeconds", 3600))
    a.page_size = a.page_size if a.page_size is not None else cfg.get("pageSize")
    a.processing_polls = a.processing_polls if a.processing_polls is not None else int(cfg.get("processingPolls", 1))
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    srv = Server(args)
    if args.fixtures:
        srv.load_fixtures(args.fixtures)
    Handler.srv = srv
    serve(Handler, args, lambda port, scheme: "%s: %d operations from %s, %s on 127.0.0.1:%d" % (
        BANNER, len(srv.ops), args.models, scheme, port))


if __name__ == "__main__":
    main()
