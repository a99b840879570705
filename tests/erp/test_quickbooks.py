#!/usr/bin/env python3
"""Self-test of the local QuickBooks Online stand-in (tests/erp/quickbooks.py; NOT Intuit).

Starts the server on free ports and checks what wharf's QuickBooks connector
relies on: the OAuth token endpoint and refresh-token rotation, invoice
validation (references, Amount = Qty x UnitPrice in decimal, duplicate
DocNumber), requestid replays, payments, sparse updates, the query language,
throttling, 401/403, injected faults (fault200, lost, cut, timeout, 5xx),
webhook signatures, minorversion logging, --state and TLS.

  python3 tests/erp/test_quickbooks.py          unittest output
  python3 tests/erp/test_quickbooks.py --tap    TAP lines (tests/integration)
Standard library only.
"""

import base64
import hashlib
import hmac
import http.client
import http.server
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
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from standin import Proc, make_cert, tap_main  # noqa: E402  (tests/lib/standin.py)

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "quickbooks.py")
REALM = "9130350000000000"
CID, SECRET, REFRESH = "ABselftestclient", "s3cret", "AB11selftest-refresh"
V3 = "/v3/company/%s/" % REALM


def jl(data):
    return json.loads(data, parse_float=Decimal) if data else None


class Srv(Proc):
    loads = staticmethod(jl)

    def __init__(self, *args, tls=None):
        super().__init__(SERVER, ["--realm", REALM, "--client-id", CID, "--client-secret", SECRET,
                                  "--refresh-token", REFRESH] + list(args), tls, "qbo-test-")

    def start(self):
        super().start()
        self.token = None

    def token_call(self, form, cid=CID, secret=SECRET):
        basic = base64.b64encode(("%s:%s" % (cid, secret)).encode()).decode()
        return self.raw("POST", "/oauth2/v1/tokens/bearer", urllib.parse.urlencode(form),
                        {"Authorization": "Basic " + basic, "Accept": "application/json",
                         "Content-Type": "application/x-www-form-urlencoded"})

    def refresh(self, rt):
        return self.token_call({"grant_type": "refresh_token", "refresh_token": rt})

    def login(self):
        st, _, b = self.refresh(self.ctl("/_test/state")["refreshTokens"]["current"][0])
        assert st == 200, b
        self.token = b["access_token"]
        return self.token

    def call(self, method, rel, body=None, q=None, token=None, headers=None, timeout=10, realm=REALM):
        h = {"Authorization": "Bearer " + (token or self.token or self.login()), "Accept": "application/json"}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body, default=str)
        h.update(headers or {})
        qq = {"minorversion": "75"}
        qq.update(q or {})
        qq = {k: v for k, v in qq.items() if v is not None}
        path = "/v3/company/%s/%s" % (realm, rel)
        if qq:
            path += "?" + urllib.parse.urlencode(qq)
        return self.raw(method, path, body, h, timeout)

    def query(self, text):
        return self.call("GET", "query", q={"query": text})

    def ctl(self, path, body=None, q=None):
        if q:
            path += "?" + urllib.parse.urlencode(q)
        if body is None and path.split("?")[0] in ("/_test/state", "/_test/requests", "/_test/webhooks"):
            st, _, b = self.raw("GET", path)
        else:
            st, _, b = self.raw("POST", path, json.dumps(body if body is not None else {}),
                                {"Content-Type": "application/json"})
        assert st == 200, (path, st, b)
        return b


def line(item, qty, price, amount=None):
    amount = amount if amount is not None else str(Decimal(str(qty)) * Decimal(str(price)))
    return {"DetailType": "SalesItemLineDetail", "Amount": Decimal(amount), "Description": "item %s" % item,
            "SalesItemLineDetail": {"ItemRef": {"value": item}, "Qty": Decimal(str(qty)),
                                    "UnitPrice": Decimal(str(price)), "TaxCodeRef": {"value": "NON"}}}


sys.path.insert(0, HERE)
from quickbooks import jdump as dumps  # noqa: E402  (JSON with Decimals as numbers, as a C client sends)


