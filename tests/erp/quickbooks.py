#!/usr/bin/env python3
"""LOCAL STAND-IN FOR QUICKBOOKS ONLINE -- NOT INTUIT.

A test and demo server for wharf that imitates the parts of the QuickBooks
Online (QBO) Accounting API v3 and of Intuit's OAuth 2.0 token endpoint that
wharf's QuickBooks connector calls. Nothing here talks to Intuit: the company,
its customers, items and transactions live in memory (and in --state FILE),
and tests steer the server through the /_test/ control API (README-quickbooks.md
beside this file). Python 3 standard library only (plain Debian python3 >= 3.9).

Usage:
  quickbooks.py [--port N] [--port-file PATH] [--cert PEM --key PEM]
                [--realm 9130350000000000] [--client-id ID] [--client-secret S]
                [--refresh-token T] [--token-seconds 3600]
                [--duplicate-docnumber-check] [--state FILE] [--verbose]
Prints exactly one line "listening PORT" on stdout once it accepts requests.

What it does, and where Intuit documents it (the sources are those of
shared/research/erp-as2.md section 2.1):

- Paths. Create and update are POST /v3/company/{realmId}/{entity}, read is
  GET .../{entity}/{id}, query is GET .../query?query=<SELECT> (POST with an
  application/text body works too); JSON with Accept: application/json and
  Authorization: Bearer. A realm other than the token's is 403
  AuthorizationFault (code 3100).
  https://developer.intuit.com/app/developer/qbo/docs/learn/rest-api-features
- OAuth 2.0. POST /oauth2/v1/tokens/bearer with HTTP Basic client_id:secret and
  a form body, grant_type=refresh_token or authorization_code. Access tokens
  live --token-seconds (1 h); the answer carries x_refresh_token_expires_in.
  The refresh token rotates: every refresh answers a new one and the client
  must always keep the newest; a dead one is 400 {"error":"invalid_grant"}.
  https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq
  (x_refresh_token_expires_in: intuit/QuickBooks-V3-Java-SDK release v6.5.4.)
  How long the previous token keeps working is a /_test/refresh-policy switch.
- minorversion. Versions 1-74 are discontinued: a missing or lower value is
  served as 75, never refused. Each request's value is logged so tests can
  check that wharf pins one.
  https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/minor-versions
- Throttling. 10 requests/second and 500/minute per realm, 10 in flight at
  once; over that, HTTP 429 with a ThrottleExceeded Fault (code 003001).
  https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles
  https://developer.intuit.com/hub/blog/2016/08/08/idg-concurrent-api-use-changes-coming-soon
- Idempotency. ?requestid=R (at most 50 characters, unique per company): a
  write sent again with the same R gets the original answer and changes
  nothing. https://blogs.intuit.com/2015/04/06/15346/
- Errors. {"Fault":{"Error":[{"Message","Detail","code","element"}],"type"},
  "time"} with types ValidationFault, SystemFault, AuthorizationFault; a 401
  is the lower-case {"fault":{"error":[...],"type":"AUTHENTICATION"}} form.
  Codes used: 610 object not found, 2010 invalid property, 2020 required
  parameter missing, 2170 invalid enumeration, 2500 invalid reference id,
  5010 stale object (SyncToken), 6000 business validation, 6070 Amount is not
  UnitPrice * Qty, 6140 duplicate document number (the research notes say
  6210; Intuit's page lists 6210 as "Account Period Closed" and 6140 as the
  duplicate doc number), 6240 duplicate name, 4000/4001 query errors,
  500 unsupported operation, 10000 system failure.
  https://developer.intuit.com/app/developer/qbo/docs/develop/troubleshooting/handling-common-errors
  https://developer.intuit.com/hub/blog/2017/06/08/top-quickbooks-online-api-errors-and-how-to-handle-them
  A 200 answer can carry a Fault too (fault kind "fault200").
- Duplicate DocNumber. With the company's duplicate check on, a second
  Invoice (Estimate) with a DocNumber already used is 6140, unless the request
  says include=allowduplicatedocnum.
- Updates. Id + SyncToken (optimistic concurrency; a stale one is 5010);
  "sparse": true changes only the fields sent. The SyncToken goes up by one.
- Query language. SELECT * | COUNT(*) FROM Entity [WHERE f op v [AND ...]]
  [ORDERBY f [ASC|DESC]] [STARTPOSITION n] [MAXRESULTS n]; operators
  = < > <= >= IN LIKE ('%' only), strings in single quotes with \\' escapes,
  no OR. Answers {"QueryResponse":{"Entity":[...],"startPosition",
  "maxResults"}} ({} when nothing matches).
  https://developer.intuit.com/hub/blog/2017/02/08/deep-dive-sql-queries
- Payments apply to invoices through Line[].LinkedTxn[{TxnId, TxnType:
  "Invoice"}] and lower their Balance.
  https://developer.intuit.com/app/developer/qbo/docs/workflows/manage-linked-transactions
- Webhooks. After each create or update, a POST of {"eventNotifications":
  [{"realmId","dataChangeEvent":{"entities":[{"name","id","operation",
  "lastUpdated"}]}}]} signed with intuit-signature = base64(HMAC-SHA256(
  verifier token, raw body)), sent from a background thread.
  https://developer.intuit.com/app/developer/qbo/docs/develop/webhooks/configure-webhooks
- Entity shapes (field names): intuit/QuickBooks-V3-Java-SDK
  ipp-v3-java-data/src/main/xsd/Finance.xsd at 79b5a3c1. Every answer has an
  intuit_tid header. Times are stamped in a fixed US Pacific offset (-07:00).

Money is decimal.Decimal from the request bytes to the answer bytes: no float
ever holds an amount.
"""

import argparse
import base64
import collections
import copy
import datetime as dt
import hashlib
import hmac
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
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from http.server import BaseHTTPRequestHandler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import standin  # noqa: E402  (tests/lib/standin.py)
from standin import serve  # noqa: E402

BANNER = "wharf local QuickBooks Online stand-in (NOT Intuit; for tests and demos only)"
UTC = dt.timezone.utc
COMPANY_TZ = dt.timezone(dt.timedelta(hours=-7))
DEFAULT_REALM = "9130350000000000"
DEFAULT_CLIENT_ID = "ABwharfTestClientId000000000000000000000000000000"
DEFAULT_CLIENT_SECRET = "wharf-test-client-secret"
DEFAULT_REFRESH_TOKEN = "AB11wharf-test-refresh-token"
REFRESH_LIFETIME = 8726400   # seconds, what Intuit answers as x_refresh_token_expires_in
CODE_LIFETIME = 300          # an authorization code is good for five minutes
MIN_MINOR = 75
MAX_REQUESTID = 50
MAX_DOCNUMBER = 21
MAX_BODY = 10 * 1024 * 1024
MAX_LOG = 5000
CENT = Decimal("0.01")
OLD_REFRESH_POLICIES = ("until-new-used", "invalid-at-once")

# --------------------------------------------------------------------------
# JSON with decimals, time

def jload(raw):
    """Parses JSON keeping every non-integer number as a Decimal."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw, parse_float=Decimal)


def jdump(v):
    """Serializes like json.dumps (compact) and writes Decimals as plain numbers."""
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(str(k)) + ":" + jdump(x) for k, x in v.items()) + "}"
    if isinstance(v, (list, tuple)):
        return "[" + ",".join(jdump(x) for x in v) + "]"
    if isinstance(v, Decimal):
        s = format(v, "f")
        return "0" if s in ("-0", "-0.00") else s
    return json.dumps(v)


def jbytes(v):
    return jdump(v).encode("utf-8")


def money(d):
    return d.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt_time(t):
    """The "time" of an answer: 2024-03-19T10:48:27.082-07:00."""
    t = t.astimezone(COMPANY_TZ)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (t.microsecond // 1000) + "-07:00"


def fmt_meta(t):
    """MetaData.CreateTime / LastUpdatedTime: 2024-03-19T10:48:27-07:00."""
    return t.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S") + "-07:00"


def fmt_hook(t):
    """lastUpdated of a webhook entity, as in Intuit's sample: 2024-03-19T10:48:27-0700."""
    return t.astimezone(COMPANY_TZ).strftime("%Y-%m-%dT%H:%M:%S") + "-0700"


def parse_dt(s):
    """An ISO-8601 date-time (naive = UTC), or None."""
    if not isinstance(s, str):
        return None
    t = s.strip().replace("z", "Z")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    m = re.search(r"([+-])(\d{2})(\d{2})$", t)
    if m and "T" in t:
        t = t[:m.start()] + m.group(1) + m.group(2) + ":" + m.group(3)
    m = re.search(r"\.(\d+)", t)
    if m:
        t = t[:m.start()] + "." + (m.group(1) + "000000")[:6] + t[m.end():]
    try:
        v = dt.datetime.fromisoformat(t)
    except ValueError:
        return None
    return v if v.tzinfo else v.replace(tzinfo=UTC)


def new_tid():
    return "1-%s-%s" % (secrets.token_hex(4), secrets.token_hex(12))


# --------------------------------------------------------------------------
# faults as Intuit shapes them

class QboError(Exception):
    """An answer other than success: status, body, extra headers."""

    def __init__(self, status, body_fn, headers=None):
        super().__init__(status)
        self.status, self.body_fn, self.headers = status, body_fn, headers or {}

    def body(self, now):
        return self.body_fn(now)


def fault(status, code, message, detail, ftype="ValidationFault", element=None, headers=None):
    err = {"Message": message, "Detail": detail, "code": str(code)}
    if element is not None:
        err["element"] = element
    return QboError(status, lambda now: {"Fault": {"Error": [err], "type": ftype}, "time": fmt_time(now)}, headers)


