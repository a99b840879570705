#!/usr/bin/env python3
"""Self-test of the local Brightpearl stand-in (tests/erp/brightpearl.py; NOT Brightpearl).

Starts the stand-in on a free port and checks what wharf's connector relies
on: the envelopes and the throttle headers, private-app and OAuth auth (code,
token, refresh, expiry), contacts, sales orders (validation, no idempotency,
GET ORDER shape, search, PUT with If-Match and 412, status), goods-out notes
and their events, availability, webhooks delivered to a local listener, and
the faults (500, 503, 401, 412, timeout, cut, lost).

  python3 tests/erp/test_brightpearl.py          unittest output
  python3 tests/erp/test_brightpearl.py --tap    TAP lines (tests/integration)
Standard library only.
"""

import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from standin import Proc, make_cert, tap_main  # noqa: E402  (tests/lib/standin.py)

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "brightpearl.py")
APP, DEV, STAFF = "acme_wharf", "wharf-dev", "selftest-staff-token"
CID, SECRET = "acme_wharf", "selftest-secret"
STAFF_H = {"brightpearl-app-ref": APP, "brightpearl-staff-token": STAFF}


class Srv(Proc):
    def __init__(self, *args, tls=None):
        super().__init__(SERVER, ["--staff-token", STAFF, "--client-secret", SECRET, "--state", "{tmp}/state.json",
                                  "--hold-seconds", "2"] + list(args), tls, "bp-test-")
        self.state_file = os.path.join(self.tmp, "state.json")

    def call(self, method, rest, body=None, q=None, headers=None, auth=None, timeout=10, account="acme"):
        """An API call; auth: None (staff token), an access token, or {} (no auth)."""
        h = dict(STAFF_H) if auth is None else (
            {"Authorization": "Bearer " + auth, "brightpearl-app-ref": APP, "brightpearl-dev-ref": DEV}
            if isinstance(auth, str) else dict(auth))
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        h.update(headers or {})
        path = "/public-api/%s/%s" % (account, rest)
        if q:
            path += "?" + urllib.parse.urlencode(q)
        return self.raw(method, path, body, h, timeout)

    def ok(self, method, rest, body=None, q=None, **kw):
        st, _, b = self.call(method, rest, body, q, **kw)
        assert st == 200, (method, rest, st, b)
        return None if b is None else b["response"]

    def ctl(self, path, body=None, q=None):
        if q:
            path += "?" + urllib.parse.urlencode(q)
        if body is None:
            st, _, b = self.raw("GET", path)
        else:
            st, _, b = self.raw("POST", path, json.dumps(body), {"Content-Type": "application/json"})
        assert st == 200, (path, st, b)
        return b

    def token(self, grant, **form):
        form = dict(form, grant_type=grant)
        form.setdefault("client_id", CID)
        form.setdefault("client_secret", SECRET)
        return self.raw("POST", form.pop("_path", "/oauth/token"), urllib.parse.urlencode(form),
                        {"Content-Type": "application/x-www-form-urlencoded"})


class Listener:
    """A tiny local webhook receiver; status: what it answers."""

    def __init__(self, status=200):
        got, self.got = [], []
        self.got = got
        code = status

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def handle_one(self):
                n = int(self.headers.get("Content-Length") or 0)
                got.append({"method": self.command, "path": self.path,
                            "body": self.rfile.read(n).decode() if n else "",
                            "contentType": self.headers.get("Content-Type")})
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = do_PUT = handle_one

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def order_body(contact, **over):
    b = {"customer": {"id": contact}, "ref": "4Z32PABC", "externalRef": "amz:rp:4Z32PABC",
         "placedOn": "2024-03-15T00:00:00Z", "statusId": 2, "warehouseId": 2, "channelId": 1,
         "priceListId": 1, "priceModeCode": "EXC", "currency": {"code": "USD"},
         "delivery": {"date": "2024-03-20T00:00:00Z", "shippingMethodId": 6,
                      "address": {"addressFullName": "Amazon ABE2", "companyName": "Amazon.com Services LLC",
                                  "addressLine1": "705 Boulder Dr", "addressLine3": "Breinigsville",
                                  "addressLine4": "PA", "postalCode": "18031", "countryIsoCode": "USA"}},
         "rows": [{"productId": 1001, "name": "Widget", "quantity": "24", "net": "300.00", "tax": "0",
                   "taxCode": "N", "nominalCode": "4000", "externalRef": "1"},
                  {"productId": 1002, "quantity": "12", "net": "105.00", "tax": "8.4000", "taxCode": "T",
                   "externalRef": "2"},
                  {"productId": 1003, "quantity": "6", "net": "239.94", "tax": "0.0050", "taxCode": "N",
                   "externalRef": "3"}]}
    b.update(over)
    return b


class Base(unittest.TestCase):
    srv_args = ()

    @classmethod
    def setUpClass(cls):
        cls.s = Srv(*cls.srv_args)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        self.s.ctl("/_test/reset", {})

    def customer(self, name="Amazon.com Services LLC", email=None):
        aid = self.s.ok("POST", "contact-service/postal-address",
                        {"addressLine1": "410 Terry Ave N", "addressLine3": "Seattle", "addressLine4": "WA",
                         "postalCode": "98109", "countryIsoCode": "USA"})
        body = {"organisation": {"name": name}, "postAddressIds": {"DEF": aid, "BIL": aid, "DEL": aid},
                "relationshipToAccount": {"isCustomer": True}}
        if email:
            body["communication"] = {"emails": {"PRI": {"email": email}}}
        return self.s.ok("POST", "contact-service/contact", body)

    def order(self, **over):
        cid = self.customer()
        return self.s.ok("POST", "order-service/sales-order", order_body(cid, **over))

    def get_order(self, oid):
        return self.s.ok("GET", "order-service/order/%d" % oid)[0]

    def errors(self, st_b, status):
        st, _, b = st_b
        self.assertEqual(st, status, b)
        self.assertEqual(set(b), {"errors"})
        return " | ".join(e["message"] for e in b["errors"])