class Base(unittest.TestCase):
    srv_args = ()

    @classmethod
    def setUpClass(cls):
        cls.s = Srv(*cls.srv_args)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        self.s.ctl("/_test/reset")
        self.s.ctl("/_test/rate", {"perSecond": 0, "perMinute": 0, "concurrent": 0})
        self.s.token = None

    def customer(self, name="Amazon.com Services LLC"):
        st, _, b = self.s.call("POST", "customer", {"DisplayName": name})
        self.assertEqual(st, 200, b)
        return b["Customer"]["Id"]

    def post(self, rel, body, q=None, timeout=10):
        """POSTs a body with its Decimals as JSON numbers."""
        h = {"Authorization": "Bearer " + (self.s.token or self.s.login()), "Accept": "application/json",
             "Content-Type": "application/json"}
        qq = {"minorversion": "75"}
        qq.update(q or {})
        return self.s.raw("POST", V3 + rel + "?" + urllib.parse.urlencode(qq), dumps(body), h, timeout)

    def invoice_body(self, cid, doc="ACME-INV-240319-001", lines=None, tax=None):
        b = {"CustomerRef": {"value": cid}, "DocNumber": doc, "TxnDate": "2024-03-19",
             "PrivateNote": "Amazon PO 4Z32PABC", "CurrencyRef": {"value": "USD"},
             "Line": lines or [line("8", 24, "12.50", "300.00"), line("9", 8, "8.75", "70.00")]}
        if tax is not None:
            b["TxnTaxDetail"] = {"TotalTax": Decimal(tax)}
        return b

    def fault_of(self, b):
        return b["Fault"]["Error"][0]["code"], b["Fault"]["type"]


class TestOAuth(Base):
    def test_refresh_answer_shape(self):
        st, h, b = self.s.refresh(REFRESH)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["token_type"], "bearer")
        self.assertEqual(b["expires_in"], 3600)
        self.assertTrue(8726000 <= b["x_refresh_token_expires_in"] <= 8726400)
        self.assertNotEqual(b["refresh_token"], REFRESH)
        self.assertIn("intuit_tid", h)

    def test_rotation_until_new_used(self):
        st, _, b1 = self.s.refresh(REFRESH)
        t1 = b1["refresh_token"]
        # the old one still works while the new one is unused, and answers the newest
        st, _, b = self.s.refresh(REFRESH)
        self.assertEqual((st, b["refresh_token"]), (200, t1))
        # the new one is used: the old one is dead from now on
        st, _, b2 = self.s.refresh(t1)
        self.assertEqual(st, 200)
        t2 = b2["refresh_token"]
        self.assertNotIn(t2, (REFRESH, t1))
        st, _, b = self.s.refresh(REFRESH)
        self.assertEqual((st, b), (400, {"error": "invalid_grant"}))
        # t1 is old but t2 is unused: t1 still answers t2
        st, _, b = self.s.refresh(t1)
        self.assertEqual((st, b["refresh_token"]), (200, t2))
        rt = self.s.ctl("/_test/state")["refreshTokens"]
        self.assertEqual(rt["current"], [t2])
        self.assertEqual(rt["old"], [t1])
        self.assertIn(REFRESH, rt["dead"])
        # access tokens of every answer work
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM, token=b["access_token"])[0], 200)

    def test_rotation_invalid_at_once(self):
        self.assertEqual(self.s.ctl("/_test/refresh-policy", {"old-refresh": "invalid-at-once"})["old-refresh"],
                         "invalid-at-once")
        st, _, b1 = self.s.refresh(REFRESH)
        self.assertEqual(st, 200)
        self.assertEqual(self.s.refresh(REFRESH)[2], {"error": "invalid_grant"})
        self.assertEqual(self.s.refresh(b1["refresh_token"])[0], 200)

    def test_no_rotation(self):
        self.s.ctl("/_test/refresh-policy", {"rotate": False})
        self.assertEqual(self.s.refresh(REFRESH)[2]["refresh_token"], REFRESH)

    def test_bad_requests(self):
        self.assertEqual(self.s.token_call({"grant_type": "refresh_token", "refresh_token": REFRESH},
                                           secret="nope")[:3:2], (401, {"error": "invalid_client"}))
        self.assertEqual(self.s.refresh("AB11unknown")[:3:2], (400, {"error": "invalid_grant"}))
        self.assertEqual(self.s.token_call({"grant_type": "password"})[2]["error"], "unsupported_grant_type")
        log = self.s.ctl("/_test/requests")["requests"]
        self.assertTrue(all("selftest" not in json.dumps(e) and "s3cret" not in json.dumps(e) for e in log),
                        "secrets are redacted in the request log")

    def test_authorization_code(self):
        c = self.s.ctl("/_test/oauth-code", {"redirectUri": "https://wharf.example/cb"})
        self.assertEqual(c["realmId"], REALM)
        form = {"grant_type": "authorization_code", "code": c["code"], "redirect_uri": "https://wharf.example/cb"}
        st, _, b = self.s.token_call(form)
        self.assertEqual(st, 200, b)
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM, token=b["access_token"])[0], 200)
        self.assertEqual(self.s.token_call(form)[2], {"error": "invalid_grant"})  # one use
        c = self.s.ctl("/_test/oauth-code", {"redirectUri": "https://wharf.example/cb"})
        form.update(code=c["code"], redirect_uri="https://other.example/cb")
        self.assertEqual(self.s.token_call(form)[2], {"error": "invalid_grant"})
        # the refresh token of a code rotates like any other
        self.assertEqual(self.s.refresh(b["refresh_token"])[0], 200)

    def test_lost_refresh_answer(self):
        # the rotation happens but its answer is lost: the old token still gets the new one
        self.s.ctl("/_test/fault", {"path": "/oauth2/", "kind": "lost"})
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.s.refresh(REFRESH)
        new = self.s.ctl("/_test/state")["refreshTokens"]["current"]
        st, _, b = self.s.refresh(REFRESH)
        self.assertEqual((st, [b["refresh_token"]]), (200, new))