def auth_fault(detail):
    """HTTP 401 as Intuit really sends it: lower-case keys, type AUTHENTICATION."""
    err = {"message": "message=AuthenticationFailed; errorCode=003200; statusCode=401",
           "detail": detail, "code": "3200"}
    return QboError(401, lambda now: {"fault": {"error": [err], "type": "AUTHENTICATION"}, "time": fmt_time(now)},
                    {"WWW-Authenticate": 'Bearer realm="Intuit", error="invalid_token"'})


def authorization_fault(detail):
    return fault(403, "3100", "message=ApplicationAuthorizationFailed; errorCode=003100; statusCode=403",
                 detail, "AuthorizationFault")


def throttle_fault(detail="The request was throttled: too many requests for this company in this period."):
    return fault(429, "003001", "ThrottleExceeded", detail, "SERVICE")


def system_fault(status, detail="System Failure Error: An application error has occurred while processing your request"):
    return fault(status, "10000", "An application error has occurred while processing your request", detail, "SystemFault")


def required(param, element=None):
    return fault(400, "2020", "Required param missing, need to supply the required value for the API",
                 "Required parameter %s is missing in the request" % param, element=element or param)


def invalid_property(detail, element=""):
    return fault(400, "2010", "Request has invalid or unsupported property", detail, element=element)


def invalid_ref(what, rid, element):
    return fault(400, "2500", "Invalid Reference Id",
                 "Invalid Reference Id : %s %s does not exist or has been made inactive" % (what, rid), element=element)


def not_found(entity, oid):
    return fault(400, "610", "Object Not Found",
                 "Object Not Found : %s %s does not exist, was deleted, or has been made inactive" % (entity, oid))


def business(detail, element=""):
    return fault(400, "6000", "A business validation error has occurred while processing your request",
                 "Business Validation Error: " + detail, element=element)


def unsupported(detail):
    return fault(400, "500", "Unsupported Operation", detail)


def query_error(detail):
    return fault(400, "4000", "Error parsing query", "QueryParserError: " + detail)


def query_invalid(detail):
    return fault(400, "4001", "Invalid query", "QueryValidationError: " + detail)


# --------------------------------------------------------------------------
# value helpers

def dec(v, element):
    """A number from a request (JSON number or numeric string) as a Decimal."""
    if isinstance(v, bool) or v is None:
        raise invalid_property("%s is not a number: %s" % (element, jdump(v)), element)
    if isinstance(v, (int, Decimal)):
        return Decimal(v)
    if isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            d = None
        if d is not None and d.is_finite():
            return d
    raise invalid_property("%s is not a number: %s" % (element, jdump(v)), element)


def ref_value(ref):
    """The id of a reference type ({"value": "8", "name": ...}), or None."""
    if isinstance(ref, dict) and ref.get("value") not in (None, ""):
        return str(ref["value"])
    return None


def as_bool(v):
    return v is True or (isinstance(v, str) and v.lower() == "true")