class TestEnvelope(Base):
    def test_banner_and_headers(self):
        st, h, b = self.s.raw("GET", "/")
        self.assertIn("NOT Brightpearl", b["banner"])
        st, h, b = self.s.call("GET", "warehouse-service/warehouse")
        self.assertEqual(st, 200)
        self.assertEqual(set(b), {"response"})
        self.assertEqual([w["id"] for w in b["response"]], [2, 3])
        self.assertEqual(h["brightpearl-requests-remaining"], "199")
        self.assertTrue(0 < int(h["brightpearl-next-throttle-period"]) <= 60000)
        self.assertIn("NOT Brightpearl", h["x-wharf-stand-in"])

    def test_other_account_and_unknown_resource(self):
        msg = self.errors(self.s.call("GET", "warehouse-service/warehouse", account="other"), 404)
        self.assertIn("other", msg)
        st, h, b = self.s.call("GET", "nope-service/thing")
        self.assertEqual((st, b["errors"][0]["code"]), (404, "CMNC-404"))
        self.assertIn("brightpearl-requests-remaining", h)
        self.errors(self.s.call("GET", "order-service/order/424242"), 404)  # 404 = empty list

    def test_body_must_be_json(self):
        st, _, b = self.s.raw("POST", "/public-api/acme/order-service/sales-order", "{not json",
                              dict(STAFF_H, **{"Content-Type": "application/json"}))
        self.assertEqual((st, b["errors"][0]["code"]), (400, "CMNC-010"))


class TestAuth(Base):
    def test_staff_token(self):
        self.errors(self.s.call("GET", "warehouse-service/warehouse", auth={}), 401)
        self.errors(self.s.call("GET", "warehouse-service/warehouse",
                                auth={"brightpearl-app-ref": APP, "brightpearl-staff-token": "wrong"}), 401)
        self.errors(self.s.call("GET", "warehouse-service/warehouse",
                                auth={"brightpearl-app-ref": "other_app", "brightpearl-staff-token": STAFF}), 401)

    def test_oauth_code_token_refresh_expiry(self):
        code = self.s.ctl("/_test/oauth-code", {"redirect_uri": "https://wharf.example/cb"})["code"]
        st, _, b = self.s.token("authorization_code", code=code, redirect_uri="https://wharf.example/cb",
                                account_code="acme")
        self.assertEqual(st, 200, b)
        self.assertEqual(b["token_type"], "Bearer")
        self.assertEqual(b["api_domain"], "127.0.0.1:%d" % self.s.port)
        self.assertGreater(b["expires_in"], 0)
        access, refresh = b["access_token"], b["refresh_token"]
        self.assertEqual(len(self.s.ok("GET", "warehouse-service/warehouse", auth=access)), 2)
        # the code is good once
        st, _, b = self.s.token("authorization_code", code=code, redirect_uri="https://wharf.example/cb",
                                account_code="acme")
        self.assertEqual((st, b["error"]), (400, "invalid_grant"))
        # the dev ref is part of an OAuth call
        self.errors(self.s.call("GET", "warehouse-service/warehouse",
                                auth={"Authorization": "Bearer " + access, "brightpearl-app-ref": APP}), 401)
        # expired: 401, then a refresh gives a token that works
        self.s.ctl("/_test/expire-tokens", {})
        self.errors(self.s.call("GET", "warehouse-service/warehouse", auth=access), 401)
        st, _, b = self.s.token("refresh_token", refresh_token=refresh)
        self.assertEqual(st, 200, b)
        self.assertNotEqual(b["access_token"], access)
        self.s.ok("GET", "warehouse-service/warehouse", auth=b["access_token"])
        st, _, b = self.s.token("refresh_token", refresh_token="bogus")
        self.assertEqual((st, b["error"]), (400, "invalid_grant"))
        st, _, b = self.s.token("refresh_token", refresh_token=refresh, client_secret="wrong")
        self.assertEqual((st, b["error"]), (400, "invalid_client"))
        # tokens survive a reset unless asked
        self.s.ctl("/_test/reset", {})
        self.assertEqual(self.s.token("refresh_token", refresh_token=refresh)[0], 200)
        self.s.ctl("/_test/reset", {"tokens": True})
        self.assertEqual(self.s.token("refresh_token", refresh_token=refresh)[0], 400)

    def test_oauth_account_in_path_and_redirect_check(self):
        code = self.s.ctl("/_test/oauth-code", {"redirect_uri": "https://wharf.example/cb"})["code"]
        st, _, b = self.s.token("authorization_code", code=code, redirect_uri="https://evil.example/cb",
                                _path="/acme/oauth/token")
        self.assertEqual((st, b["error"]), (400, "invalid_grant"))
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        st, _, b = self.s.token("authorization_code", code=code, redirect_uri="x", _path="/acme/oauth/token")
        self.assertEqual(st, 200, b)
        st, _, b = self.s.token("client_credentials")
        self.assertEqual((st, b["error"]), (400, "unsupported_grant_type"))

    def test_secrets_not_logged(self):
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        self.s.token("authorization_code", code=code, account_code="acme")
        self.s.call("GET", "warehouse-service/warehouse")
        log = json.dumps(self.s.ctl("/_test/requests"))
        for secret in (STAFF, SECRET, code):
            self.assertNotIn(secret, log)