class TestAuth(Base):
    def test_expired_401_shape(self):
        self.s.login()
        self.s.ctl("/_test/expire-tokens")
        st, h, b = self.s.call("GET", "companyinfo/" + REALM)
        self.assertEqual(st, 401)
        err = b["fault"]["error"][0]
        self.assertEqual(b["fault"]["type"], "AUTHENTICATION")
        self.assertEqual(err["code"], "3200")
        self.assertIn("errorCode=003200", err["message"])
        self.assertTrue(err["detail"].startswith("Token expired"))
        self.assertIn("intuit_tid", h)

    def test_clock_expiry(self):
        self.s.login()
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 200)
        self.s.ctl("/_test/clock", {"advanceSeconds": 3601})
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 401)

    def test_unknown_token_and_other_realm(self):
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM, token="eyJnope")[0], 401)
        st, _, b = self.s.call("GET", "companyinfo/123", realm="123")
        self.assertEqual((st, b["Fault"]["type"]), (403, "AuthorizationFault"))

    def test_accept_json_required(self):
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM, headers={"Accept": "*/*"})[0], 406)

    def test_companyinfo(self):
        st, h, b = self.s.call("GET", "companyinfo/" + REALM)
        self.assertEqual(st, 200)
        self.assertIn("CompanyName", b["CompanyInfo"])
        self.assertEqual(b["CompanyInfo"]["Country"], "US")
        self.assertTrue(h["intuit_tid"])