def check_date(v, element):
    if v is None:
        return
    if not isinstance(v, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", v):
        raise invalid_property("%s is not a date (yyyy-mm-dd): %s" % (element, jdump(v)), element)
    try:
        dt.date.fromisoformat(v)
    except ValueError:
        raise invalid_property("%s is not a date (yyyy-mm-dd): %s" % (element, v), element)


# --------------------------------------------------------------------------
# the query language subset

QUERY_FIELDS = {
    "Invoice": ("Id", "DocNumber", "TxnDate", "DueDate", "CustomerRef", "TotalAmt", "Balance",
                "MetaData.CreateTime", "MetaData.LastUpdatedTime"),
    "Estimate": ("Id", "DocNumber", "TxnDate", "CustomerRef", "TotalAmt", "TxnStatus",
                 "MetaData.CreateTime", "MetaData.LastUpdatedTime"),
    "Payment": ("Id", "TxnDate", "CustomerRef", "TotalAmt", "PaymentRefNum",
                "MetaData.CreateTime", "MetaData.LastUpdatedTime"),
    "Customer": ("Id", "DisplayName", "CompanyName", "GivenName", "FamilyName", "PrimaryEmailAddr",
                 "Active", "Balance", "MetaData.CreateTime", "MetaData.LastUpdatedTime"),
    "Item": ("Id", "Name", "Sku", "Type", "Active", "MetaData.CreateTime", "MetaData.LastUpdatedTime"),
    "CompanyInfo": ("Id",),
}
NUMERIC_FIELDS = ("Id", "TotalAmt", "Balance")
TIME_FIELDS = ("MetaData.CreateTime", "MetaData.LastUpdatedTime")

_TOKEN = re.compile(r"""\s*(?:
    (?P<str>'(?:\\.|[^'\\])*')
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|<>|!=|=|<|>)
  | (?P<punct>[(),*])
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
)""", re.X)


class Query:
    """A parsed SELECT: entity, count, conditions, order, start (1-based), max."""

    def __init__(self, text):
        self.text = text
        self.toks = self.lex(text)
        self.i = 0
        self.count = False
        self.conds = []
        self.order = []
        self.start = 1
        self.max = 100
        self.parse()

    @staticmethod
    def lex(text):
        toks, pos = [], 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise query_error("Lexical error at line 1, column %d. Encountered: %r" % (pos + 1, text[pos]))
            kind = m.lastgroup
            val = m.group(kind)
            col = m.start(kind) + 1
            if kind == "str":
                val = re.sub(r"\\(.)", r"\1", val[1:-1])
            toks.append((kind, val, col))
            pos = m.end()
        return toks

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else ("eof", "", len(self.text) + 1)

    def take(self):
        t = self.peek()
        self.i += 1
        return t

    def fail(self, want):
        kind, val, col = self.peek()
        got = "<EOF>" if kind == "eof" else val
        raise query_error('Encountered "%s" at line 1, column %d. Was expecting: %s' % (got, col, want))

    def keyword(self, word, optional=False):
        kind, val, _ = self.peek()
        if kind == "word" and val.upper() == word:
            self.i += 1
            return True
        if optional:
            return False
        self.fail(word)

    def number(self):
        kind, val, _ = self.peek()
        if kind != "num" or "." in val or val.startswith("-"):
            self.fail("a whole number")
        self.i += 1
        return int(val)

    def field(self):
        kind, val, _ = self.peek()
        if kind != "word" or val.upper() in ("AND", "OR", "WHERE", "ORDERBY", "STARTPOSITION", "MAXRESULTS"):
            self.fail("a property name")
        self.i += 1
        for f in QUERY_FIELDS[self.entity]:
            if f.lower() == val.lower():
                return f
        raise query_invalid("property '%s' is not queryable on %s" % (val, self.entity))

    def value(self):
        kind, val, _ = self.peek()
        if kind == "str":
            self.i += 1
            return val
        if kind == "num":
            self.i += 1
            return val
        if kind == "word" and val.lower() in ("true", "false"):
            self.i += 1
            return val.lower()
        self.fail("a quoted string or a number")

    def parse(self):
        self.keyword("SELECT")
        kind, val, _ = self.peek()
        if kind == "punct" and val == "*":
            self.i += 1
        elif kind == "word" and val.upper() == "COUNT":
            self.i += 1
            for want in ("(", "*", ")"):
                k, v, _ = self.peek()
                if k != "punct" or v != want:
                    self.fail('"%s"' % want)
                self.i += 1
            self.count = True
        else:
            self.fail('"*" or COUNT(*)')
        self.keyword("FROM")
        kind, val, _ = self.take()
        ents = {e.lower(): e for e in QUERY_FIELDS}
        if kind != "word" or val.lower() not in ents:
            self.i -= 1
            self.fail("an entity name (%s)" % ", ".join(QUERY_FIELDS))
        self.entity = ents[val.lower()]
        if self.keyword("WHERE", optional=True):
            self.conds.append(self.condition())
            while True:
                kind, val, _ = self.peek()
                if kind == "word" and val.upper() == "OR":
                    raise query_error("OR is not supported in QuickBooks queries (column %d)" % self.peek()[2])
                if not self.keyword("AND", optional=True):
                    break
                self.conds.append(self.condition())
        if self.keyword("ORDERBY", optional=True) or self.keyword("ORDER", optional=True) and self.keyword("BY"):
            while True:
                f = self.field()
                desc = False
                if self.keyword("DESC", optional=True):
                    desc = True
                else:
                    self.keyword("ASC", optional=True)
                self.order.append((f, desc))
                k, v, _ = self.peek()
                if k == "punct" and v == ",":
                    self.i += 1
                    continue
                break
        for _ in range(2):
            if self.keyword("STARTPOSITION", optional=True):
                self.start = self.number()
                if self.start < 1:
                    raise query_invalid("STARTPOSITION must be 1 or more")
            elif self.keyword("MAXRESULTS", optional=True):
                self.max = self.number()
        if self.peek()[0] != "eof":
            self.fail("<EOF>")
        self.max = max(0, min(self.max, 1000))

    def condition(self):
        f = self.field()
        kind, val, _ = self.peek()
        if kind == "op":
            self.i += 1
            if val in ("<>", "!="):
                raise query_error("the operator %s is not supported" % val)
            return (f, val, self.value())
        if kind == "word" and val.upper() == "IN":
            self.i += 1
            k, v, _ = self.take()
            if k != "punct" or v != "(":
                self.i -= 1
                self.fail('"("')
            vals = [self.value()]
            while True:
                k, v, _ = self.take()
                if k == "punct" and v == ",":
                    vals.append(self.value())
                    continue
                if k == "punct" and v == ")":
                    break
                self.i -= 1
                self.fail('"," or ")"')
            return (f, "IN", vals)
        if kind == "word" and val.upper() == "LIKE":
            self.i += 1
            k, v, _ = self.peek()
            if k != "str":
                self.fail("a quoted pattern")
            self.i += 1
            return (f, "LIKE", v)
        self.fail("=, <, >, <=, >=, IN or LIKE")

    # ---- evaluation -----------------------------------------------------
    @staticmethod
    def get(obj, f):
        v = obj
        for part in f.split("."):
            if not isinstance(v, dict):
                return None
            v = v.get(part)
        if isinstance(v, dict):  # CustomerRef, PrimaryEmailAddr
            v = v.get("value", v.get("Address"))
        return v

    @staticmethod
    def key(f, v):
        """A comparable form of a stored or a query value for field f."""
        if v is None:
            return None
        if f in NUMERIC_FIELDS:
            try:
                return Decimal(str(v))
            except InvalidOperation:
                return None
        if f in TIME_FIELDS:
            t = parse_dt(str(v))
            if t is None and re.match(r"^\d{4}-\d{2}-\d{2}$", str(v)):
                t = parse_dt(str(v) + "T00:00:00-07:00")
            return t
        if isinstance(v, bool):
            return "true" if v else "false"
        return str(v).lower()

    def match(self, obj):
        for f, op, want in self.conds:
            have = self.key(f, self.get(obj, f))
            if have is None:
                return False
            if op == "IN":
                if have not in [self.key(f, w) for w in want]:
                    return False
            elif op == "LIKE":
                pat = "^" + ".*".join(re.escape(p) for p in want.lower().split("%")) + "$"
                if not re.match(pat, str(self.get(obj, f)).lower(), re.S):
                    return False
            else:
                w = self.key(f, want)
                if w is None:
                    raise query_invalid("%s cannot be compared with %r" % (f, want))
                try:
                    ok = {"=": have == w, "<": have < w, ">": have > w, "<=": have <= w, ">=": have >= w}[op]
                except TypeError:
                    ok = False
                if not ok:
                    return False
        return True


# --------------------------------------------------------------------------
# state

ENTITIES = {  # path segment -> (entity name, collection attribute)
    "invoice": ("Invoice", "invoices"),
    "estimate": ("Estimate", "estimates"),
    "payment": ("Payment", "payments"),
    "customer": ("Customer", "customers"),
    "item": ("Item", "items"),
}
READ_ONLY = ("Id", "SyncToken", "MetaData", "domain", "sparse", "TotalAmt", "Balance", "HomeBalance",
             "UnappliedAmt", "FullyQualifiedName", "LinkedTxn", "time")


def default_items():
    """The items of tests/canonical/invoice-rp.xml and invoice-df.xml (vendor SKUs), and Services."""
    return [
        {"Id": "1", "Name": "Services", "Type": "Service", "UnitPrice": Decimal("0")},
        {"Id": "8", "Name": "ACME-1001", "Sku": "ACME-1001", "Type": "NonInventory", "UnitPrice": Decimal("12.50"),
         "Description": "ACME widget (UPC 012345678905, ASIN B07DFVDRAB)"},
        {"Id": "9", "Name": "ACME-1002", "Sku": "ACME-1002", "Type": "NonInventory", "UnitPrice": Decimal("8.75"),
         "Description": "ACME widget refill (UPC 084123450010, ASIN B01LNRIIAB)"},
    ]


class State:
    """Everything the stand-in remembers. Guard every use with self.lock."""

    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.idle = threading.Condition(self.lock)  # signalled when no webhook delivery is pending
        self.release = threading.Event()
        self.hooks_pending = 0
        self.reset()

    def reset(self):
        with self.lock:
            self.release.set()          # requests held by a timeout fault end now
            self.release = threading.Event()
            self.clock_offset = 0.0
            self.realm = self.args.realm
            self.customers, self.items = {}, {}
            self.invoices, self.estimates, self.payments = {}, {}, {}
            self.next_name_id, self.next_txn_id = 58, 130
            self.requestids = {}        # requestid -> {status, body}
            self.dup_check = bool(self.args.duplicate_docnumber_check)
            self.old_refresh = "until-new-used"
            self.rotate = True
            self.access = {}            # token -> {realm, expires}
            self.refresh = {}           # token -> {realm, status, expires, successor}
            self.codes = {}             # code -> {realm, redirectUri, expires}
            self.tokens_issued = 0
            self.faults = []
            self.log, self.seq = [], 0
            self.rates = {"perSecond": 10, "perMinute": 500, "concurrent": 10}
            self.hits, self.inflight = {}, {}
            self.webhook, self.deliveries = None, []
            self.minor = {}
            self.add_refresh(self.args.refresh_token, self.realm)
            self.seed({"items": default_items()})
            self.dirty = True

    def now(self):
        return dt.datetime.fromtimestamp(time.time() + self.clock_offset, UTC)

    def ts(self):
        return time.time() + self.clock_offset

    def today(self):
        return self.now().astimezone(COMPANY_TZ).date().isoformat()

    # ---- persistence (--state FILE) --------------------------------------
    PERSIST = ("realm", "customers", "items", "invoices", "estimates", "payments", "next_name_id",
               "next_txn_id", "requestids", "dup_check", "old_refresh", "rotate", "access", "refresh",
               "codes", "tokens_issued")

    def save(self):
        path = self.args.state
        if not path:
            return
        with self.lock:  # held while writing, so an older snapshot never replaces a newer one
            if not self.dirty:
                return
            data = jbytes({k: getattr(self, k) for k in self.PERSIST})
            tmp = path + ".tmp"
            with open(tmp, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
            self.dirty = False

    def load(self):
        path = self.args.state
        if not path or not os.path.exists(path) or os.path.getsize(path) == 0:
            return False
        with open(path, "rb") as fh:
            snap = jload(fh.read())
        with self.lock:
            for k in self.PERSIST:
                if k in snap:
                    setattr(self, k, snap[k])
            for table in (self.access, self.refresh, self.codes):
                for v in table.values():
                    v["expires"] = float(v["expires"])
        return True

    # ---- tokens ------------------------------------------------------------
    def add_refresh(self, token, realm):
        self.refresh[token] = {"realm": realm, "status": "current", "successor": None,
                               "expires": self.ts() + REFRESH_LIFETIME}

    def issue(self, realm, refresh_token):
        """A new access token for realm; the answer of the token endpoint."""
        tok = "eyJ" + secrets.token_urlsafe(96)
        self.access[tok] = {"realm": realm, "expires": self.ts() + self.args.token_seconds}
        self.tokens_issued += 1
        self.dirty = True
        left = int(self.refresh[refresh_token]["expires"] - self.ts())
        return {"token_type": "bearer", "access_token": tok, "expires_in": self.args.token_seconds,
                "refresh_token": refresh_token, "x_refresh_token_expires_in": max(0, left)}

    def refresh_grant(self, token):
        """Answers a refresh; None when the token is unknown or dead."""
        rt = self.refresh.get(token)
        if rt is None or rt["status"] == "dead" or rt["expires"] <= self.ts():
            return None
        if rt["status"] == "old":
            # "until-new-used": the newest token in its line, not yet used, is answered again
            newest = rt["successor"]
            while self.refresh[newest]["status"] == "old":
                newest = self.refresh[newest]["successor"]
            if self.refresh[newest]["status"] != "current":
                return None
            return self.issue(rt["realm"], newest)
        # the current token of its line: the ones before it die now that it is used
        self.kill_predecessors(token)
        if not self.rotate:
            rt["expires"] = self.ts() + REFRESH_LIFETIME
            return self.issue(rt["realm"], token)
        new = "AB11" + secrets.token_urlsafe(36)
        self.add_refresh(new, rt["realm"])
        rt["status"] = "dead" if self.old_refresh == "invalid-at-once" else "old"
        rt["successor"] = new
        return self.issue(rt["realm"], new)

    def kill_predecessors(self, token):
        changed = True
        dead = {token}
        while changed:
            changed = False
            for k, v in self.refresh.items():
                if v["status"] == "old" and v["successor"] in dead:
                    v["status"] = "dead"
                    dead.add(k)
                    changed = True

    # ---- request log, faults, throttle --------------------------------------
    def log_request(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            self.log.append(entry)
            if len(self.log) > MAX_LOG:
                del self.log[: len(self.log) - MAX_LOG]
            mv = entry.get("minorversion")
            if entry["path"].startswith("/v3/"):
                k = "none" if mv is None else str(mv)
                self.minor[k] = self.minor.get(k, 0) + 1

    def take_fault(self, method, path, rawq):
        with self.lock:
            for f in self.faults:
                if f["method"] not in ("*", method):
                    continue
                if not re.search(f["path"], path):
                    continue
                if f["query"] and f["query"] not in urllib.parse.unquote_plus(rawq):
                    continue
                if 0 <= f["times"] <= f["fired"]:
                    continue
                f["seen"] += 1
                if f["seen"] <= f["after"]:
                    continue
                f["fired"] += 1
                return dict(f)
        return None

    def admit(self, realm):
        """Counts a request against the realm's limits; raises the 429 when over."""
        with self.lock:
            now = time.monotonic()
            dq = self.hits.setdefault(realm, collections.deque())
            while dq and now - dq[0] >= 60.0:
                dq.popleft()
            last_second = 0
            for t in reversed(dq):
                if now - t >= 1.0:
                    break
                last_second += 1
            r = self.rates
            if r["perSecond"] and last_second >= r["perSecond"]:
                raise throttle_fault("ThrottleExceeded: more than %d requests in one second for this company" % r["perSecond"])
            if r["perMinute"] and len(dq) >= r["perMinute"]:
                raise throttle_fault("ThrottleExceeded: more than %d requests in one minute for this company" % r["perMinute"])
            if r["concurrent"] and self.inflight.get(realm, 0) >= r["concurrent"]:
                raise throttle_fault("ThrottleExceeded: more than %d requests at once for this company" % r["concurrent"])
            dq.append(now)
            self.inflight[realm] = self.inflight.get(realm, 0) + 1

    def done(self, realm):
        with self.lock:
            self.inflight[realm] = max(0, self.inflight.get(realm, 0) - 1)

    # ---- company data -----------------------------------------------------
    def coll(self, attr):
        return getattr(self, attr)

    def meta(self, created=None):
        now = fmt_meta(self.now())
        return {"CreateTime": created or now, "LastUpdatedTime": now}

    def new_name_id(self):
        i = str(self.next_name_id)
        self.next_name_id += 1
        return i

    def new_txn_id(self):
        i = str(self.next_txn_id)
        self.next_txn_id += 1
        return i

    def seed(self, body):
        """Adds (or replaces by Id) the customers, items, invoices and estimates given in /_test/seed."""
        if not isinstance(body, dict):
            raise ValueError("seed wants {customers: [...], items: [...], replace?}")
        added = {"customers": [], "items": [], "invoices": [], "estimates": []}
        with self.lock:
            if body.get("replace"):
                self.customers, self.items = {}, {}
            for kind, attr in (("customers", "customers"), ("items", "items")):
                for rec in body.get(kind) or []:
                    if not isinstance(rec, dict):
                        raise ValueError("%s: each entry is an object" % kind)
                    rec = copy.deepcopy(rec)
                    oid = str(rec.pop("Id", "") or self.new_name_id())
                    obj = self.build_customer(rec) if kind == "customers" else self.build_item(rec)
                    obj = dict({"Id": oid, "SyncToken": "0", "MetaData": self.meta()}, **obj)
                    self.coll(attr)[oid] = obj
                    added[kind].append(oid)
                    if oid.isdigit() and int(oid) >= self.next_name_id:
                        self.next_name_id = int(oid) + 1
            for kind, entity in (("invoices", "Invoice"), ("estimates", "Estimate")):
                # documents a person made in QuickBooks: checked as a create is
                for rec in body.get(kind) or []:
                    if not isinstance(rec, dict):
                        raise ValueError("%s: each entry is an object" % kind)
                    rec = copy.deepcopy(rec)
                    oid = str(rec.pop("Id", "") or self.new_txn_id())
                    old = self.coll(kind).get(oid)
                    obj = self.build_sales(entity, rec, {}, oid if old else None)
                    meta = self.meta(old["MetaData"]["CreateTime"]) if old else self.meta()
                    sync = str(int(old["SyncToken"]) + 1) if old else "0"
                    self.coll(kind)[oid] = dict({"Id": oid, "SyncToken": sync, "MetaData": meta}, **obj)
                    added[kind].append(oid)
            self.dirty = True
        return added

    # ---- builders: request body -> stored object (no Id/SyncToken/MetaData) ---
    def customer_ref(self, ref, element="CustomerRef"):
        cid = ref_value(ref)
        if cid is None:
            raise required(element)
        c = self.customers.get(cid)
        if c is None or c.get("Active") is False:
            raise invalid_ref("Customer", cid, element)
        return {"value": cid, "name": c["DisplayName"]}

    def build_customer(self, body, oid=None):
        obj = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        name = obj.get("DisplayName")
        if name is None:
            parts = [obj.get(k) for k in ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix") if obj.get(k)]
            name = " ".join(parts) or obj.get("CompanyName")
        if not isinstance(name, str) or not name.strip():
            raise required("DisplayName")
        name = name.strip()
        if len(name) > 500:
            raise invalid_property("DisplayName is longer than 500 characters", "DisplayName")
        if ":" in name:
            raise invalid_property("DisplayName may not contain a colon (:)", "DisplayName")
        for other in self.customers.values():
            if other["Id"] != oid and other["DisplayName"].lower() == name.lower():
                raise fault(400, "6240", "Duplicate Name Exists Error",
                            "The name supplied already exists. : Another customer, vendor or employee "
                            "is already using this name (Id=%s). Please use a different name." % other["Id"])
        obj["DisplayName"] = name
        obj.setdefault("PrintOnCheckName", obj.get("CompanyName") or name)
        obj.setdefault("Active", True)
        obj.setdefault("Taxable", False)
        obj.setdefault("Job", False)
        obj.setdefault("BillWithParent", False)
        obj.setdefault("PreferredDeliveryMethod", "Print")
        obj.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
        obj["FullyQualifiedName"] = name
        obj["domain"], obj["sparse"] = "QBO", False
        return obj

    def build_item(self, body, oid=None):
        obj = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        name = obj.get("Name")
        if not isinstance(name, str) or not name.strip():
            raise required("Name")
        name = name.strip()
        if len(name) > 100:
            raise invalid_property("Name is longer than 100 characters", "Name")
        for other in self.items.values():
            if other["Id"] != oid and other["Name"].lower() == name.lower():
                raise fault(400, "6240", "Duplicate Name Exists Error",
                            "The name supplied already exists. : Another product or service is already "
                            "using this name (Id=%s). Please use a different name." % other["Id"])
        obj["Name"] = name
        t = obj.setdefault("Type", "NonInventory")
        if t not in ("Inventory", "NonInventory", "Service", "Group", "Category"):
            raise fault(400, "2170", "Invalid Enumeration", "Invalid Enumeration : %s" % t, element="Type")
        for k in ("UnitPrice", "PurchaseCost", "QtyOnHand"):
            if k in obj:
                obj[k] = dec(obj[k], k)
        obj.setdefault("UnitPrice", Decimal("0"))
        obj.setdefault("Active", True)
        obj.setdefault("Taxable", False)
        obj.setdefault("TrackQtyOnHand", t == "Inventory")
        obj.setdefault("IncomeAccountRef", {"value": "79", "name": "Sales of Product Income"})
        obj["FullyQualifiedName"] = name
        obj["domain"], obj["sparse"] = "QBO", False
        return obj

    def sales_lines(self, lines):
        """Checks Invoice/Estimate lines; returns (lines with Ids and a SubTotal line, subtotal)."""
        if not isinstance(lines, list) or not lines:
            raise required("Line")
        out, subtotal, used_ids, pct = [], Decimal("0.00"), set(), []
        for i, ln in enumerate(lines):
            el = "Line[%d]" % i
            if not isinstance(ln, dict):
                raise invalid_property("%s is not an object" % el, el)
            kind = ln.get("DetailType")
            if kind == "SubTotalLineDetail":
                continue  # QBO works the subtotal out itself
            new = copy.deepcopy(ln)
            if kind is None:
                raise required("Line.DetailType", el + ".DetailType")
            if kind == "SalesItemLineDetail":
                det = new.setdefault("SalesItemLineDetail", {})
                if not isinstance(det, dict):
                    raise invalid_property("%s.SalesItemLineDetail is not an object" % el, el)
                if "Amount" not in ln:
                    raise required("Line.Amount", el + ".Amount")
                amount = dec(ln["Amount"], el + ".Amount")
                iid = ref_value(det.get("ItemRef"))
                if iid is None:
                    iid = "1"  # QBO books a line without an item on the default Services item
                if iid == "SHIPPING_ITEM_ID":
                    iname = "Shipping"
                else:
                    it = self.items.get(iid)
                    if it is None or it.get("Active") is False:
                        raise invalid_ref("Item", iid, el + ".SalesItemLineDetail.ItemRef")
                    iname = it["Name"]
                det["ItemRef"] = {"value": iid, "name": iname}
                qty = dec(det["Qty"], el + ".SalesItemLineDetail.Qty") if det.get("Qty") is not None else None
                price = dec(det["UnitPrice"], el + ".SalesItemLineDetail.UnitPrice") \
                    if det.get("UnitPrice") is not None else None
                if qty is not None and price is not None:
                    if money(qty * price) != money(amount):
                        raise fault(400, "6070", "Amount is not equal to UnitPrice * Qty",
                                    "Amount is not equal to UnitPrice * Qty. Supplied value:%s" % format(amount, "f"),
                                    element=el + ".Amount")
                elif qty is not None and qty != 0:
                    price = amount / qty
                if qty is not None:
                    det["Qty"] = qty
                if price is not None:
                    det["UnitPrice"] = price
                new["Amount"] = money(amount)
                subtotal += money(amount)
            elif kind == "DiscountLineDetail":
                det = new.setdefault("DiscountLineDetail", {})
                if isinstance(det, dict) and as_bool(det.get("PercentBased")) and det.get("DiscountPercent") is not None:
                    det["DiscountPercent"] = dec(det["DiscountPercent"], el + ".DiscountLineDetail.DiscountPercent")
                    pct.append(new)
                else:
                    new["Amount"] = money(dec(ln.get("Amount"), el + ".Amount"))
            elif kind == "DescriptionOnly":
                new.setdefault("DescriptionLineDetail", {})
                if "Amount" in ln:
                    new["Amount"] = money(dec(ln["Amount"], el + ".Amount"))
            elif kind == "GroupLineDetail":
                raise business("%s: %s lines are not supported by this stand-in" % (el, kind), el)
            else:
                raise fault(400, "2170", "Invalid Enumeration", "Invalid Enumeration : %s" % kind,
                            element=el + ".DetailType")
            lid = str(new.get("Id", "")) if new.get("Id") is not None else ""
            if not lid.isdigit() or lid in used_ids:
                lid = ""
            new["Id"] = lid
            used_ids.add(lid)
            out.append(new)
        n = 0
        for new in out:  # lines without a usable Id get the next free numbers, in order
            if not new["Id"]:
                n += 1
                while str(n) in used_ids:
                    n += 1
                new["Id"] = str(n)
                used_ids.add(new["Id"])
            new.setdefault("LineNum", int(new["Id"]))
        for new in pct:
            new["Amount"] = money(subtotal * new["DiscountLineDetail"]["DiscountPercent"] / 100)
        discount = sum((ln["Amount"] for ln in out if ln["DetailType"] == "DiscountLineDetail"), Decimal("0.00"))
        out.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
        return out, subtotal, discount

    def build_sales(self, entity, body, q, oid=None):
        """An Invoice or an Estimate from a request body."""
        obj = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY}
        obj["CustomerRef"] = self.customer_ref(obj.get("CustomerRef"))
        doc = obj.get("DocNumber")
        if doc is not None:
            if not isinstance(doc, str):
                raise invalid_property("DocNumber is not a string", "DocNumber")
            if len(doc) > MAX_DOCNUMBER:
                raise fault(400, "6000", "A business validation error has occurred while processing your request",
                            "Business Validation Error: DocNumber is %d characters long; at most %d are allowed"
                            % (len(doc), MAX_DOCNUMBER), element="DocNumber")
            allow = "allowduplicatedocnum" in (q.get("include") or "").lower()
            if self.dup_check and not allow and doc:
                coll = self.invoices if entity == "Invoice" else self.estimates
                for other in coll.values():
                    if other["Id"] != oid and other.get("DocNumber") == doc:
                        raise fault(400, "6140", "Duplicate Document Number Error",
                                    "Duplicate Document Number Error : You must specify a different number. This "
                                    "number has already been used. DocNumber=%s is assigned to TxnType=%s with "
                                    "TxnId=%s" % (doc, entity, other["Id"]), element="DocNumber")
        for k in ("TxnDate", "DueDate", "ShipDate", "ExpirationDate"):
            check_date(obj.get(k), k)
        obj.setdefault("TxnDate", self.today())
        lines, subtotal, discount = self.sales_lines(obj.get("Line"))
        obj["Line"] = lines
        tax_detail = obj.get("TxnTaxDetail") or {}
        if not isinstance(tax_detail, dict):
            raise invalid_property("TxnTaxDetail is not an object", "TxnTaxDetail")
        tax_detail = copy.deepcopy(tax_detail)
        tax = money(dec(tax_detail.get("TotalTax", 0), "TxnTaxDetail.TotalTax"))
        tax_detail["TotalTax"] = tax
        obj["TxnTaxDetail"] = tax_detail
        total = subtotal - discount + tax
        if total < 0:
            raise business("the transaction total is negative (%s)" % total, "TotalAmt")
        obj["TotalAmt"] = total
        obj.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
        obj.setdefault("ApplyTaxAfterDiscount", False)
        obj.setdefault("PrintStatus", "NotSet")
        obj.setdefault("EmailStatus", "NotSet")
        obj["domain"], obj["sparse"] = "QBO", False
        if entity == "Invoice":
            obj.setdefault("DueDate", obj["TxnDate"])
            obj.setdefault("AllowOnlineCreditCardPayment", False)
            obj.setdefault("AllowOnlineACHPayment", False)
            obj["LinkedTxn"] = []
            paid = self.applied_to(oid) if oid else Decimal("0.00")
            if paid > total:
                raise business("the invoice total %s is less than the %s already paid on it" % (total, paid), "TotalAmt")
            obj["Balance"] = total - paid
            if oid:
                obj["LinkedTxn"] = copy.deepcopy(self.invoices[oid].get("LinkedTxn", []))
        else:
            obj.setdefault("TxnStatus", "Pending")
        return obj

    def applied_to(self, inv_id, skip_payment=None):
        paid = Decimal("0.00")
        for p in self.payments.values():
            if p["Id"] == skip_payment:
                continue
            for ln in p.get("Line", []):
                if any(l.get("TxnType") == "Invoice" and str(l.get("TxnId")) == inv_id for l in ln.get("LinkedTxn", [])):
                    paid += ln["Amount"]
        return paid

    def build_payment(self, body, q, oid=None):
        obj = {k: copy.deepcopy(v) for k, v in body.items() if k not in READ_ONLY or k == "TotalAmt"}
        obj["CustomerRef"] = self.customer_ref(obj.get("CustomerRef"))
        if obj.get("TotalAmt") is None:
            raise required("TotalAmt")
        total = money(dec(obj["TotalAmt"], "TotalAmt"))
        if total < 0:
            raise business("TotalAmt is negative", "TotalAmt")
        check_date(obj.get("TxnDate"), "TxnDate")
        obj.setdefault("TxnDate", self.today())
        lines = obj.get("Line") or []
        if not isinstance(lines, list):
            raise invalid_property("Line is not an array", "Line")
        applied, per_invoice = Decimal("0.00"), {}
        for i, ln in enumerate(lines):
            el = "Line[%d]" % i
            if not isinstance(ln, dict):
                raise invalid_property("%s is not an object" % el, el)
            if ln.get("Amount") is None:
                raise required("Line.Amount", el + ".Amount")
            ln["Amount"] = money(dec(ln["Amount"], el + ".Amount"))
            links = ln.get("LinkedTxn")
            if not isinstance(links, list) or not links:
                raise required("Line.LinkedTxn", el + ".LinkedTxn")
            for j, link in enumerate(links):
                lel = "%s.LinkedTxn[%d]" % (el, j)
                if not isinstance(link, dict) or link.get("TxnId") in (None, ""):
                    raise required("LinkedTxn.TxnId", lel + ".TxnId")
                tt = link.get("TxnType")
                if tt not in ("Invoice", "CreditMemo", "JournalEntry"):
                    raise fault(400, "2170", "Invalid Enumeration", "Invalid Enumeration : %s" % tt, element=lel + ".TxnType")
                if tt != "Invoice":
                    raise business("%s: linking a %s is not supported by this stand-in" % (lel, tt), lel)
                tid = str(link["TxnId"])
                link["TxnId"] = tid
                inv = self.invoices.get(tid)
                if inv is None:
                    raise not_found("Invoice", tid)
                if inv["CustomerRef"]["value"] != obj["CustomerRef"]["value"]:
                    raise business("Invoice %s belongs to another customer (%s)" % (tid, inv["CustomerRef"]["value"]), lel)
                per_invoice[tid] = per_invoice.get(tid, Decimal("0.00")) + ln["Amount"]
            applied += ln["Amount"]
        if applied > total:
            raise business("the payment applies %s, more than its TotalAmt %s" % (applied, total), "TotalAmt")
        for tid, amt in per_invoice.items():
            inv = self.invoices[tid]
            open_ = inv["TotalAmt"] - self.applied_to(tid, skip_payment=oid)
            if amt > open_:
                raise business("the payment applies %s to Invoice %s whose open balance is %s" % (amt, tid, open_), "Line")
        obj["Line"] = lines
        obj["TotalAmt"] = total
        obj["UnappliedAmt"] = total - applied
        obj.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
        obj.setdefault("ProcessPayment", False)
        obj["domain"], obj["sparse"] = "QBO", False
        return obj, per_invoice

    def relink_invoices(self, touched):
        """Recomputes Balance and payment links of invoices a payment touched; returns their ids."""
        changed = []
        for tid in sorted(touched):
            inv = self.invoices.get(tid)
            if inv is None:
                continue
            links = []
            for p in self.payments.values():
                for ln in p.get("Line", []):
                    if any(l.get("TxnType") == "Invoice" and l.get("TxnId") == tid for l in ln.get("LinkedTxn", [])):
                        if {"TxnId": p["Id"], "TxnType": "Payment"} not in links:
                            links.append({"TxnId": p["Id"], "TxnType": "Payment"})
            inv["LinkedTxn"] = links
            inv["Balance"] = inv["TotalAmt"] - self.applied_to(tid)
            inv["SyncToken"] = str(int(inv["SyncToken"]) + 1)
            inv["MetaData"]["LastUpdatedTime"] = fmt_meta(self.now())
            changed.append(tid)
        return changed

    def render(self, entity, obj):
        out = copy.deepcopy(obj)
        if entity == "Customer":
            bal = sum((i["Balance"] for i in self.invoices.values() if i["CustomerRef"]["value"] == obj["Id"]),
                      Decimal("0.00"))
            out["Balance"] = bal
            out["BalanceWithJobs"] = bal
        return out

    def company_info(self):
        return {
            "CompanyName": "Acme Widgets Inc (wharf stand-in)",
            "LegalName": "Acme Widgets Inc",
            "CompanyAddr": {"Id": "1", "Line1": "100 Industrial Pkwy", "City": "Edison",
                            "CountrySubDivisionCode": "NJ", "PostalCode": "08817", "Country": "US"},
            "CustomerCommunicationAddr": {"Id": "1", "Line1": "PO Box 4410", "City": "Newark",
                                          "CountrySubDivisionCode": "NJ", "PostalCode": "07101", "Country": "US"},
            "LegalAddr": {"Id": "1", "Line1": "100 Industrial Pkwy", "City": "Edison",
                          "CountrySubDivisionCode": "NJ", "PostalCode": "08817", "Country": "US"},
            "PrimaryPhone": {"FreeFormNumber": "(555) 555-0100"},
            "Email": {"Address": "books@acme-widgets.example"},
            "WebAddr": {},
            "CompanyStartDate": "2020-01-01",
            "FiscalYearStartMonth": "January",
            "Country": "US",
            "SupportedLanguages": "en",
            "NameValue": [
                {"Name": "NeoEnabled", "Value": "true"},
                {"Name": "IndustryType", "Value": "Wholesale Trade"},
                {"Name": "SubscriptionStatus", "Value": "SUBSCRIBED"},
                {"Name": "OfferingSku", "Value": "QuickBooks Online Plus"},
                {"Name": "PayrollFeature", "Value": "false"},
                {"Name": "ItemCategoriesFeature", "Value": "true"},
                {"Name": "StandIn", "Value": "wharf local stand-in, not Intuit"},
            ],
            "domain": "QBO", "sparse": False, "Id": "1", "SyncToken": "1",
            "MetaData": {"CreateTime": "2020-01-01T09:00:00-07:00", "LastUpdatedTime": "2020-01-01T09:00:00-07:00"},
        }

    def dump(self):
        with self.lock:
            now = self.ts()
            rt = {"current": [], "old": [], "dead": []}
            for k, v in self.refresh.items():
                status = "dead" if v["expires"] <= now else v["status"]
                rt[status].append(k)
            return jload(jdump({
                "banner": BANNER,
                "realmId": self.realm,
                "now": fmt_time(self.now()),
                "duplicateCheck": self.dup_check,
                "refreshPolicy": {"old-refresh": self.old_refresh, "rotate": self.rotate},
                "rates": dict(self.rates),
                "customers": [self.render("Customer", c) for c in self.customers.values()],
                "items": [self.render("Item", c) for c in self.items.values()],
                "invoices": [self.render("Invoice", c) for c in self.invoices.values()],
                "estimates": [self.render("Estimate", c) for c in self.estimates.values()],
                "payments": [self.render("Payment", c) for c in self.payments.values()],
                "refreshTokens": rt,
                "accessTokens": {"live": sum(1 for v in self.access.values() if v["expires"] > now),
                                 "expired": sum(1 for v in self.access.values() if v["expires"] <= now)},
                "tokensIssued": self.tokens_issued,
                "requestIds": sorted(self.requestids),
                "minorVersions": dict(self.minor),
                "requests": self.seq,
                "faults": [{k: f[k] for k in ("method", "path", "query", "kind", "times", "after", "seen", "fired")}
                           for f in self.faults if f["times"] < 0 or f["fired"] < f["times"]],
                "webhook": dict(self.webhook) if self.webhook else None,
                "webhookDeliveries": copy.deepcopy(self.deliveries),
            }))


# --------------------------------------------------------------------------
# webhooks

class Webhooks:
    """Delivers change notifications in order from one background thread."""

    def __init__(self, st):
        self.st = st
        self.q = queue.Queue()
        threading.Thread(target=self.run, name="webhooks", daemon=True).start()

    def notify(self, cfg, realm, entities):
        if cfg and cfg.get("url") and entities:
            with self.st.lock:
                self.st.hooks_pending += 1
            self.q.put((dict(cfg), realm, entities))

    def run(self):
        while True:
            cfg, realm, entities = self.q.get()
            rec = {"time": fmt_time(self.st.now()), "url": cfg["url"],
                   "entities": [{"name": e["name"], "id": e["id"], "operation": e["operation"]} for e in entities]}
            try:
                body = json.dumps({"eventNotifications": [{"realmId": realm, "dataChangeEvent": {"entities": entities}}]},
                                  separators=(",", ":")).encode()
                sig = base64.b64encode(hmac.new(cfg.get("verifier", "").encode(), body, hashlib.sha256).digest()).decode()
                req = urllib.request.Request(cfg["url"], data=body, method="POST", headers={
                    "Content-Type": "application/json", "intuit-signature": sig,
                    "User-Agent": "wharf-qbo-standin-webhooks/1"})
                ctx = None
                if cfg["url"].startswith("https:"):
                    ctx = ssl.create_default_context(cafile=cfg.get("cafile") or None)
                    if cfg.get("insecure"):
                        ctx.check_hostname = False
                        ctx.verify_mode = ssl.CERT_NONE
                with urllib.request.urlopen(req, timeout=float(cfg.get("timeout") or 5), context=ctx) as r:
                    rec["status"] = r.status
            except urllib.error.HTTPError as e:
                rec["status"] = e.code
            except Exception as e:  # a failed delivery is recorded, never fatal
                rec["error"] = "%s: %s" % (type(e).__name__, e)
            with self.st.lock:
                self.st.deliveries.append(rec)
                del self.st.deliveries[:-200]
                self.st.hooks_pending -= 1
                self.st.idle.notify_all()


# --------------------------------------------------------------------------
# HTTP

SECRET_HEADERS = ("authorization", "cookie", "proxy-authorization")
SECRET_FORM = ("refresh_token", "code", "client_secret", "client_assertion")
FAULT_KINDS = ("429", "500", "503", "timeout", "cut", "lost", "401", "fault200")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "wharf-qbo-standin/1"
    timeout = 120
    srv = None  # set in main: .st State, .hooks Webhooks, .args

    def log_message(self, fmt, *a):
        if self.srv.args.verbose:
            sys.stderr.write("qbo-standin: " + (fmt % a) + "\n")

    # ---- plumbing -------------------------------------------------------
    def send_raw(self, status, body, ctype="application/json;charset=UTF-8", headers=None):
        if self.entry is not None:  # before the answer leaves, so the log is complete once it arrives
            with self.srv.st.lock:
                self.entry["status"] = status
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("intuit_tid", self.tid)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        self.send_raw(status, jbytes(obj), headers=headers)

    def send_error_obj(self, e):
        self.send_json(e.status, e.body(self.srv.st.now()), e.headers)

    def read_body(self):
        try:
            return standin.read_body(self, MAX_BODY)
        except standin.TooLarge:
            raise ValueError("request body over %d bytes" % MAX_BODY)

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def cut(self, status="cut"):
        """Closes the connection without an answer; status for the request log."""
        if self.entry is not None:
            with self.srv.st.lock:
                self.entry["status"] = status
        standin.hang_up(self)

    def hold(self, f):
        """A timeout fault: no answer for f.seconds (or until /_test/reset), then close."""
        if self.entry is not None:
            with self.srv.st.lock:
                self.entry["status"] = "timeout"
        self.srv.st.release.wait(float(f.get("seconds") or 30))
        self.cut("timeout")

    @staticmethod
    def split_fault(f):
        """(a fault that stops the request before it takes effect, a fault
        that loses the answer of a request that took effect: lost, or
        timeout and cut with applied)."""
        if f and (f["kind"] == "lost" or (f["kind"] in ("timeout", "cut") and f.get("applied"))):
            return None, f
        return f, None

    def lose(self, f):
        """The answer never arrives: after f.seconds of silence (timeout), else at once."""
        if f["kind"] == "timeout":
            return self.hold(f)
        self.cut()

    def pre_fault(self, f, oauth=False):
        """Answers a fault that stops a request before it takes effect; True when answered."""
        if f is None:
            return False
        k = f["kind"]
        if k == "timeout":
            self.hold(f)
            return True
        if k == "cut":
            self.cut()
            return True
        if oauth and k in ("429", "500", "503"):
            self.send_json(int(k), {"error": "too_many_requests" if k == "429" else "server_error"})
            return True
        if oauth and k == "401":
            self.send_json(401, {"error": "invalid_client"})
            return True
        if k == "429":
            raise throttle_fault()
        if k in ("500", "503"):
            raise system_fault(int(k))
        return False

    def dispatch(self):
        self.tid = new_tid()
        self.entry = None
        st = self.srv.st
        url = urllib.parse.urlsplit(self.path)
        path, rawq = url.path, url.query
        q = {k: v[0] for k, v in urllib.parse.parse_qs(rawq, keep_blank_values=True).items()}
        try:
            try:
                raw = self.read_body()
            except ValueError as e:
                self.close_connection = True
                return self.send_json(413, {"error": str(e)})
            if path.startswith("/_test/"):
                return self.control(path, q, raw)
            self.entry = self.log_entry(path, rawq, q, raw)
            st.log_request(self.entry)
            if path == "/oauth2/v1/tokens/bearer":
                return self.oauth(path, rawq, raw)
            if path.startswith("/v3/company/"):
                return self.api(path, rawq, q, raw)
            return self.send_json(404, {"error": "not found: %s (this is the QuickBooks Online stand-in; "
                                        "the API lives under /v3/company/{realmId}/ and tokens at "
                                        "/oauth2/v1/tokens/bearer)" % path})
        except QboError as e:
            self.send_error_obj(e)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as e:  # a bug in the stand-in: say so
            traceback.print_exc()
            self.send_error_obj(system_fault(500, "stand-in bug: %r" % e))
        finally:
            try:
                st.save()
            except OSError as e:
                sys.stderr.write("qbo-standin: cannot write --state: %s\n" % e)

    def log_entry(self, path, rawq, q, raw):
        headers = {}
        for k, v in self.headers.items():
            if k.lower() in SECRET_HEADERS:
                v = v.split(" ", 1)[0] + " <redacted>"
            headers[k] = v
        body = None
        if raw:
            ctype = self.headers.get("Content-Type", "")
            text = raw.decode("utf-8", "replace")
            if "x-www-form-urlencoded" in ctype:
                body = {k: ("<redacted>" if k in SECRET_FORM else v[0])
                        for k, v in urllib.parse.parse_qs(text, keep_blank_values=True).items()}
            else:
                try:
                    body = json.loads(text)
                except ValueError:
                    body = text[:4000]
        mv = q.get("minorversion")
        mvi = int(mv) if mv is not None and mv.isdigit() else None
        return {"time": fmt_time(self.srv.st.now()), "method": self.command, "path": path, "query": q,
                "minorversion": mvi if mvi is not None else mv,
                "effectiveMinorVersion": max(mvi or MIN_MINOR, MIN_MINOR),
                "requestid": q.get("requestid"), "headers": headers, "body": body,
                "status": None, "outcome": None, "intuit_tid": self.tid}

    def outcome(self, what):
        with self.srv.st.lock:
            self.entry["outcome"] = what

    # ---- OAuth 2.0 token endpoint -----------------------------------------
    def oauth(self, path, rawq, raw):
        st, a = self.srv.st, self.srv.args
        if self.command != "POST":
            return self.send_json(405, {"error": "invalid_request", "error_description": "POST only"})
        f, lost = self.split_fault(st.take_fault("POST", path, rawq))
        if self.pre_fault(f, oauth=True):
            return
        auth = self.headers.get("Authorization", "")
        try:
            cid, _, secret = base64.b64decode(auth[6:].strip()).decode("utf-8").partition(":") \
                if auth[:6].lower() == "basic " else ("", "", "")
        except (ValueError, UnicodeDecodeError):
            cid, secret = "", ""
        if cid != a.client_id or secret != a.client_secret:
            return self.send_json(401, {"error": "invalid_client"})
        if "application/x-www-form-urlencoded" not in self.headers.get("Content-Type", ""):
            return self.send_json(400, {"error": "invalid_request",
                                        "error_description": "Content-Type must be application/x-www-form-urlencoded"})
        form = {k: v[0] for k, v in urllib.parse.parse_qs(raw.decode("utf-8", "replace")).items()}
        grant = form.get("grant_type")
        with st.lock:
            if grant == "refresh_token":
                if not form.get("refresh_token"):
                    return self.send_json(400, {"error": "invalid_request"})
                rt = st.refresh.get(form["refresh_token"])
                self.outcome("refresh:" + ("unknown" if rt is None else rt["status"]))
                ans = st.refresh_grant(form["refresh_token"])
            elif grant == "authorization_code":
                if not form.get("code") or not form.get("redirect_uri"):
                    return self.send_json(400, {"error": "invalid_request"})
                c = st.codes.pop(form["code"], None)
                st.dirty = True
                ans = None
                if c and c["expires"] > st.ts() and c.get("redirectUri") in (None, form["redirect_uri"]):
                    tok = "AB11" + secrets.token_urlsafe(36)
                    st.add_refresh(tok, c["realm"])
                    ans = st.issue(c["realm"], tok)
                self.outcome("code:" + ("ok" if ans else "bad"))
            else:
                return self.send_json(400, {"error": "unsupported_grant_type"})
        if ans is None:
            return self.send_json(400, {"error": "invalid_grant"})
        if lost:  # the tokens are issued (and rotated), the answer never arrives
            return self.lose(lost)
        self.send_json(200, ans, {"Cache-Control": "no-cache, no-store", "Pragma": "no-cache"})

    # ---- the accounting API --------------------------------------------
    def bearer(self, realm):
        st = self.srv.st
        h = self.headers.get("Authorization", "")
        if h[:7].lower() != "bearer " or not h[7:].strip():
            raise auth_fault("Token invalid: no bearer token in the Authorization header")
        tok = h[7:].strip()
        with st.lock:
            info = st.access.get(tok)
            if info is None:
                raise auth_fault("Token invalid: %s..." % tok[:12])
            if info["expires"] <= st.ts():
                raise auth_fault("Token expired: %s..." % tok[:12])
        if realm != info["realm"] or realm != st.realm:
            raise authorization_fault("The access token was issued for realm %s, not %s" % (info["realm"], realm))
        return tok

    def api(self, path, rawq, q, raw):
        st = self.srv.st
        m = re.match(r"^/v3/company/([^/]+)/(.*)$", path)
        if not m:
            raise unsupported("Unsupported Operation: %s" % path)
        realm, rest = m.group(1), m.group(2).rstrip("/")
        f, lost = self.split_fault(st.take_fault(self.command, path, rawq))
        if self.pre_fault(f):
            return
        tok = self.bearer(realm)
        if f and f["kind"] == "401":
            with st.lock:
                st.access[tok]["expires"] = st.ts() - 1
            raise auth_fault("Token expired: %s..." % tok[:12])
        if "json" not in self.headers.get("Accept", "").lower():
            # QBO answers XML without Accept: application/json; this stand-in speaks JSON only
            raise fault(406, "406", "Not Acceptable",
                        "send Accept: application/json (QuickBooks Online answers XML otherwise)")
        st.admit(realm)
        try:
            if f and f["kind"] == "fault200":
                self.outcome("fault200")
                return self.send_json(200, {"Fault": {"Error": [{
                    "Message": f.get("message") or "A business validation error has occurred while processing your request",
                    "Detail": f.get("detail") or "Business Validation Error: a fault injected by the test",
                    "code": str(f.get("code") or "6000"), "element": ""}], "type": f.get("type") or "ValidationFault"},
                    "time": fmt_time(st.now())})
            status, body, events = self.route(rest, q, raw)
            if events:
                self.srv.hooks.notify(st.webhook, st.realm, events)
            if lost:
                return self.lose(lost)
            self.send_raw(status, body)
        finally:
            st.done(realm)

    def route(self, rest, q, raw):
        """Runs one API call; returns (status, body bytes, webhook entities)."""
        st = self.srv.st
        parts = rest.split("/")
        seg = parts[0].lower()
        if self.command == "GET" and seg == "companyinfo" and len(parts) == 2:
            if parts[1] != st.realm:
                raise not_found("CompanyInfo", parts[1])
            self.outcome("read")
            return 200, jbytes({"CompanyInfo": st.company_info(), "time": fmt_time(st.now())}), None
        if seg == "query" and len(parts) == 1 and self.command in ("GET", "POST"):
            text = q.get("query") if self.command == "GET" else raw.decode("utf-8", "replace")
            if not text:
                raise query_error("no query: send ?query=SELECT ... (URL-encoded)")
            self.outcome("query")
            return 200, jbytes(self.run_query(text)), None
        if seg in ENTITIES and len(parts) == 2 and self.command == "GET":
            entity, attr = ENTITIES[seg]
            with st.lock:
                obj = st.coll(attr).get(parts[1])
                if obj is None:
                    raise not_found(entity, parts[1])
                self.outcome("read")
                return 200, jbytes({entity: st.render(entity, obj), "time": fmt_time(st.now())}), None
        if seg in ENTITIES and len(parts) == 1 and self.command == "POST":
            return self.write(seg, q, raw)
        raise unsupported("Unsupported Operation: %s %s" % (self.command, rest))

    def write(self, seg, q, raw):
        st = self.srv.st
        entity, attr = ENTITIES[seg]
        rid = q.get("requestid")
        if rid is not None and (not rid or len(rid) > MAX_REQUESTID):
            raise invalid_property("requestid must be 1 to %d characters, got %d" % (MAX_REQUESTID, len(rid)), "requestid")
        if q.get("operation"):
            raise unsupported("Unsupported Operation: operation=%s is not implemented by this stand-in" % q["operation"])
        if "json" not in self.headers.get("Content-Type", "").lower():
            raise fault(415, "415", "Unsupported Media Type", "send Content-Type: application/json")
        with st.lock:
            if rid is not None and rid in st.requestids:
                self.outcome("replayed")
                old = st.requestids[rid]
                return old["status"], old["body"].encode("utf-8"), None
            try:
                body = jload(raw)
            except (ValueError, UnicodeDecodeError) as e:
                raise invalid_property("the request body is not JSON: %s" % e)
            if isinstance(body, dict) and len(body) == 1 and isinstance(body.get(entity), dict):
                body = body[entity]  # the entity wrapped in its name is accepted as well
            if not isinstance(body, dict):
                raise invalid_property("the request body is not a JSON object")
            coll = st.coll(attr)
            oid = body.get("Id")
            events, touched = [], set()
            if oid is None:
                obj, touched = self.build(entity, body, q, None)
                oid = st.new_txn_id() if entity in ("Invoice", "Estimate", "Payment") else st.new_name_id()
                obj = dict({"Id": oid, "SyncToken": "0", "MetaData": st.meta()}, **obj)
                op = "Create"
            else:
                oid = str(oid)
                old = coll.get(oid)
                if old is None:
                    raise not_found(entity, oid)
                if body.get("SyncToken") is None:
                    raise required("SyncToken")
                if str(body["SyncToken"]) != old["SyncToken"]:
                    raise fault(400, "5010", "Stale Object Error",
                                "Stale Object Error : You and another user were working on this at the same time. "
                                "The other user finished first (SyncToken is %s, you sent %s), so your work was not saved."
                                % (old["SyncToken"], body["SyncToken"]))
                if as_bool(body.get("sparse")):
                    merged = copy.deepcopy(old)
                    merged.update({k: v for k, v in body.items() if k not in ("sparse",)})
                    if entity == "Payment":
                        merged["TotalAmt"] = body.get("TotalAmt", old["TotalAmt"])
                else:
                    merged = body
                obj, touched = self.build(entity, merged, q, oid)
                if entity == "Payment":
                    touched |= {l["TxnId"] for ln in old.get("Line", []) for l in ln.get("LinkedTxn", [])}
                obj = dict({"Id": oid, "SyncToken": str(int(old["SyncToken"]) + 1),
                            "MetaData": st.meta(old["MetaData"]["CreateTime"])}, **obj)
                op = "Update"
            coll[oid] = obj
            st.dirty = True
            when = fmt_hook(st.now())
            events.append({"name": entity, "id": oid, "operation": op, "lastUpdated": when})
            if entity == "Payment":
                for tid in st.relink_invoices(touched):
                    events.append({"name": "Invoice", "id": tid, "operation": "Update", "lastUpdated": when})
            body_bytes = jbytes({entity: st.render(entity, obj), "time": fmt_time(st.now())})
            if rid is not None:
                st.requestids[rid] = {"status": 200, "body": body_bytes.decode("utf-8")}
            self.outcome("created" if op == "Create" else "updated")
            return 200, body_bytes, events

    def build(self, entity, body, q, oid):
        st = self.srv.st
        if entity in ("Invoice", "Estimate"):
            return st.build_sales(entity, body, q, oid), set()
        if entity == "Payment":
            obj, per_invoice = st.build_payment(body, q, oid)
            return obj, set(per_invoice)
        if entity == "Customer":
            return st.build_customer(body, oid), set()
        return st.build_item(body, oid), set()

    def run_query(self, text):
        st = self.srv.st
        qy = Query(text)
        with st.lock:
            if qy.entity == "CompanyInfo":
                rows = [st.company_info()]
            else:
                attr = [a for e, a in ENTITIES.values() if e == qy.entity][0]
                rows = [st.render(qy.entity, o) for o in st.coll(attr).values()]
            rows = [r for r in rows if qy.match(r)]
            now = fmt_time(st.now())
        if qy.count:
            return {"QueryResponse": {"totalCount": len(rows)}, "time": now}
        rows.sort(key=lambda r: int(r["Id"]) if str(r["Id"]).isdigit() else 0)
        for f, desc in reversed(qy.order):
            def order_key(r, f=f):
                k = Query.key(f, Query.get(r, f))
                return (0, k) if k is not None else (1, "")
            present = [r for r in rows if Query.key(f, Query.get(r, f)) is not None]
            absent = [r for r in rows if Query.key(f, Query.get(r, f)) is None]
            present.sort(key=order_key, reverse=desc)
            rows = present + absent
        page = rows[qy.start - 1: qy.start - 1 + qy.max]
        if not page:
            return {"QueryResponse": {}, "time": now}
        return {"QueryResponse": {qy.entity: page, "startPosition": qy.start, "maxResults": len(page)}, "time": now}

    # ---- control API ----------------------------------------------------------
    def control(self, path, q, raw):
        st = self.srv.st
        try:
            body = jload(raw) if raw.strip() else {}
        except (ValueError, UnicodeDecodeError) as e:
            return self.send_json(400, {"error": "body is not JSON: %s" % e})
        name = path[len("/_test/"):]
        try:
            if self.command == "GET":
                if name == "state":
                    return self.send_json(200, st.dump())
                if name == "requests":
                    since = int(q.get("since") or 0)
                    with st.lock:
                        rows = copy.deepcopy([e for e in st.log if e["seq"] > since])
                        last = st.seq
                    if q.get("method"):
                        rows = [e for e in rows if e["method"] == q["method"].upper()]
                    if q.get("path"):
                        rows = [e for e in rows if re.search(q["path"], e["path"])]
                    return self.send_json(200, {"count": len(rows), "requests": rows, "last": last})
                if name == "fault":
                    return self.send_json(200, {"faults": st.dump()["faults"]})
                if name == "webhooks":
                    deadline = time.monotonic() + min(float(q.get("wait") or 0), 30)
                    with st.lock:
                        while st.hooks_pending and time.monotonic() < deadline:
                            st.idle.wait(deadline - time.monotonic())
                        return self.send_json(200, {"pending": st.hooks_pending,
                                                    "deliveries": copy.deepcopy(st.deliveries)})
                return self.send_json(405, {"error": "GET is for /_test/state, requests, fault, webhooks"})
            if self.command != "POST":
                return self.send_json(405, {"error": "POST"})
            if not isinstance(body, (dict, list)):
                return self.send_json(400, {"error": "the body is a JSON object"})
            handler = CONTROL.get(name)
            if handler is None:
                return self.send_json(404, {"error": "no such control endpoint: " + path,
                                            "endpoints": sorted(CONTROL) + ["GET state", "GET requests",
                                                                            "GET fault", "GET webhooks"]})
            ans = handler(self.srv, body)
            with st.lock:
                st.dirty = True
            return self.send_json(200, ans)
        except (ValueError, TypeError, KeyError, AttributeError, re.error) as e:
            return self.send_json(400, {"error": "%s: %s" % (type(e).__name__, e)})


# ---- /_test/ endpoints: (server, body) -> answer ---------------------------------

def c_reset(srv, body):
    srv.st.reset()
    return {"reset": True}


def c_seed(srv, body):
    return srv.st.seed(body)


def c_fault(srv, body):
    st = srv.st
    if isinstance(body, dict) and body.get("clear"):
        with st.lock:
            st.faults = []
        return {"faults": 0}
    items = body if isinstance(body, list) else [body]
    added = []
    for f in items:
        if not isinstance(f, dict) or str(f.get("kind")) not in FAULT_KINDS:
            raise ValueError("a fault needs kind %s; got %s" % ("|".join(FAULT_KINDS), jdump(f)))
        path = f.get("path") or ".*"
        re.compile(path)
        added.append({"method": (f.get("method") or "*").upper(), "path": path, "query": f.get("query") or "",
                      "kind": str(f["kind"]), "times": int(f.get("times", 1)), "after": int(f.get("after", 0)),
                      "seconds": float(f["seconds"]) if f.get("seconds") is not None else None,
                      "code": f.get("code"), "message": f.get("message"), "detail": f.get("detail"),
                      "type": f.get("type"), "applied": bool(f.get("applied")), "seen": 0, "fired": 0})
    with st.lock:
        st.faults.extend(added)
        return {"faults": len(added), "pending": len(st.faults)}


def c_requests(srv, body):
    st = srv.st
    with st.lock:
        if body.get("clear"):
            st.log = []
        return {"requests": len(st.log), "last": st.seq}


def c_rate(srv, body):
    st = srv.st
    with st.lock:
        for k in ("perSecond", "perMinute", "concurrent"):
            if k in body:
                v = int(body[k] or 0)
                if v < 0:
                    raise ValueError("%s is 0 (no limit) or more" % k)
                st.rates[k] = v
        if body.get("clear"):
            st.hits = {}
        return dict(st.rates)


def c_expire_tokens(srv, body):
    st = srv.st
    with st.lock:
        past = st.ts() - 1
        for v in st.access.values():
            v["expires"] = min(v["expires"], past)
        n = len(st.access)
        if body.get("refresh"):
            for v in st.refresh.values():
                v["status"] = "dead"
        return {"expired": n, "refreshTokensKilled": bool(body.get("refresh"))}


def c_oauth_code(srv, body):
    st = srv.st
    realm = str(body.get("realmId") or st.realm)
    code = "AB11" + secrets.token_urlsafe(30)
    with st.lock:
        st.codes[code] = {"realm": realm, "redirectUri": body.get("redirectUri"), "expires": st.ts() + CODE_LIFETIME}
    return {"code": code, "realmId": realm, "redirectUri": body.get("redirectUri"), "expiresIn": CODE_LIFETIME,
            "state": body.get("state")}


def c_refresh_policy(srv, body):
    st = srv.st
    with st.lock:
        pol = body.get("old-refresh", body.get("oldRefresh"))
        if pol is not None:
            if pol not in OLD_REFRESH_POLICIES:
                raise ValueError("old-refresh is one of %s" % ", ".join(OLD_REFRESH_POLICIES))
            st.old_refresh = pol
            if pol == "invalid-at-once":
                for v in st.refresh.values():
                    if v["status"] == "old":
                        v["status"] = "dead"
        if "rotate" in body:
            st.rotate = bool(body["rotate"])
        return {"old-refresh": st.old_refresh, "rotate": st.rotate}


def c_duplicate_check(srv, body):
    st = srv.st
    with st.lock:
        if "on" in body:
            st.dup_check = bool(body["on"])
        return {"on": st.dup_check}


def c_clock(srv, body):
    st = srv.st
    with st.lock:
        if "now" in body:
            t = parse_dt(body["now"])
            if t is None:
                raise ValueError("now is not an ISO-8601 date-time")
            st.clock_offset = t.timestamp() - time.time()
        elif "advanceSeconds" in body:
            st.clock_offset += float(body["advanceSeconds"])
        else:
            raise ValueError("want {now} or {advanceSeconds}")
        return {"now": fmt_time(st.now())}


def c_webhook(srv, body):
    st = srv.st
    with st.lock:
        if not body.get("url"):
            st.webhook = None
            return {"webhook": None}
        if not re.match(r"^https?://", body["url"]):
            raise ValueError("url is http:// or https://")
        st.webhook = {"url": body["url"], "verifier": str(body.get("verifier") or ""),
                      "cafile": body.get("cafile"), "insecure": bool(body.get("insecure")),
                      "timeout": body.get("timeout")}
        return {"webhook": dict(st.webhook)}


CONTROL = {
    "reset": c_reset, "seed": c_seed, "fault": c_fault, "requests": c_requests, "rate": c_rate,
    "expire-tokens": c_expire_tokens, "oauth-code": c_oauth_code, "refresh-policy": c_refresh_policy,
    "duplicate-check": c_duplicate_check, "clock": c_clock, "webhook": c_webhook,
}


# --------------------------------------------------------------------------
# main

class Srv:
    def __init__(self, args):
        self.args = args
        self.st = State(args)
        self.hooks = Webhooks(self.st)


def parse_args(argv):
    p = argparse.ArgumentParser(description=BANNER)
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    p.add_argument("--port-file", help="write the port number to this file once listening")
    p.add_argument("--cert", help="PEM certificate: serve HTTPS")
    p.add_argument("--key", help="PEM private key for --cert")
    p.add_argument("--realm", default=DEFAULT_REALM, help="the company's realmId (default %(default)s)")
    p.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    p.add_argument("--client-secret", default=DEFAULT_CLIENT_SECRET)
    p.add_argument("--refresh-token", default=DEFAULT_REFRESH_TOKEN, help="the refresh token valid at start")
    p.add_argument("--token-seconds", type=int, default=3600, help="access token lifetime (default 3600)")
    p.add_argument("--duplicate-docnumber-check", action="store_true",
                   help="the company refuses a second transaction with the same DocNumber (6140)")
    p.add_argument("--state", help="JSON file: loaded at start if present, rewritten after every change")
    p.add_argument("--verbose", action="store_true", help="log requests on stderr")
    a = p.parse_args(argv)
    if bool(a.cert) != bool(a.key):
        p.error("--cert and --key go together")
    if not re.match(r"^[0-9A-Za-z]+$", a.realm):
        p.error("--realm is digits (and letters)")
    return a


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    srv = Srv(args)
    loaded = srv.st.load()
    Handler.srv = srv
    # Intuit refuses TLS below 1.2
    serve(Handler, args, lambda port, scheme: "%s: realm %s, %s on 127.0.0.1:%d%s" % (
        BANNER, args.realm, scheme, port, ", state loaded from " + args.state if loaded else ""),
        min_tls=ssl.TLSVersion.TLSv1_2)


if __name__ == "__main__":
    main()