class TestContacts(Base):
    def test_create_search_get(self):
        cid = self.customer(email="vendor-orders@amazon.example")
        r = self.s.ok("GET", "contact-service/contact-search", q={"companyName": "Amazon.com Services LLC"})
        cols = [c["name"] for c in r["metaData"]["columns"]]
        self.assertEqual(cols, ["contactId", "primaryEmail", "firstName", "lastName", "companyName", "isCustomer"])
        self.assertEqual(r["results"], [[cid, "vendor-orders@amazon.example", None, None,
                                         "Amazon.com Services LLC", True]])
        r = self.s.ok("GET", "contact-service/contact-search", q={"primaryEmail": "vendor-orders@amazon.example"})
        self.assertEqual(r["metaData"]["resultsAvailable"], 1)
        r = self.s.ok("GET", "contact-service/contact-search", q={"companyName": "Nobody"})
        self.assertEqual((r["metaData"]["resultsAvailable"], r["results"]), (0, []))
        c = self.s.ok("GET", "contact-service/contact/%d" % cid)[0]
        self.assertEqual(c["organisation"]["name"], "Amazon.com Services LLC")
        self.assertTrue(c["relationshipToAccount"]["isCustomer"])

    def test_address_wants_iso3(self):
        msg = self.errors(self.s.call("POST", "contact-service/postal-address",
                                      {"addressLine1": "x", "countryIsoCode": "US"}), 400)
        self.assertIn("countryIsoCode", msg)
        msg = self.errors(self.s.call("POST", "contact-service/contact",
                                      {"organisation": {"name": "X"}, "postAddressIds": {"DEF": 99999}}), 400)
        self.assertIn("postAddressIds.DEF", msg)