class TestInvoices(Base):
    def test_create_and_replay(self):
        cid = self.customer()
        body = self.invoice_body(cid, tax="29.60")
        st, _, b = self.post("invoice", body, {"requestid": "wharf-inv-1"})
        self.assertEqual(st, 200, b)
        inv = b["Invoice"]
        self.assertEqual((inv["SyncToken"], inv["TotalAmt"], inv["Balance"]), ("0", Decimal("399.60"), Decimal("399.60")))
        self.assertEqual([ln.get("Id") for ln in inv["Line"]], ["1", "2", None])
        self.assertEqual(inv["Line"][-1]["DetailType"], "SubTotalLineDetail")
        self.assertEqual(inv["Line"][-1]["Amount"], Decimal("370.00"))
        self.assertEqual(inv["Line"][0]["SalesItemLineDetail"]["ItemRef"]["name"], "ACME-1001")
        self.assertIn("CreateTime", inv["MetaData"])
        # the same requestid: the original answer, nothing created (even with another body)
        body2 = self.invoice_body(cid, doc="OTHER-1")
        st, _, b2 = self.post("invoice", body2, {"requestid": "wharf-inv-1"})
        self.assertEqual((st, b2), (200, b))
        self.assertEqual(len(self.s.ctl("/_test/state")["invoices"]), 1)
        log = self.s.ctl("/_test/requests")["requests"]
        self.assertEqual([e["outcome"] for e in log if e["path"].endswith("/invoice")], ["created", "replayed"])
        # read back
        st, _, g = self.s.call("GET", "invoice/" + inv["Id"])
        self.assertEqual(g["Invoice"]["DocNumber"], "ACME-INV-240319-001")
        self.assertEqual(self.s.call("GET", "invoice/99999")[2]["Fault"]["Error"][0]["code"], "610")
        self.assertEqual(self.post("invoice", body, {"requestid": "x" * 51})[0], 400)

    def test_duplicate_docnumber(self):
        cid = self.customer()
        self.assertEqual(self.post("invoice", self.invoice_body(cid))[0], 200)
        self.assertEqual(self.post("invoice", self.invoice_body(cid))[0], 200)  # check off: allowed
        self.assertEqual(self.s.ctl("/_test/duplicate-check", {"on": True}), {"on": True})
        st, _, b = self.post("invoice", self.invoice_body(cid))
        self.assertEqual((st, self.fault_of(b)), (400, ("6140", "ValidationFault")))
        self.assertEqual(b["Fault"]["Error"][0]["Message"], "Duplicate Document Number Error")
        self.assertEqual(self.post("invoice", self.invoice_body(cid), {"include": "allowduplicatedocnum"})[0], 200)
        self.assertEqual(self.post("invoice", self.invoice_body(cid, doc="NEW-1"))[0], 200)

    def test_amount_must_be_qty_times_price(self):
        cid = self.customer()
        st, _, b = self.post("invoice", self.invoice_body(cid, lines=[line("8", 24, "12.50", "300.01")]))
        self.assertEqual((st, self.fault_of(b)), (400, ("6070", "ValidationFault")))
        self.assertIn("Amount is not equal to UnitPrice * Qty", b["Fault"]["Error"][0]["Message"])
        # decimal, not float: 1.5 x 0.35 = 0.525 rounds half up to 0.53 (a float gives 0.52)
        self.assertEqual(self.post("invoice", self.invoice_body(cid, lines=[line("8", "1.5", "0.35", "0.53")]))[0], 200)
        self.assertEqual(self.post("invoice", self.invoice_body(cid, doc="B", lines=[line("8", "1.5", "0.35", "0.52")]))[0], 400)
        st, _, b = self.post("invoice", self.invoice_body(cid, doc="C", lines=[line("8", 3, "0.10", "0.30")]))
        self.assertEqual((st, b["Invoice"]["TotalAmt"]), (200, Decimal("0.30")))

    def test_references(self):
        st, _, b = self.post("invoice", self.invoice_body("4242"))
        self.assertEqual((st, self.fault_of(b)), (400, ("2500", "ValidationFault")))
        cid = self.customer()
        st, _, b = self.post("invoice", self.invoice_body(cid, lines=[line("77", 1, "1.00")]))
        self.assertEqual((st, b["Fault"]["Error"][0]["code"]), (400, "2500"))
        st, _, b = self.post("invoice", {"CustomerRef": {"value": cid}, "Line": []})
        self.assertEqual(b["Fault"]["Error"][0]["code"], "2020")

    def test_other_lines_and_estimate(self):
        cid = self.customer()
        lines = [line("8", 1, "24.99"), line("9", 2, "9.99"),
                 {"DetailType": "SalesItemLineDetail", "Amount": Decimal("6.50"), "Description": "Freight",
                  "SalesItemLineDetail": {"ItemRef": {"value": "SHIPPING_ITEM_ID"}}},
                 {"DetailType": "DescriptionOnly", "Description": "Amazon PO TVd4wGZnR"},
                 {"DetailType": "SubTotalLineDetail", "Amount": Decimal("1"), "SubTotalLineDetail": {}}]
        st, _, b = self.post("invoice", self.invoice_body(cid, doc="ACME-DF-240317-001", lines=lines))
        self.assertEqual(st, 200, b)
        self.assertEqual(b["Invoice"]["TotalAmt"], Decimal("51.47"))
        st, _, b = self.post("estimate", self.invoice_body(cid, doc="EST-1"))
        self.assertEqual((st, b["Estimate"]["TotalAmt"], b["Estimate"]["TxnStatus"]), (200, Decimal("370.00"), "Pending"))

    def test_sparse_update_and_stale(self):
        cid = self.customer()
        inv = self.post("invoice", self.invoice_body(cid))[2]["Invoice"]
        st, _, b = self.s.call("POST", "invoice", {"Id": inv["Id"], "SyncToken": "0", "sparse": True,
                                                   "PrivateNote": "changed"})
        self.assertEqual(st, 200, b)
        self.assertEqual((b["Invoice"]["SyncToken"], b["Invoice"]["PrivateNote"]), ("1", "changed"))
        self.assertEqual(b["Invoice"]["TotalAmt"], Decimal("370.00"))
        self.assertEqual(b["Invoice"]["MetaData"]["CreateTime"], inv["MetaData"]["CreateTime"])
        st, _, b = self.s.call("POST", "invoice", {"Id": inv["Id"], "SyncToken": "0", "sparse": True,
                                                   "PrivateNote": "again"})
        self.assertEqual((st, self.fault_of(b)), (400, ("5010", "ValidationFault")))
        self.assertEqual(b["Fault"]["Error"][0]["Message"], "Stale Object Error")

    def test_payment(self):
        cid = self.customer()
        inv = self.post("invoice", self.invoice_body(cid))[2]["Invoice"]
        pay = {"CustomerRef": {"value": cid}, "TotalAmt": Decimal("300.00"),
               "Line": [{"Amount": Decimal("300.00"), "LinkedTxn": [{"TxnId": inv["Id"], "TxnType": "Invoice"}]}]}
        st, _, b = self.post("payment", pay)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["Payment"]["UnappliedAmt"], Decimal("0.00"))
        g = self.s.call("GET", "invoice/" + inv["Id"])[2]["Invoice"]
        self.assertEqual((g["Balance"], g["SyncToken"]), (Decimal("70.00"), "1"))
        self.assertEqual(g["LinkedTxn"], [{"TxnId": b["Payment"]["Id"], "TxnType": "Payment"}])
        st, _, b = self.post("payment", pay)  # more than the open 70.00
        self.assertEqual((st, b["Fault"]["Error"][0]["code"]), (400, "6000"))
        pay["Line"][0]["LinkedTxn"][0]["TxnId"] = "9999"
        self.assertEqual(self.post("payment", pay)[2]["Fault"]["Error"][0]["code"], "610")

    def test_customer_and_item(self):
        self.customer("Amazon.com Services LLC")
        st, _, b = self.s.call("POST", "customer", {"DisplayName": "amazon.com services llc"})
        self.assertEqual((st, self.fault_of(b)), (400, ("6240", "ValidationFault")))
        st, _, b = self.s.call("POST", "item", {"Name": "ACME-2001", "Sku": "ACME-2001", "UnitPrice": "4.20"})
        self.assertEqual(st, 200, b)
        self.assertEqual(self.s.call("POST", "item", {"Name": "ACME-2001"})[2]["Fault"]["Error"][0]["code"], "6240")
        self.assertEqual(self.s.call("GET", "customer/58")[2]["Customer"]["DisplayName"], "Amazon.com Services LLC")

    def test_seed(self):
        ans = self.s.ctl("/_test/seed", {"customers": [{"Id": "300", "DisplayName": "Amazon.com"}],
                                         "items": [{"Id": "20", "Name": "Gadget", "Sku": "G-1", "UnitPrice": "3.5"}]})
        self.assertEqual(ans, {"customers": ["300"], "items": ["20"], "invoices": [], "estimates": []})
        self.assertEqual(self.customer("Amazon DF"), "301")
        st = self.s.ctl("/_test/state")
        self.assertEqual(sorted(i["Sku"] for i in st["items"] if "Sku" in i), ["ACME-1001", "ACME-1002", "G-1"])
        # an invoice a person typed: built as a create is; seeded again by its Id, it is edited
        body = json.loads(dumps(self.invoice_body("300", doc="TYPED-1", lines=[line("8", 2, "12.50")])))
        ans = self.s.ctl("/_test/seed", {"invoices": [body], "estimates": [dict(body, DocNumber="EST-1")]})
        self.assertEqual((len(ans["invoices"]), len(ans["estimates"])), (1, 1))
        inv = self.s.ctl("/_test/state")["invoices"][0]
        self.assertEqual((inv["DocNumber"], str(inv["TotalAmt"]), inv["SyncToken"]), ("TYPED-1", "25.00", "0"))
        self.s.ctl("/_test/seed", {"invoices": [dict(body, Id=inv["Id"], DocNumber="TYPED-2")]})
        st = self.s.ctl("/_test/state")
        self.assertEqual([(i["Id"], i["DocNumber"], i["SyncToken"]) for i in st["invoices"]],
                         [(inv["Id"], "TYPED-2", "1")])
        self.assertEqual([e["DocNumber"] for e in st["estimates"]], ["EST-1"])