class TestOrders(Base):
    def test_create_and_get_shape(self):
        oid = self.order()
        o = self.get_order(oid)
        self.assertEqual((o["id"], o["orderTypeCode"], o["reference"], o["externalRef"]),
                         (oid, "SO", "4Z32PABC", "amz:rp:4Z32PABC"))
        self.assertIsInstance(o["version"], int)
        self.assertEqual(o["orderStatus"], {"orderStatusId": 2, "name": "New web order"})
        self.assertEqual(o["totalValue"]["net"], "644.94")
        self.assertEqual(o["totalValue"]["taxAmount"], "8.405")
        self.assertEqual(o["totalValue"]["total"], "653.345")
        self.assertEqual(o["currency"]["orderCurrencyCode"], "USD")
        self.assertEqual(o["delivery"], {"deliveryDate": "2024-03-20T00:00:00.000+00:00", "shippingMethodId": 6})
        self.assertEqual(o["assignment"]["current"]["channelId"], 1)
        self.assertEqual(o["parties"]["delivery"]["addressLine1"], "705 Boulder Dr")
        self.assertEqual(o["parties"]["customer"]["companyName"], "Amazon.com Services LLC")
        self.assertEqual(o["invoices"], [])
        rows = list(o["orderRows"].items())
        self.assertEqual(len(rows), 3)
        rid, r = rows[0]
        self.assertTrue(rid.isdigit())
        self.assertEqual((r["productId"], r["productSku"], r["quantity"]["magnitude"]), (1001, "ACME-1001", "24.0000"))
        self.assertEqual(r["rowValue"]["taxCode"], "N")
        self.assertEqual(r["rowValue"]["rowNet"]["value"], "300.00")
        self.assertEqual((r["nominalCode"], r["externalRef"]), ("4000", "1"))
        self.assertEqual(self.s.ok("GET", "order-service/sales-order/%d" % oid)[0]["id"], oid)

    def test_no_idempotency(self):
        cid = self.customer()
        a = self.s.ok("POST", "order-service/sales-order", order_body(cid))
        b = self.s.ok("POST", "order-service/sales-order", order_body(cid))
        self.assertNotEqual(a, b)
        self.assertGreater(b, a)
        r = self.s.ok("GET", "order-service/order-search", q={"externalRef": "amz:rp:4Z32PABC"})
        self.assertEqual(r["metaData"]["resultsAvailable"], 2)
        n = self.s.ctl("/_test/requests", q={"method": "POST", "path": "order-service/sales-order$"})["count"]
        self.assertEqual(n, 2)

    def test_validation_names_the_field(self):
        cid = self.customer()
        cases = [
            ({"customer": {"id": 999999}}, "customer.id"),
            ({"currency": {}}, "currency.code"),
            ({"rows": [{"productId": 424242, "quantity": "1", "net": "1", "tax": "0", "taxCode": "N"}]},
             "rows[0].productId"),
            ({"rows": [{"productId": 1001, "quantity": "1", "net": "1", "tax": "0"}]}, "rows[0].taxCode"),
            ({"rows": [{"productId": 1001, "quantity": 1, "net": "1", "tax": "0", "taxCode": "N"}]},
             "rows[0].quantity"),
            ({"rows": [{"productId": 1001, "quantity": "1.5", "net": "1", "tax": "0", "taxCode": "N"}]},
             "rows[0].quantity"),
            ({"rows": [{"productId": 1001, "quantity": "1", "net": "1.23456", "tax": "0", "taxCode": "N"}]},
             "rows[0].net"),
            ({"rows": [{"productId": 1001, "quantity": "1", "net": 1.5, "tax": "0", "taxCode": "N"}]},
             "rows[0].net"),
            ({"delivery": {"address": {"addressLine1": "x", "countryIsoCode": "US"}}},
             "delivery.address.countryIsoCode"),
            ({"statusId": 77}, "statusId"),
        ]
        for over, field in cases:
            with self.subTest(field=field, over=over):
                msg = self.errors(self.s.call("POST", "order-service/sales-order", order_body(cid, **over)), 400)
                self.assertIn(field, msg)
        # a free-text row (no product) and a decimal quantity of a non-stock product are fine
        self.s.ok("POST", "order-service/sales-order", order_body(cid, rows=[
            {"name": "Freight", "quantity": "1", "net": "10", "tax": "0", "taxCode": "N"},
            {"productId": 1004, "quantity": "1.5", "net": "3", "tax": "0", "taxCode": "N"}]))
        self.assertEqual(len(self.s.ctl("/_test/state")["orders"]), 1)

    def test_search_paging_sort_and_dates(self):
        self.s.ctl("/_test/clock", {"now": "2026-07-01T10:00:00Z"})
        cid = self.customer()
        ids = []
        for i in range(5):
            ids.append(self.s.ok("POST", "order-service/sales-order",
                                 order_body(cid, ref="PO%d" % i, externalRef="amz:rp:PO%d" % i)))
            self.s.ctl("/_test/clock", {"advanceSeconds": 60})
        r = self.s.ok("GET", "order-service/order-search", q={"customerRef": "PO3"})
        cols = [c["name"] for c in r["metaData"]["columns"]]
        self.assertEqual(cols, ["orderId", "orderTypeId", "contactId", "orderStatusId", "externalRef",
                                "customerRef", "updatedOn", "createdOn"])
        self.assertEqual(r["results"][0][:6], [ids[3], 1, cid, 2, "amz:rp:PO3", "PO3"])
        self.assertEqual(r["results"][0][6], "2026-07-01T10:03:00.000+00:00")
        r = self.s.ok("GET", "order-service/order-search",
                      q={"updatedOn": "2026-07-01T10:02:00Z/", "sort": "updatedOn|ASC", "pageSize": "2"})
        self.assertEqual((r["metaData"]["resultsAvailable"], r["metaData"]["resultsReturned"]), (3, 2))
        self.assertEqual([x[0] for x in r["results"]], ids[2:4])
        r = self.s.ok("GET", "order-service/order-search",
                      q={"updatedOn": "2026-07-01T10:02:00Z/", "sort": "updatedOn|ASC", "pageSize": "2",
                         "firstResult": "3"})
        self.assertEqual(([x[0] for x in r["results"]], r["metaData"]["firstResult"], r["metaData"]["lastResult"]),
                         ([ids[4]], 3, 3))
        r = self.s.ok("GET", "order-service/order-search",
                      q={"updatedOn": "2026-07-01T10:01:00Z/2026-07-01T10:02:00Z", "sort": "orderId|DESC"})
        self.assertEqual([x[0] for x in r["results"]], [ids[2], ids[1]])
        self.errors(self.s.call("GET", "order-service/order-search", q={"pageSize": "501"}), 400)
        self.errors(self.s.call("GET", "order-service/order-search", q={"colour": "red"}), 400)
        # a "+" left unencoded in a date reads as a space: refused, as a real server would
        st, _, b = self.s.raw("GET", "/public-api/acme/order-service/order-search?updatedOn=2026-07-01T10:00:00+00:00/",
                              headers=STAFF_H)
        self.assertEqual(st, 400, b)

    def test_put_if_match_and_412(self):
        oid = self.order()
        o = self.get_order(oid)
        v = o["version"]
        cid = o["parties"]["customer"]["contactId"]
        body = order_body(cid, rows=[{"productId": 1001, "quantity": "10", "net": "125.00", "tax": "0",
                                      "taxCode": "N"}])
        st, _, b = self.s.call("PUT", "order-service/sales-order/%d" % oid, body, headers={"If-Match": str(v)})
        self.assertEqual(st, 200, b)
        o2 = self.get_order(oid)
        self.assertEqual(o2["version"], v + 1)
        self.assertEqual(o2["totalValue"]["net"], "125.00")
        self.assertEqual(len(o2["orderRows"]), 1)
        msg = self.errors(self.s.call("PUT", "order-service/sales-order/%d" % oid, body,
                                      headers={"If-Match": str(v)}), 412)
        self.assertIn(str(v + 1), msg)
        # someone edits the order in Brightpearl: the version read before is stale
        self.s.ctl("/_test/bump-version", {"orderId": oid})
        self.errors(self.s.call("PUT", "order-service/sales-order/%d" % oid, body,
                                headers={"If-Match": str(v + 1)}), 412)
        # without If-Match: accepted, and recorded
        self.s.ok("PUT", "order-service/sales-order/%d" % oid, body)
        self.assertEqual(self.s.ctl("/_test/state")["putsWithoutIfMatch"], [oid])

    def test_status_change(self):
        self.s.ctl("/_test/clock", {"now": "2026-07-01T10:00:00Z"})
        oid = self.order()
        v = self.get_order(oid)["version"]
        self.s.ctl("/_test/clock", {"advanceSeconds": 30})
        self.s.ok("PUT", "order-service/order/%d/status" % oid,
                  {"orderStatusId": 20, "orderNote": {"text": "accepted for Amazon", "isPublic": False}})
        o = self.get_order(oid)
        self.assertEqual(o["orderStatus"], {"orderStatusId": 20, "name": "Amazon: accepted"})
        self.assertEqual((o["version"], o["updatedOn"]), (v + 1, "2026-07-01T10:00:30.000+00:00"))
        self.assertEqual(o["createdOn"], "2026-07-01T10:00:00.000+00:00")
        self.errors(self.s.call("PUT", "order-service/order/%d/status" % oid, {"orderStatusId": 99}), 400)
        self.s.ctl("/_test/order-status", {"orderId": oid, "status": "Invoiced", "invoiceReference": "SI-77"})
        o = self.get_order(oid)
        self.assertEqual(o["invoices"][0]["invoiceReference"], "SI-77")
        r = self.s.ok("GET", "order-service/order-search", q={"orderStatusId": "4"})
        self.assertEqual(r["results"][0][0], oid)


class TestThrottle(Base):
    def test_503_with_headers_then_reset(self):
        self.s.ctl("/_test/rate", {"perMinute": 3, "reset": True})
        left = []
        for _ in range(3):
            st, h, _ = self.s.call("GET", "warehouse-service/warehouse")
            self.assertEqual(st, 200)
            left.append(int(h["brightpearl-requests-remaining"]))
        self.assertEqual(left, [2, 1, 0])
        st, h, b = self.s.call("GET", "warehouse-service/warehouse")
        self.assertEqual(st, 503)
        self.assertEqual(set(b), {"errors"})
        self.assertEqual(h["brightpearl-requests-remaining"], "0")
        self.assertTrue(0 < int(h["brightpearl-next-throttle-period"]) <= 60000)
        self.s.ctl("/_test/rate", {"reset": True})
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)

    def test_period_ends_after_a_minute_of_the_clock(self):
        self.s.ctl("/_test/clock", {"now": "2026-07-01T10:00:00Z"})
        self.s.ctl("/_test/rate", {"perMinute": 1, "reset": True})
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)
        self.s.ctl("/_test/clock", {"advanceSeconds": 45})
        st, h, _ = self.s.call("GET", "warehouse-service/warehouse")
        self.assertEqual((st, h["brightpearl-next-throttle-period"]), (503, "15000"))
        self.s.ctl("/_test/clock", {"advanceSeconds": 15})
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)