class TestQuery(Base):
    def setUp(self):
        super().setUp()
        self.cid = self.customer("O'Brien Trading")
        self.customer("Amazon.com Services LLC")
        for n in range(1, 6):
            self.assertEqual(self.post("invoice", self.invoice_body(self.cid, doc="INV-%d" % n))[0], 200)

    def test_by_docnumber_and_name(self):
        st, _, b = self.s.query("SELECT * FROM Invoice WHERE DocNumber = 'INV-3'")
        self.assertEqual(st, 200, b)
        self.assertEqual([i["DocNumber"] for i in b["QueryResponse"]["Invoice"]], ["INV-3"])
        self.assertEqual((b["QueryResponse"]["startPosition"], b["QueryResponse"]["maxResults"]), (1, 1))
        st, _, b = self.s.query(r"select * from Customer where DisplayName = 'O\'Brien Trading'")
        self.assertEqual([c["Id"] for c in b["QueryResponse"]["Customer"]], [self.cid])
        st, _, b = self.s.query("SELECT * FROM Item WHERE Sku = 'ACME-1002'")
        self.assertEqual([i["Id"] for i in b["QueryResponse"]["Item"]], ["9"])

    def test_empty(self):
        st, _, b = self.s.query("SELECT * FROM Invoice WHERE DocNumber = 'NOPE'")
        self.assertEqual((st, b["QueryResponse"]), (200, {}))
        self.assertIn("time", b)

    def test_in_like_and_paging(self):
        b = self.s.query("SELECT * FROM Invoice WHERE DocNumber IN ('INV-1', 'INV-4', 'X')")[2]
        self.assertEqual(sorted(i["DocNumber"] for i in b["QueryResponse"]["Invoice"]), ["INV-1", "INV-4"])
        b = self.s.query("SELECT * FROM Customer WHERE DisplayName LIKE '%amazon%'")[2]
        self.assertEqual(len(b["QueryResponse"]["Customer"]), 1)
        b = self.s.query("SELECT * FROM Invoice WHERE CustomerRef = '%s' ORDERBY DocNumber DESC "
                         "STARTPOSITION 2 MAXRESULTS 2" % self.cid)[2]
        self.assertEqual([i["DocNumber"] for i in b["QueryResponse"]["Invoice"]], ["INV-4", "INV-3"])
        self.assertEqual(b["QueryResponse"]["startPosition"], 2)
        b = self.s.query("SELECT COUNT(*) FROM Invoice")[2]
        self.assertEqual(b["QueryResponse"]["totalCount"], 5)

    def test_malformed(self):
        for text in ("SELECT FROM Invoice", "SELECT * FROM Invoice WHERE DocNumber = 'x' OR Id = '1'",
                     "SELECT * FROM Invoice WHERE DocNumber = 'unterminated", "DELETE FROM Invoice",
                     "SELECT * FROM Nothing"):
            st, _, b = self.s.query(text)
            self.assertEqual((st, b["Fault"]["Error"][0]["code"]), (400, "4000"), text)
            self.assertTrue(b["Fault"]["Error"][0]["Detail"].startswith("QueryParserError"), text)
        st, _, b = self.s.query("SELECT * FROM Invoice WHERE Color = 'red'")
        self.assertEqual((st, b["Fault"]["Error"][0]["code"]), (400, "4001"))