class TestFaults(Base):
    def fault(self, **f):
        self.s.ctl("/_test/fault", f)

    def orders(self):
        return len(self.s.ctl("/_test/state")["orders"])

    def test_http_faults(self):
        self.fault(path="warehouse-service/warehouse", kind="500", after=1)
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 500)
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)
        self.fault(method="GET", path="warehouse", kind="503", ms=250, times=2)
        for _ in range(2):
            st, h, b = self.s.call("GET", "warehouse-service/warehouse")
            self.assertEqual((st, h["brightpearl-next-throttle-period"], h["brightpearl-requests-remaining"]),
                             (503, "250", "0"))
            self.assertIn("errors", b)
        self.assertEqual(self.s.call("GET", "warehouse-service/warehouse")[0], 200)

    def test_401_fault_expires_the_token(self):
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        tok = self.s.token("authorization_code", code=code, account_code="acme")[2]
        self.fault(path="warehouse", kind="401")
        self.errors(self.s.call("GET", "warehouse-service/warehouse", auth=tok["access_token"]), 401)
        self.errors(self.s.call("GET", "warehouse-service/warehouse", auth=tok["access_token"]), 401)
        new = self.s.token("refresh_token", refresh_token=tok["refresh_token"])[2]["access_token"]
        self.s.ok("GET", "warehouse-service/warehouse", auth=new)

    def test_412_fault(self):
        oid = self.order()
        o = self.get_order(oid)
        self.fault(method="PUT", path="sales-order/", kind="412")
        body = order_body(o["parties"]["customer"]["contactId"])
        hdr = {"If-Match": str(o["version"])}
        self.errors(self.s.call("PUT", "order-service/sales-order/%d" % oid, body, headers=hdr), 412)
        self.s.ok("PUT", "order-service/sales-order/%d" % oid, body, headers=hdr)

    def test_cut_is_not_applied(self):
        cid = self.customer()
        self.fault(method="POST", path="order-service/sales-order$", kind="cut")
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.s.call("POST", "order-service/sales-order", order_body(cid))
        self.assertEqual(self.orders(), 0)
        r = self.s.ok("GET", "order-service/order-search", q={"externalRef": "amz:rp:4Z32PABC"})
        self.assertEqual(r["metaData"]["resultsAvailable"], 0)

    def test_lost_is_applied(self):
        cid = self.customer()
        self.fault(method="POST", path="order-service/sales-order$", kind="lost")
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.s.call("POST", "order-service/sales-order", order_body(cid))
        self.assertEqual(self.orders(), 1)
        # what search-before-create finds after a lost answer
        r = self.s.ok("GET", "order-service/order-search", q={"externalRef": "amz:rp:4Z32PABC"})
        self.assertEqual(r["metaData"]["resultsAvailable"], 1)
        log = self.s.ctl("/_test/requests", q={"path": "sales-order$"})["requests"]
        self.assertEqual([(e["status"], e.get("fault")) for e in log], [("lost", "lost")])

    def test_timeout_holds_then_closes(self):
        cid = self.customer()
        self.fault(method="POST", path="sales-order$", kind="timeout", seconds=2)
        t = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError, OSError)):
            self.s.call("POST", "order-service/sales-order", order_body(cid), timeout=0.3)
        self.assertLess(time.monotonic() - t, 1)
        self.assertEqual(self.orders(), 0)
        # the stand-in logs the request's outcome once its hold ends (2 s after it began, and on a busy
        # machine its thread may wake later still): wait for the entry, not for a fixed time
        deadline, status = time.monotonic() + 30, None
        while status is None and time.monotonic() < deadline:
            time.sleep(0.05)
            status = self.s.ctl("/_test/requests", q={"path": "sales-order$"})["requests"][0]["status"]
        self.assertGreaterEqual(time.monotonic() - t, 2)
        self.assertEqual(status, "timeout")
        self.assertEqual(self.orders(), 0)

    def test_applied_timeout_and_cut(self):
        # the request takes effect; its answer never arrives (after a stall, or at once)
        cid = self.customer()
        self.fault(method="POST", path="sales-order$", kind="timeout", seconds=1, applied=True)
        t = time.monotonic()
        # the stand-in logs the request's status when its hold ends, as it closes the connection:
        # the client waits for that close (a timeout of its own first, on a machine that wakes the
        # stand-in's thread late, would leave the status unset for the log check below)
        with self.assertRaises((http.client.HTTPException, ConnectionError, OSError)):
            self.s.call("POST", "order-service/sales-order", order_body(cid), timeout=30)
        self.assertGreaterEqual(time.monotonic() - t, 0.9)
        self.assertEqual(self.orders(), 1)
        self.fault(method="POST", path="sales-order$", kind="cut", applied=True)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.s.call("POST", "order-service/sales-order", order_body(cid, ref="4Z32PABD"))
        self.assertEqual(self.orders(), 2)
        log = self.s.ctl("/_test/requests", q={"path": "sales-order$"})["requests"]
        self.assertEqual([(e["status"], e.get("fault")) for e in log], [("timeout", "timeout"), ("cut", "cut")])
        # on the token endpoint: the token is issued, the answer lost
        self.fault(path="oauth/token", kind="cut", applied=True)
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.s.token("authorization_code", code=code, account_code="acme")
        self.assertEqual(self.s.token("authorization_code", code=code, account_code="acme")[2]["error"],
                         "invalid_grant")

    def test_refresh_rotation(self):
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        first = self.s.token("authorization_code", code=code, account_code="acme")[2]["refresh_token"]
        self.assertEqual(self.s.ctl("/_test/refresh-policy", {"rotate": True}), {"rotate": True, "rotations": 0})
        st, _, b = self.s.token("refresh_token", refresh_token=first)
        self.assertEqual(st, 200, b)
        self.assertNotEqual(b["refresh_token"], first)
        # the one used is dead at once; the new one works
        self.assertEqual(self.s.token("refresh_token", refresh_token=first)[2]["error"], "invalid_grant")
        self.assertEqual(self.s.token("refresh_token", refresh_token=b["refresh_token"])[0], 200)
        self.assertEqual(self.s.ctl("/_test/refresh-policy", {})["rotations"], 2)
        self.s.ctl("/_test/reset", {})
        self.assertEqual(self.s.ctl("/_test/refresh-policy", {})["rotate"], False)

    def test_token_endpoint_faults(self):
        self.s.ctl("/_test/fault", [{"path": "oauth/token", "kind": "503"}, {"path": "oauth/token", "kind": "cut"}])
        code = self.s.ctl("/_test/oauth-code", {})["code"]
        self.assertEqual(self.s.token("authorization_code", code=code, account_code="acme")[0], 503)
        with self.assertRaises((http.client.HTTPException, ConnectionError)):
            self.s.token("authorization_code", code=code, account_code="acme")
        self.assertEqual(self.s.token("authorization_code", code=code, account_code="acme")[0], 200)


class TestGoodsOut(Base):
    def test_note_shipping_events_search(self):
        self.s.ctl("/_test/clock", {"now": "2026-07-02T08:00:00Z"})
        oid = self.order()
        rows = self.get_order(oid)["orderRows"]
        rid = [int(k) for k in rows]
        body = {"warehouses": [{"releaseDate": "2026-07-02T09:00:00Z", "warehouseId": 2, "transfer": False,
                                "products": [{"productId": 1001, "salesOrderRowId": rid[0], "quantity": 24},
                                             {"productId": 1002, "salesOrderRowId": rid[1], "quantity": 5}]}],
                "priority": False, "shippingMethodId": 6}
        made = self.s.ok("POST", "warehouse-service/order/%d/goods-note/goods-out" % oid, body)
        self.assertEqual(len(made), 1)
        nid = int(next(iter(made)))
        # more than is left on the row
        over = {"warehouses": [{"warehouseId": 2, "products": [
            {"productId": 1002, "salesOrderRowId": rid[1], "quantity": 8}]}]}
        self.assertIn("quantity", self.errors(self.s.call(
            "POST", "warehouse-service/order/%d/goods-note/goods-out" % oid, over), 400))
        self.s.ok("PUT", "warehouse-service/goods-note/goods-out/%d" % nid,
                  {"shipping": {"reference": "1Z999AA10123456784", "boxes": 3, "weight": "12.5",
                                "shippingMethodId": 6}})
        self.s.ctl("/_test/clock", {"advanceSeconds": 3600})
        self.errors(self.s.call("POST", "warehouse-service/goods-note/goods-out/%d/event" % nid,
                                {"events": [{"eventCode": "SHW", "occurred": "2026-07-02T09:30:00Z",
                                             "eventOwnerId": 4}]}), 400)
        self.errors(self.s.call("POST", "warehouse-service/goods-note/goods-out/%d/event" % nid,
                                {"events": [{"eventCode": "SHW", "occured": "2026-07-02T09:30:00Z",
                                             "eventOwnerId": 4}]}, headers={"If-Match": "7"}), 412)
        self.s.ok("POST", "warehouse-service/goods-note/goods-out/%d/event" % nid,
                  {"events": [{"eventCode": "SHW", "occured": "2026-07-02T09:30:00Z", "eventOwnerId": 4}]},
                  headers={"If-Match": "0"})
        n = self.s.ok("GET", "warehouse-service/order/*/goods-note/goods-out/%d" % nid)[str(nid)]
        self.assertEqual((n["orderId"], n["warehouseId"], n["transfer"], n["priority"]), (oid, 2, False, False))
        self.assertEqual(n["status"]["shipped"], True)
        self.assertEqual(n["status"]["shippedOn"], "2026-07-02T09:30:00.000+00:00")
        self.assertTrue(n["status"]["printed"] and n["status"]["picked"] and n["status"]["packed"])
        self.assertEqual(n["shipping"], {"shippingMethodId": 6, "boxes": 3, "reference": "1Z999AA10123456784",
                                         "weight": "12.5"})
        self.assertEqual(n["orderRows"][str(rid[0])][0]["quantity"], 24)
        self.assertEqual(n["lastEventVersion"], 1)
        self.assertEqual(n["events"][0]["occured"], "2026-07-02T09:30:00.000+00:00")
        self.assertEqual(n["updatedOn"], "2026-07-02T09:00:00.000+00:00")
        self.assertIn(str(nid), self.s.ok("GET", "warehouse-service/order/%d/goods-note/goods-out" % oid))
        self.errors(self.s.call("POST", "warehouse-service/goods-note/goods-out/%d/event" % nid,
                                {"events": [{"eventCode": "SHW", "occured": "2026-07-02T09:31:00Z",
                                             "eventOwnerId": 4}]}), 400)
        self.assertEqual(self.get_order(oid)["shippingStatusCode"], "PSS")
        r = self.s.ok("GET", "warehouse-service/goods-note/goods-out-search",
                      q={"updatedOn": "2026-07-02T08:30:00Z/", "shipped": "true"})
        self.assertEqual([c["name"] for c in r["metaData"]["columns"]],
                         ["goodsOutNoteId", "orderId", "warehouseId", "shipped", "shippedOn", "updatedOn", "createdOn"])
        self.assertEqual(r["results"][0][:5], [nid, oid, 2, True, "2026-07-02T09:30:00.000+00:00"])
        r = self.s.ok("GET", "warehouse-service/goods-note/goods-out-search", q={"shippedOn": "/2026-07-02T09:00:00Z"})
        self.assertEqual(r["results"], [])

    def test_ship_convenience(self):
        oid = self.order()
        r = self.s.ctl("/_test/ship", {"orderId": oid, "reference": "TRACK1", "boxes": 2, "weight": "4",
                                       "shippedOn": "2026-07-03T12:00:00Z"})
        n = self.s.ok("GET", "warehouse-service/order/%d/goods-note/goods-out/%d" % (oid, r["noteId"]))
        n = n[str(r["noteId"])]
        self.assertEqual((n["shipping"]["reference"], n["status"]["shipped"]), ("TRACK1", True))
        self.assertEqual(sum(x[0]["quantity"] for x in n["orderRows"].values()), 42)
        self.assertEqual(self.get_order(oid)["shippingStatusCode"], "ASS")
        st, _, b = self.s.raw("POST", "/_test/ship", json.dumps({"orderId": oid}), {"Content-Type": "application/json"})
        self.assertEqual(st, 400, b)


class TestStock(Base):
    def test_availability_and_products(self):
        r = self.s.ok("GET", "warehouse-service/product-availability/1001-1002")
        self.assertEqual(r["1001"]["total"], {"inStock": 110, "onHand": 120, "allocated": 10, "inTransit": 0})
        self.assertEqual(r["1001"]["warehouses"]["2"], {"inStock": 90, "onHand": 100, "allocated": 10, "inTransit": 0})
        self.assertEqual(set(r), {"1001", "1002"})
        self.s.ctl("/_test/seed", {"stock": [{"productId": 1002, "warehouseId": 3, "onHand": 7, "allocated": 1}]})
        r = self.s.ok("GET", "warehouse-service/product-availability/1002")
        self.assertEqual(r["1002"]["warehouses"]["3"]["inStock"], 6)
        self.errors(self.s.call("GET", "warehouse-service/product-availability/1-51"), 400)
        self.errors(self.s.call("GET", "warehouse-service/product-availability/777"), 404)
        r = self.s.ok("GET", "product-service/product-search", q={"SKU": "ACME-2001"})
        self.assertEqual([c["name"] for c in r["metaData"]["columns"]], ["productId", "SKU", "productName"])
        self.assertEqual(r["results"][0][:2], [1003, "ACME-2001"])
        self.assertEqual(self.s.ok("GET", "warehouse-service/warehouse/3")[0]["name"], "West warehouse")