class TestLimitsAndFaults(Base):
    def test_throttle(self):
        self.s.login()
        self.s.ctl("/_test/rate", {"perSecond": 3, "perMinute": 500})
        codes = [self.s.call("GET", "companyinfo/" + REALM)[0] for _ in range(4)]
        self.assertEqual(codes, [200, 200, 200, 429])
        st, _, b = self.s.call("GET", "companyinfo/" + REALM)
        self.assertEqual(b["Fault"]["Error"][0], dict(b["Fault"]["Error"][0], Message="ThrottleExceeded", code="003001"))
        self.assertEqual(b["Fault"]["type"], "SERVICE")
        time.sleep(1.05)
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 200)
        self.s.ctl("/_test/rate", {"perSecond": 0, "perMinute": 6, "clear": True})
        self.assertEqual([self.s.call("GET", "companyinfo/" + REALM)[0] for _ in range(7)], [200] * 6 + [429])

    def test_fault200(self):
        cid = self.customer()
        self.s.ctl("/_test/fault", {"method": "POST", "path": "/invoice$", "kind": "fault200", "code": "6000",
                                    "message": "A business validation error has occurred while processing your request"})
        st, _, b = self.post("invoice", self.invoice_body(cid))
        self.assertEqual((st, b["Fault"]["Error"][0]["code"]), (200, "6000"))
        self.assertEqual(self.s.ctl("/_test/state")["invoices"], [])

    def test_lost_applies_and_cuts(self):
        cid = self.customer()
        self.s.ctl("/_test/fault", {"method": "POST", "path": "/invoice$", "query": "requestid=", "kind": "lost"})
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.post("invoice", self.invoice_body(cid), {"requestid": "rid-lost"})
        st = self.s.ctl("/_test/state")
        self.assertEqual(len(st["invoices"]), 1)
        # the retry with the same requestid gets the original, and nothing new is made
        s2, _, b = self.post("invoice", self.invoice_body(cid), {"requestid": "rid-lost"})
        self.assertEqual((s2, b["Invoice"]["Id"]), (200, st["invoices"][0]["Id"]))
        self.assertEqual(len(self.s.ctl("/_test/state")["invoices"]), 1)

    def test_cut_does_not_apply(self):
        cid = self.customer()
        self.s.ctl("/_test/fault", {"method": "POST", "path": "/invoice$", "kind": "cut"})
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.post("invoice", self.invoice_body(cid), {"requestid": "rid-cut"})
        self.assertEqual(self.s.ctl("/_test/state")["invoices"], [])
        s2, _, b = self.post("invoice", self.invoice_body(cid), {"requestid": "rid-cut"})
        self.assertEqual(s2, 200)
        self.assertEqual(len(self.s.ctl("/_test/state")["invoices"]), 1)

    def test_applied_timeout_and_cut(self):
        # the request takes effect; its answer never arrives (after a stall, or at once)
        cid = self.customer()
        self.s.ctl("/_test/fault", [{"method": "POST", "path": "/invoice$", "kind": "timeout", "seconds": 1,
                                     "applied": True},
                                    {"method": "POST", "path": "/invoice$", "kind": "cut", "applied": True}])
        t = time.monotonic()
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.post("invoice", self.invoice_body(cid), {"requestid": "rid-t"}, timeout=5)
        self.assertGreaterEqual(time.monotonic() - t, 0.9)
        with self.assertRaises((http.client.HTTPException, OSError)):
            self.post("invoice", self.invoice_body(cid, doc="D-2"), {"requestid": "rid-c"})
        self.assertEqual(sorted(i["DocNumber"] for i in self.s.ctl("/_test/state")["invoices"]),
                         ["ACME-INV-240319-001", "D-2"])
        log = [e for e in self.s.ctl("/_test/requests")["requests"] if e["path"].endswith("/invoice")]
        self.assertEqual([(e["status"], e["outcome"]) for e in log], [("timeout", "created"), ("cut", "created")])
        # the replays answer the first answers
        self.assertEqual(self.post("invoice", self.invoice_body(cid), {"requestid": "rid-t"})[0], 200)
        self.assertEqual(len(self.s.ctl("/_test/state")["invoices"]), 2)

    def test_timeout_then_5xx_after(self):
        cid = self.customer()
        self.s.ctl("/_test/fault", [{"path": "/invoice$", "kind": "timeout", "seconds": 1.5},
                                    {"path": "/companyinfo/", "kind": "503", "after": 1, "times": 2}])
        with self.assertRaises((socket.timeout, OSError, http.client.HTTPException)):
            self.post("invoice", self.invoice_body(cid), timeout=0.5)
        self.assertEqual(self.s.ctl("/_test/state")["invoices"], [])
        codes = [self.s.call("GET", "companyinfo/" + REALM)[0] for _ in range(4)]
        self.assertEqual(codes, [200, 503, 503, 200])
        b = self.s.call("GET", "companyinfo/" + REALM)[2]
        self.assertIn("CompanyInfo", b)

    def test_401_fault_expires_the_token(self):
        self.s.login()
        self.s.ctl("/_test/fault", {"method": "GET", "kind": "401"})
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 401)
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 401)  # the token stays expired
        self.s.token = None
        self.assertEqual(self.s.call("GET", "companyinfo/" + REALM)[0], 200)

    def test_bad_fault(self):
        st, _, b = self.s.raw("POST", "/_test/fault", json.dumps({"kind": "boom"}))
        self.assertEqual(st, 400)