class TestWebhooks(Base):
    def setUp(self):
        super().setUp()
        self.l = Listener()
        self.bad = Listener(status=500)

    def tearDown(self):
        self.l.close()
        self.bad.close()

    def sub(self, event, port, qos=1):
        return self.s.ok("POST", "integration-service/webhook", {
            "subscribeTo": event, "httpMethod": "POST",
            "uriTemplate": "http://127.0.0.1:%d/bp/${account-code}/${resource-type}/${resource-id}?t=secret" % port,
            "bodyTemplate": '{"account":"${account-code}","type":"${resource-type}","id":"${resource-id}",'
                            '"event":"${lifecycle-event}","on":"${raised-on}"}',
            "contentType": "application/json", "idSetAccepted": True, "qualityOfService": qos})

    def deliveries(self):
        return self.s.ctl("/_test/webhooks", q={"wait": "5"})["deliveries"]

    def test_delivery_drop_and_failure(self):
        w1 = self.sub("order.modified.order-status", self.l.port)
        self.sub("goods-out-note.modified.shipped", self.l.port)
        self.sub("sales-order.created", self.l.port)
        self.assertEqual(len(self.s.ok("GET", "integration-service/webhook")), 3)
        oid = self.order()
        self.s.ctl("/_test/order-status", {"orderId": oid, "statusId": 20})
        r = self.s.ctl("/_test/ship", {"orderId": oid})
        d = self.deliveries()
        self.assertEqual([(x["event"], x["status"]) for x in d],
                         [("sales-order.created", "delivered"), ("order.modified.order-status", "delivered"),
                          ("goods-out-note.modified.shipped", "delivered")])
        paths = [g["path"] for g in self.l.got]
        self.assertEqual(paths, ["/bp/acme/sales-order/%d?t=secret" % oid, "/bp/acme/order/%d?t=secret" % oid,
                                 "/bp/acme/goods-out-note/%d?t=secret" % r["noteId"]])
        body = json.loads(self.l.got[1]["body"])
        self.assertEqual((body["id"], body["event"], body["type"]), (str(oid), "modified", "order"))
        self.assertEqual(self.l.got[1]["contentType"], "application/json")
        # a dropped delivery never reaches the listener (the reconciling poll must catch it)
        self.s.ctl("/_test/webhooks", {"drop": 1})
        self.s.ctl("/_test/order-status", {"orderId": oid, "statusId": 21})
        self.s.ctl("/_test/order-status", {"orderId": oid, "statusId": 20})
        d = self.deliveries()
        self.assertEqual([x["status"] for x in d[3:]], ["dropped", "delivered"])
        self.assertEqual(len(self.l.got), 4)
        # an endpoint that fails: recorded, retried at QoS 1, nothing crashes
        self.s.ok("DELETE", "integration-service/webhook/%d" % w1)
        self.errors(self.s.call("DELETE", "integration-service/webhook/%d" % w1), 404)
        self.sub("order.modified.order-status", self.bad.port)
        self.s.ctl("/_test/order-status", {"orderId": oid, "statusId": 21})
        d = self.deliveries()[-1]
        self.assertEqual((d["status"], d["httpStatus"], d["attempts"]), ("failed", 500, 3))
        self.assertEqual(len(self.bad.got), 3)

    def test_subscription_checked(self):
        msg = self.errors(self.s.call("POST", "integration-service/webhook",
                                      {"subscribeTo": "order", "httpMethod": "PATCH", "uriTemplate": "ftp://x"}), 400)
        for field in ("subscribeTo", "httpMethod", "uriTemplate"):
            self.assertIn(field, msg)


class TestControl(Base):
    def test_fixed_clock_and_state_file(self):
        self.s.ctl("/_test/clock", {"now": "2026-01-05T09:00:00Z"})
        oid = self.order()
        o = self.get_order(oid)
        self.assertEqual((o["createdOn"], o["updatedOn"]), ("2026-01-05T09:00:00.000+00:00",) * 2)
        with open(self.s.state_file) as fh:
            saved = json.load(fh)
        self.assertEqual([x["id"] for x in saved["orders"]], [oid])
        self.assertIn("NOT Brightpearl", saved["banner"])
        self.s.ctl("/_test/clock", {"now": None})
        self.assertFalse(self.s.ctl("/_test/state")["fixedClock"])

    def test_seed_products_and_statuses(self):
        self.s.ctl("/_test/seed", {"products": [{"id": 2001, "SKU": "B07XYZ", "name": "New", "stockTracked": True}],
                                   "statuses": [{"id": 30, "name": "On hold"}]})
        r = self.s.ok("GET", "product-service/product-search", q={"SKU": "B07XYZ"})
        self.assertEqual(r["results"][0][0], 2001)
        self.assertIn({"statusId": 30, "name": "On hold", "orderTypeCode": "SO"},
                      self.s.ok("GET", "order-service/order-status"))
        self.s.ctl("/_test/reset", {})
        r = self.s.ok("GET", "product-service/product-search", q={"SKU": "B07XYZ"})
        self.assertEqual(r["metaData"]["resultsAvailable"], 0)


@unittest.skipUnless(shutil.which("openssl"), "the openssl CLI is not installed")
class TestTLS(unittest.TestCase):
    def test_https(self):
        d = tempfile.mkdtemp(prefix="bp-tls-")
        try:
            s = Srv(tls=make_cert(d))
            try:
                self.assertEqual(s.call("GET", "warehouse-service/warehouse")[0], 200)
                code = s.ctl("/_test/oauth-code", {})["code"]
                st, _, b = s.token("authorization_code", code=code, account_code="acme")
                self.assertEqual((st, b["api_domain"]), (200, "localhost:%d" % s.port))
                # a plain-HTTP client gets nothing useful and does not hang the server
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                try:
                    c.recv(100)
                except OSError:
                    pass
                c.close()
                self.assertEqual(s.call("GET", "warehouse-service/warehouse")[0], 200)
            finally:
                s.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    tap_main("brightpearl stand-in")