class TestLogAndWebhook(Base):
    def test_minorversion_log(self):
        self.s.login()
        self.s.call("GET", "companyinfo/" + REALM)
        self.s.call("GET", "companyinfo/" + REALM, q={"minorversion": None})
        self.s.call("GET", "companyinfo/" + REALM, q={"minorversion": "40"})
        log = [e for e in self.s.ctl("/_test/requests")["requests"] if e["path"].startswith("/v3/")]
        self.assertEqual([e["minorversion"] for e in log], [75, None, 40])
        self.assertEqual([e["effectiveMinorVersion"] for e in log], [75, 75, 75])
        self.assertEqual([e["status"] for e in log], [200, 200, 200])  # never refused
        self.assertEqual(log[0]["headers"]["Authorization"], "Bearer <redacted>")
        self.assertEqual(self.s.ctl("/_test/state")["minorVersions"], {"75": 1, "none": 1, "40": 1})
        last = self.s.ctl("/_test/requests")["last"]
        self.assertEqual(self.s.ctl("/_test/requests", q={"since": last})["requests"], [])
        self.assertEqual(self.s.ctl("/_test/requests", q={"method": "post", "path": "/oauth2/"})["count"], 1)

    def test_webhook_signature(self):
        got, event = [], threading.Event()

        class Hook(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                got.append((self.headers.get("intuit-signature"), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                event.set()

            def log_message(self, *a):
                pass

        hs = http.server.HTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hs.serve_forever, daemon=True).start()
        try:
            self.s.ctl("/_test/webhook", {"url": "http://127.0.0.1:%d/qbo" % hs.server_address[1],
                                          "verifier": "verifier-123"})
            cid = self.customer()
            self.assertTrue(event.wait(5), "no webhook delivery")
            sig, body = got[0]
            want = base64.b64encode(hmac.new(b"verifier-123", body, hashlib.sha256).digest()).decode()
            self.assertEqual(sig, want)
            ev = json.loads(body)["eventNotifications"][0]
            self.assertEqual(ev["realmId"], REALM)
            ent = ev["dataChangeEvent"]["entities"][0]
            self.assertEqual((ent["name"], ent["id"], ent["operation"]), ("Customer", cid, "Create"))
            self.assertIn("lastUpdated", ent)
            w = self.s.ctl("/_test/webhooks", q={"wait": 5})
            self.assertEqual((w["pending"], w["deliveries"][0]["status"]), (0, 200))
        finally:
            hs.shutdown()
            hs.server_close()
        # a dead target is recorded, never fatal
        self.s.ctl("/_test/webhook", {"url": "http://127.0.0.1:1/none", "verifier": "v"})
        self.customer("Another")
        d = self.s.ctl("/_test/webhooks", q={"wait": 5})["deliveries"]
        self.assertEqual(len(d), 2)
        self.assertIn("error", d[-1])


class TestStateFile(unittest.TestCase):
    def test_restart_keeps_data_and_tokens(self):
        d = tempfile.mkdtemp(prefix="qbo-state-")
        s = Srv("--state", os.path.join(d, "qbo.json"))
        try:
            st, _, b = s.call("POST", "customer", {"DisplayName": "Amazon.com"})
            self.assertEqual(st, 200)
            newest = s.ctl("/_test/state")["refreshTokens"]["current"][0]
            self.assertNotEqual(newest, REFRESH)
            s.stop()
            s.start()
            self.assertEqual(s.refresh(newest)[0], 200)
            self.assertEqual(s.call("GET", "customer/" + b["Customer"]["Id"])[0], 200)
            self.assertEqual(s.call("POST", "customer", {"DisplayName": "Amazon.com"})[0], 400)
        finally:
            s.close()
            shutil.rmtree(d, ignore_errors=True)


class TestTLS(unittest.TestCase):
    def test_https(self):
        if not shutil.which("openssl"):
            self.skipTest("openssl is not installed")
        d = tempfile.mkdtemp(prefix="qbo-tls-")
        try:
            s = Srv(tls=make_cert(d))
            try:
                st, h, b = s.call("GET", "companyinfo/" + REALM)
                self.assertEqual(st, 200, b)
                self.assertIn("intuit_tid", h)
            finally:
                s.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    tap_main("qbo stand-in")
