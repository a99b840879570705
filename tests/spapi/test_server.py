#!/usr/bin/env python3
"""Self-test of the local SP-API stand-in (tests/spapi/server.py; NOT Amazon).

Starts the server on free ports (plain HTTP, HTTPS with a throwaway openssl
certificate, and --sandbox) and checks what wharf relies on: LWA exchange,
auth and RDT rules, RP paging and the 7-day window, write validation against
the models, transaction status, faults, rate limits and finances reads.

  python3 tests/spapi/test_server.py          unittest output
  python3 tests/spapi/test_server.py --tap    TAP lines (tests/integration)
Standard library only.
"""

import datetime as dt
import http.client
import json
import os
import shutil
import socket
import sys
import tempfile
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "server.py")
FIX = os.path.join(HERE, "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from standin import Proc, make_cert, tap_main  # noqa: E402  (tests/lib/standin.py)
import server as S  # noqa: E402  (for the models' sandbox examples)

MODELS = os.environ.get("SPAPI_MODELS") or S.default_models()
CID, SECRET, REFRESH = "amzn1.application-oa2-client.selftest", "s3cret", "Atzr|selftest-refresh"
UA = "wharf-selftest/1.0 (Language=Python; Platform=Linux)"

RP_ACK = "/vendor/orders/v1/acknowledgements"
RP_POS = "/vendor/orders/v1/purchaseOrders"
RP_STATUS = "/vendor/orders/v1/purchaseOrdersStatus"
RP_SHIP = "/vendor/shipping/v1/shipmentConfirmations"
RP_INV = "/vendor/payments/v1/invoices"
RP_TX = "/vendor/transactions/v1/transactions/"
DF_POS = "/vendor/directFulfillment/orders/2021-12-28/purchaseOrders"
DF_ACK = "/vendor/directFulfillment/orders/2021-12-28/acknowledgements"
DF_SHIP = "/vendor/directFulfillment/shipping/2021-12-28/shipmentConfirmations"
DF_INV = "/vendor/directFulfillment/payments/v1/invoices"
DF_TX = "/vendor/directFulfillment/transactions/2021-12-28/transactions/"
FIN = "/finances/invoices/2026-06-25/invoices"


def load(name):
    with open(os.path.join(FIX, name), encoding="utf-8") as fh:
        return json.load(fh)


_OPS = None


def example(qname, code=202):
    """The first static sandbox example body of an operation in the models."""
    global _OPS
    if _OPS is None:
        _OPS = {o.qname: o for o in S.load_models(MODELS)}
    for c, e in _OPS[qname].sandbox():
        b = e["request"]["parameters"].get("body", {})
        if c == code and "value" in b:
            return json.loads(json.dumps(b["value"]))
    raise KeyError(qname)


class Srv(Proc):
    def __init__(self, *args, tls=None):
        self.token = None
        super().__init__(SERVER, ["--models", MODELS, "--client-id", CID, "--client-secret", SECRET,
                                  "--refresh-token", REFRESH] + list(args), tls, "spapi-test-")

    def lwa(self, cid=CID, secret=SECRET, refresh=REFRESH, grant="refresh_token"):
        form = urllib.parse.urlencode({"grant_type": grant, "refresh_token": refresh,
                                       "client_id": cid, "client_secret": secret})
        return self.raw("POST", "/auth/o2/token", form, {"Content-Type": "application/x-www-form-urlencoded"})

    def login(self):
        st, _, b = self.lwa()
        assert st == 200, b
        self.token = b["access_token"]
        return self.token

    def call(self, method, path, body=None, token=None, q=None, headers=None, timeout=10):
        h = {"x-amz-access-token": token or self.token or self.login(), "User-Agent": UA,
             "x-amz-date": time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())}
        if body is not None:
            h["Content-Type"] = "application/json"
            body = json.dumps(body)
        h.update(headers or {})
        if q:
            path += "?" + urllib.parse.urlencode(q)
        return self.raw(method, path, body, h, timeout)

    def ctl(self, path, body=None, q=None):
        if q:
            path += "?" + urllib.parse.urlencode(q)
        if body is None and path.startswith("/_test/state"):
            return self.raw("GET", path)[2]
        st, _, b = self.raw("POST", path, json.dumps(body if body is not None else {}),
                            {"Content-Type": "application/json"})
        assert st == 200, (st, b)
        return b

    def rdt(self, resources):
        st, _, b = self.call("POST", "/tokens/2021-03-01/restrictedDataToken",
                             {"restrictedResources": resources})
        assert st == 200, b
        return b["restrictedDataToken"]


def ago(**kw):
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(**kw)).strftime("%Y-%m-%dT%H:%M:%SZ")


class Base(unittest.TestCase):
    srv_args = ("--rate", "*=1000/1000", "--page-size", "2")

    @classmethod
    def setUpClass(cls):
        cls.s = Srv(*cls.srv_args)

    @classmethod
    def tearDownClass(cls):
        cls.s.close()

    def setUp(self):
        self.s.ctl("/_test/reset")
        self.s.token = None

    def tx_status(self, base, tid):
        st, _, b = self.s.call("GET", base + tid)
        self.assertEqual(st, 200, b)
        return (b.get("payload") or b)["transactionStatus"]


class TestAuth(Base):
    def test_lwa_exchange(self):
        st, _, b = self.s.lwa()
        self.assertEqual(st, 200, b)
        self.assertTrue(b["access_token"].startswith("Atza|"))
        self.assertEqual(b["token_type"], "bearer")
        self.assertEqual(b["expires_in"], 3600)
        self.assertEqual(b["refresh_token"], REFRESH)

    def test_lwa_bad_credentials(self):
        self.assertEqual(self.s.lwa(secret="nope")[2]["error"], "invalid_client")
        self.assertEqual(self.s.lwa(cid="other")[0], 400)
        st, _, b = self.s.lwa(refresh="Atzr|revoked")
        self.assertEqual((st, b["error"]), (400, "invalid_grant"))
        self.assertEqual(self.s.lwa(grant="client_credentials")[2]["error"], "unsupported_grant_type")

    def test_token_required(self):
        st, h, b = self.s.raw("GET", RP_POS, headers={"User-Agent": UA})
        self.assertEqual(st, 403)
        self.assertEqual(b["errors"][0]["code"], "Unauthorized")
        self.assertIn("x-amzn-requestid", h)
        st, _, b = self.s.call("GET", RP_POS, token="Atza|forged")
        self.assertEqual((st, b["errors"][0]["code"]), (403, "Unauthorized"))

    def test_user_agent_required(self):
        st, _, b = self.s.raw("GET", RP_POS, headers={"x-amz-access-token": self.s.login()})
        self.assertEqual(st, 400)

    def test_expired_token_401(self):
        self.s.login()
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)
        self.s.ctl("/_test/clock", {"advanceSeconds": 3601})
        st, _, b = self.s.call("GET", RP_POS)
        self.assertEqual(st, 401)
        self.assertIn("expired", b["errors"][0]["message"])
        self.s.login()
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)

    def test_rdt_required_for_df_orders(self):
        self.s.ctl("/_test/orders/df", load("df-orders.json"), {"rebase": "1"})
        self.s.ctl("/_test/orders/df", {"shipFromPartyId": "ACMX", "orders": load("df-orders.json")[2:]}, {"rebase": "1"})
        q = {"createdAfter": ago(days=2), "createdBefore": ago(seconds=0)}
        st, _, b = self.s.call("GET", DF_POS, q=q)
        self.assertEqual((st, b["errors"][0]["code"]), (403, "Unauthorized"))
        rdt = self.s.rdt([{"method": "GET", "path": DF_POS},
                          {"method": "GET", "path": DF_POS + "/{purchaseOrderNumber}"}])
        self.assertTrue(rdt.startswith("Atz.sprdt|"))
        st, _, b = self.s.call("GET", DF_POS, token=rdt, q=q)
        self.assertEqual(st, 200, b)
        self.assertEqual(len(b["orders"]), 2)        # page size 2
        self.assertIn("nextToken", b["pagination"])  # DF 2021-12-28: top level, no payload
        st, _, b = self.s.call("GET", DF_POS + "/TVd4wGZnR", token=rdt)
        self.assertEqual(st, 200, b)
        self.assertEqual(b["orderDetails"]["shipToParty"]["city"], "Seattle")
        st, _, b = self.s.call("GET", DF_POS, token=rdt, q=dict(q, shipFromPartyId="ACMX"))
        self.assertEqual([o["purchaseOrderNumber"] for o in b["orders"]], ["QP7X2WZTR"])
        # an RDT is good for its resources only
        self.assertEqual(self.s.call("GET", RP_POS, token=rdt)[0], 403)
        narrow = self.s.rdt([{"method": "GET", "path": DF_POS + "/TVd4wGZnR"}])
        self.assertEqual(self.s.call("GET", DF_POS + "/QP7X2WZTR", token=narrow)[0], 403)
        self.assertEqual(self.s.call("GET", DF_POS + "/TVd4wGZnR", token=narrow)[0], 200)


class TestRetailOrders(Base):
    def test_paging_and_window(self):
        added = self.s.ctl("/_test/orders/rp", load("rp-orders.json"), {"rebase": "1"})["added"]
        self.assertEqual(len(added), 5)
        q = {"createdAfter": ago(days=7), "createdBefore": ago(seconds=0)}
        seen, token, pages = [], None, 0
        while True:
            qq = dict(q, nextToken=token) if token else q
            st, h, b = self.s.call("GET", RP_POS, q=qq)
            self.assertEqual(st, 200, b)
            self.assertIn("x-amzn-ratelimit-limit", h)
            seen += [o["purchaseOrderNumber"] for o in b["payload"]["orders"]]
            pages += 1
            token = b["payload"].get("pagination", {}).get("nextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual(sorted(seen), sorted(added))
        self.assertEqual(seen[0], "4Z32PABC")   # ascending by creation date
        # the 7-day window rule
        st, _, b = self.s.call("GET", RP_POS, q={"createdAfter": ago(days=8), "createdBefore": ago(seconds=0)})
        self.assertEqual((st, b["errors"][0]["code"]), (400, "InvalidInput"))
        # a nextToken belongs to its query
        st, _, b = self.s.call("GET", RP_POS, q=dict(q, nextToken=token or "bm90LWEtdG9rZW4=", purchaseOrderState="New"))
        self.assertEqual(st, 400)
        # filters
        st, _, b = self.s.call("GET", RP_POS, q={"changedAfter": ago(days=6), "changedBefore": ago(seconds=0),
                                                  "poItemState": "Cancelled"})
        self.assertEqual([o["purchaseOrderNumber"] for o in b["payload"]["orders"]], ["6AHX7QFM"])
        st, _, b = self.s.call("GET", RP_POS, q=dict(q, orderingVendorCode="ACME2", includeDetails="false"))
        self.assertEqual(b["payload"]["orders"], [{"purchaseOrderNumber": "3TRD2IAB", "purchaseOrderState": "New"}])
        st, _, b = self.s.call("GET", RP_POS, q=dict(q, sortOrder="desc"))
        self.assertEqual(st, 400)   # enums are case-sensitive
        st, _, b = self.s.call("GET", RP_POS + "/4Z32PABC")
        self.assertEqual(b["payload"]["orderDetails"]["items"][0]["vendorProductIdentifier"], "ACME-1001")
        self.assertEqual(self.s.call("GET", RP_POS + "/NOPE1234")[0], 404)

    def test_ack_shows_in_status(self):
        self.s.ctl("/_test/orders/rp", load("rp-orders.json"), {"rebase": "1"})
        st, _, b = self.s.call("GET", RP_STATUS, q={"purchaseOrderNumber": "4Z32PABC"})
        items = b["payload"]["ordersStatus"][0]["itemStatus"]
        self.assertEqual({i["acknowledgementStatus"]["confirmationStatus"] for i in items}, {"UNCONFIRMED"})

        def item(seq, asin, sku, n, acks):
            return {"itemSequenceNumber": seq, "amazonProductIdentifier": asin, "vendorProductIdentifier": sku,
                    "orderedQuantity": {"amount": n, "unitOfMeasure": "Eaches", "unitSize": 1},
                    "netCost": {"amount": "12.50", "currencyCode": "USD"},
                    "itemAcknowledgements": [{"acknowledgementCode": c, "acknowledgedQuantity":
                                              {"amount": a, "unitOfMeasure": "Eaches", "unitSize": 1},
                                              **({"rejectionReason": "TemporarilyUnavailable"} if c == "Rejected" else {})}
                                             for c, a in acks]}
        ack = {"acknowledgements": [{"purchaseOrderNumber": "4Z32PABC", "sellingParty": {"partyId": "ACME1"},
                                     "acknowledgementDate": ago(seconds=5), "items": [
                                         item("1", "B07DFVDRAB", "ACME-1001", 24, [("Accepted", 24)]),
                                         item("2", "B07DFYF5AB", "ACME-1002", 12, [("Accepted", 6), ("Rejected", 6)]),
                                         item("3", "B01LNRIIAB", "ACME-2001", 6, [("Rejected", 6)])]}]}
        st, _, b = self.s.call("POST", RP_ACK, ack)
        self.assertEqual(st, 202, b)
        st, _, b = self.s.call("GET", RP_STATUS, q={"purchaseOrderNumber": "4Z32PABC"})
        got = [i["acknowledgementStatus"]["confirmationStatus"] for i in b["payload"]["ordersStatus"][0]["itemStatus"]]
        self.assertEqual(got, ["ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED"])
        st, _, b = self.s.call("GET", RP_STATUS, q={"createdAfter": ago(days=6), "itemConfirmationStatus": "UNCONFIRMED"})
        self.assertNotIn("4Z32PABC", [o["purchaseOrderNumber"] for o in b["payload"]["ordersStatus"]])
        st, _, b = self.s.call("GET", RP_POS + "/4Z32PABC")
        self.assertEqual(b["payload"]["purchaseOrderState"], "Acknowledged")

    def test_injected_order_must_fit_model(self):
        bad = load("rp-orders.json")[:1]
        del bad[0]["orderDetails"]["items"][0]["isBackOrderAllowed"]
        st, _, b = self.s.raw("POST", "/_test/orders/rp", json.dumps(bad), {"Content-Type": "application/json"})
        self.assertEqual(st, 400)
        self.assertIn("isBackOrderAllowed", b["error"])


WRITES = [  # (path, example source, model whose transaction API answers)
    (RP_ACK, "vendorOrders/submitAcknowledgement", RP_TX),
    (RP_SHIP, "vendorShipments/SubmitShipmentConfirmations", RP_TX),
    (RP_INV, "vendorInvoices/submitInvoices", RP_TX),
    (DF_ACK, "vendorDirectFulfillmentOrdersV1/submitAcknowledgement", DF_TX),
    (DF_INV, "vendorDirectFulfillmentPaymentsV1/submitInvoice", DF_TX),
]


class TestWrites(Base):
    def test_examples_accepted_and_recorded(self):
        for path, src, _ in WRITES:
            with self.subTest(path=path):
                st, _, b = self.s.call("POST", path, example(src))
                self.assertEqual(st, 202, b)
                tid = (b.get("payload") or b)["transactionId"]
                self.assertTrue(tid)
                if path.startswith("/vendor/directFulfillment/orders/2021"):
                    self.assertNotIn("payload", b)   # DF 2021-12-28 answers the object itself
                elif path in (RP_ACK, RP_SHIP, RP_INV, DF_INV):
                    self.assertIn("payload", b)
        state = self.s.ctl("/_test/state")
        self.assertEqual(len(state["submissions"]), len(WRITES))
        sub = state["submissions"][0]
        self.assertEqual(sub["operation"], "vendorOrders/submitAcknowledgement")
        self.assertEqual(sub["body"], example("vendorOrders/submitAcknowledgement"))
        self.assertEqual(state["calls"]["vendorOrders/submitAcknowledgement"], 1)
        self.assertGreaterEqual(state["tokensIssued"]["access"], 1)

    def test_broken_bodies_rejected_with_path(self):
        ack = example("vendorOrders/submitAcknowledgement")
        del ack["acknowledgements"][0]["sellingParty"]["partyId"]
        st, h, b = self.s.call("POST", RP_ACK, ack)
        self.assertEqual(st, 400)
        self.assertEqual(b["errors"][0]["code"], "InvalidInput")
        self.assertIn("$.acknowledgements[0].sellingParty.partyId", b["errors"][0]["message"])
        self.assertIn("x-amzn-requestid", h)
        inv = example("vendorInvoices/submitInvoices")
        inv["invoices"][0]["invoiceType"] = "invoice"     # enum case matters
        st, _, b = self.s.call("POST", RP_INV, inv)
        self.assertEqual(st, 400)
        self.assertIn("$.invoices[0].invoiceType", b["errors"][0]["message"])
        # DF 2021-12-28 wants Carton where v1 said carton
        ship = example("vendorDirectFulfillmentShippingV1/submitShipmentConfirmations")
        st, _, b = self.s.call("POST", DF_SHIP, ship)
        self.assertEqual(st, 400)
        self.assertIn("containerType", b["errors"][0]["message"])
        for c in ship["shipmentConfirmations"][0]["containers"]:
            c["containerType"] = c["containerType"].capitalize()
        self.assertEqual(self.s.call("POST", DF_SHIP, ship)[0], 202)
        st, _, b = self.s.raw("POST", RP_ACK, "{not json", {"x-amz-access-token": self.s.token, "User-Agent": UA,
                                                            "Content-Type": "application/json"})
        self.assertEqual(st, 400)
        self.assertEqual(self.s.ctl("/_test/state")["submissions"][0]["operation"],
                         "vendorDirectFulfillmentShipping_2021-12-28/submitShipmentConfirmations")

    def test_transaction_processing_then_success(self):
        self.s.ctl("/_test/orders/rp", load("rp-orders.json"), {"rebase": "1"})
        ack = example("vendorOrders/submitAcknowledgement")
        ack["acknowledgements"][0]["purchaseOrderNumber"] = "2JK3S9VC"
        tid = self.s.call("POST", RP_ACK, ack)[2]["payload"]["transactionId"]
        self.assertEqual(self.tx_status(RP_TX, tid)["status"], "Processing")
        self.assertEqual(self.tx_status(RP_TX, tid), {"transactionId": tid, "status": "Success"})
        # the DF transaction API does not know RP transactions
        self.assertEqual(self.s.call("GET", DF_TX + tid)[0], 404)
        # an ack for an unknown PO fails at the transaction
        tid = self.s.call("POST", RP_ACK, example("vendorOrders/submitAcknowledgement"))[2]["payload"]["transactionId"]
        self.tx_status(RP_TX, tid)
        t = self.tx_status(RP_TX, tid)
        self.assertEqual(t["status"], "Failure")
        self.assertEqual(t["errors"][0]["code"], "INVALID_ORDER_ID")

    def test_invoice_transactions_stay_processing(self):
        tid = self.s.call("POST", DF_INV, example("vendorDirectFulfillmentPaymentsV1/submitInvoice"))[2]["payload"]["transactionId"]
        for _ in range(4):
            self.assertEqual(self.tx_status(DF_TX, tid)["status"], "Processing")

    def test_df_ack_and_ship_move_order_status(self):
        self.s.ctl("/_test/orders/df", load("df-orders.json"), {"rebase": "1"})
        ack = example("vendorDirectFulfillmentOrdersV1/submitAcknowledgement")
        ack["orderAcknowledgements"][0]["purchaseOrderNumber"] = "TVd4wGZnR"
        st, _, b = self.s.call("POST", DF_ACK, ack)
        self.assertEqual(st, 202, b)
        tid = b["transactionId"]
        self.tx_status(DF_TX, tid)
        self.assertEqual(self.tx_status(DF_TX, tid)["status"], "Success")
        rdt = self.s.rdt([{"method": "GET", "path": DF_POS}])
        st, _, b = self.s.call("GET", DF_POS, token=rdt, q={"createdAfter": ago(days=3), "createdBefore": ago(seconds=0),
                                                             "status": "ACCEPTED"})
        self.assertEqual([o["purchaseOrderNumber"] for o in b["orders"]], ["TVd4wGZnR"])


class TestFaults(Base):
    def fault(self, **f):
        self.s.ctl("/_test/faults", [f])

    def test_http_faults(self):
        self.fault(operation="getPurchaseOrders", kind="429", count=1, seconds=2)
        st, h, b = self.s.call("GET", RP_POS)
        self.assertEqual((st, h.get("retry-after"), b["errors"][0]["code"]), (429, "2", "QuotaExceeded"))
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)     # count 1: used up
        self.fault(operation="vendorOrders/getPurchaseOrders", kind="500", count=2)
        self.assertEqual([self.s.call("GET", RP_POS)[0] for _ in range(3)], [500, 500, 200])
        self.fault(operation="*", kind="503")
        self.assertEqual(self.s.call("GET", RP_POS)[0], 503)
        self.fault(operation="getPurchaseOrders", kind="401-expired")
        st, _, b = self.s.call("GET", RP_POS)
        self.assertEqual(st, 401)
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)     # the token itself is still good

    def test_timeout_and_cut(self):
        self.fault(operation="getPurchaseOrders", kind="timeout", seconds=2)
        t0 = time.monotonic()
        with self.assertRaises((socket.timeout, TimeoutError)):
            self.s.call("GET", RP_POS, timeout=0.5)
        self.assertLess(time.monotonic() - t0, 2)
        self.fault(operation="getPurchaseOrders", kind="cut")
        with self.assertRaises((http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError)):
            self.s.call("GET", RP_POS)
        time.sleep(1.6)   # the stalled timeout connection has ended by now
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)

    def test_token_endpoints_faults(self):
        self.fault(operation="lwa/token", kind="503")
        self.assertEqual(self.s.lwa()[0], 503)
        self.fault(operation="lwa/token", kind="cut")
        with self.assertRaises((http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError)):
            self.s.lwa()
        self.assertEqual(self.s.lwa()[0], 200)
        self.fault(operation="createRestrictedDataToken", kind="429")
        st, _, b = self.s.call("POST", "/tokens/2021-03-01/restrictedDataToken",
                               {"restrictedResources": [{"method": "GET", "path": DF_POS}]})
        self.assertEqual(st, 429)

    def test_answer_lost_after_the_write_took_effect(self):
        self.fault(operation="submitInvoices", kind="cut", after=True)
        with self.assertRaises((http.client.IncompleteRead, http.client.RemoteDisconnected, ConnectionError)):
            self.s.call("POST", RP_INV, example("vendorInvoices/submitInvoices"))
        subs = self.s.ctl("/_test/state")["submissions"]
        self.assertEqual([x["operation"] for x in subs], ["vendorInvoices/submitInvoices"])

    def test_processing_and_fail(self):
        self.s.ctl("/_test/orders/rp", load("rp-orders.json"), {"rebase": "1"})
        ack = example("vendorOrders/submitAcknowledgement")
        ack["acknowledgements"][0]["purchaseOrderNumber"] = "4Z32PABC"
        self.fault(operation="submitAcknowledgement", kind="processing")
        tid = self.s.call("POST", RP_ACK, ack)[2]["payload"]["transactionId"]
        self.assertEqual([self.tx_status(RP_TX, tid)["status"] for _ in range(4)], ["Processing"] * 4)
        self.fault(operation="submitAcknowledgement", kind="fail", errorCode="INVALID_ORDER_ID")
        tid = self.s.call("POST", RP_ACK, ack)[2]["payload"]["transactionId"]
        self.tx_status(RP_TX, tid)
        t = self.tx_status(RP_TX, tid)
        self.assertEqual(t["status"], "Failure")
        self.assertEqual(t["errors"][0]["code"], "INVALID_ORDER_ID")
        # DF 2021-12-28 shapes transaction errors as an ErrorList object
        self.fault(operation="submitAcknowledgement", kind="fail")
        self.s.ctl("/_test/orders/df", load("df-orders.json"), {"rebase": "1"})
        dack = example("vendorDirectFulfillmentOrdersV1/submitAcknowledgement")
        dack["orderAcknowledgements"][0]["purchaseOrderNumber"] = "TVd4wGZnR"
        tid = self.s.call("POST", DF_ACK, dack)[2]["transactionId"]
        self.tx_status(DF_TX, tid)
        t = self.tx_status(DF_TX, tid)
        self.assertEqual(t["errors"]["errors"][0]["code"], "INVALID_ORDER_ID")


class TestRateLimit(Base):
    # a slow bucket for one operation so that a loaded machine cannot refill it
    # between calls; the others keep the models' usage plans
    srv_args = ("--rate", "vendorOrders/getPurchaseOrder=1/5")

    def test_burst_then_429(self):
        self.s.login()
        codes = [self.s.call("GET", RP_POS + "/NONE0000")[0] for _ in range(12)]
        self.assertEqual(codes[:5], [404] * 5)
        self.assertIn(429, codes)
        st, h, b = self.s.call("GET", RP_POS + "/NONE0000")
        self.assertEqual((h["x-amzn-ratelimit-limit"], b["errors"][0]["code"]), ("1.0", "QuotaExceeded"))
        st, h, b = self.s.call("GET", RP_TX + "nope")      # getTransaction: 10/s, burst 20 in its model
        self.assertEqual((st, h["x-amzn-ratelimit-limit"]), (404, "10.0"))
        time.sleep(1.1)
        self.assertEqual(self.s.call("GET", RP_POS + "/NONE0000")[0], 404)


class TestFinances(Base):
    def test_reads(self):
        self.s.ctl("/_test/finances", load("finances-invoices.json"))
        st, _, b = self.s.call("GET", FIN)
        self.assertEqual(st, 400)    # marketplaceId is required
        seen, q = [], {"marketplaceId": "ATVPDKIKX0DER"}
        while True:
            st, _, b = self.s.call("GET", FIN, q=q)
            self.assertEqual(st, 200, b)
            self.assertEqual(b["numOfRecords"], len(b["invoices"]))
            seen += [(i["invoiceNumber"], i["invoiceStatus"]) for i in b["invoices"]]
            if "nextToken" not in b:
                break
            q = dict(q, nextToken=b["nextToken"])
        self.assertEqual(len(seen), 5)
        self.assertIn(("INV-6AHX7QFM", "REJECTED"), seen)
        st, _, b = self.s.call("GET", FIN, q={"marketplaceId": "ATVPDKIKX0DER", "fromIssueDate": "2026-06-01T00:00:00Z",
                                              "toIssueDate": "2026-12-01T00:00:00Z"})
        self.assertEqual(st, 400)    # more than 90 days
        st, _, b = self.s.call("GET", FIN + "/INV-2JK3S9VC~ACMEPAY", q={"marketplaceId": "ATVPDKIKX0DER"})
        self.assertEqual(st, 200, b)
        self.assertEqual(b["invoiceHeader"]["invoiceStatus"], "PARTIALLY_PAID")
        reasons = [r["varianceType"] for it in b["invoiceItems"]
                   for r in it["lineItemContext"].get("matchingContext", {}).get("varianceReasons", [])]
        self.assertEqual(reasons, ["PPV", "PQV"])
        st, _, b = self.s.call("GET", FIN + "/INV-4Z32PABC~ACMEPAY", q={"marketplaceId": "ATVPDKIKX0DER"})
        self.assertEqual(len(b["invoiceItems"]), 2)
        self.assertIn("nextTokenForLineItems", b)
        st, _, b = self.s.call("GET", FIN + "/INV-4Z32PABC~ACMEPAY", q={"marketplaceId": "ATVPDKIKX0DER",
                                                                        "nextTokenForLineItems": b["nextTokenForLineItems"]})
        self.assertEqual([i["lineItemId"] for i in b["invoiceItems"]], ["LI-003"])
        self.assertEqual(self.s.call("GET", FIN + "/NOPE", q={"marketplaceId": "ATVPDKIKX0DER"})[0], 404)


class TestSandbox(Base):
    srv_args = ("--sandbox",)

    def test_static_examples(self):
        st, _, b = self.s.call("GET", RP_POS, q={"createdBefore": "2019-09-21T00:00:00", "createdAfter": "2019-08-20T14:00:00",
                                                  "includeDetails": "true", "limit": "2", "sortOrder": "DESC"})
        self.assertEqual(st, 200, b)
        self.assertEqual(b["payload"]["orders"][0]["purchaseOrderNumber"], "2JK3S9VC")
        st, _, b = self.s.call("POST", RP_ACK, example("vendorOrders/submitAcknowledgement"))
        self.assertEqual((st, b["payload"]["transactionId"]), (202, "20190827182357-8725bde9-c61c-49f9-86ac-46efd82d4da5"))
        st, _, b = self.s.call("POST", RP_ACK, example("vendorOrders/submitAcknowledgement", 400))
        self.assertEqual(st, 400)
        self.assertIn("sellingParty", b["errors"][0]["message"])
        st, _, b = self.s.call("GET", FIN, q={"marketplaceId": "ATVPDKIKX0DER"})
        self.assertEqual(b["invoices"][0]["invoiceNumber"], "INV-202505001")
        self.assertEqual(self.s.call("GET", RP_POS)[0], 200)   # the default example


class TestFixturesAtStart(Base):
    @classmethod
    def setUpClass(cls):
        cls.state_dir = tempfile.mkdtemp(prefix="spapi-state-")
        cls.srv_args = ("--fixtures", FIX, "--state", cls.state_dir)
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.state_dir, ignore_errors=True)

    def test_loaded_and_reloaded_on_reset(self):
        state = self.s.ctl("/_test/state")
        self.assertEqual(len(state["rpOrders"]), 5)
        self.assertEqual(len(state["dfOrders"]), 3)
        self.assertEqual(len(state["invoices"]), 5)
        st, _, b = self.s.call("GET", RP_POS, q={"limit": "100"})
        self.assertEqual(len(b["payload"]["orders"]), 5)   # rebased into the last 7 days
        self.s.call("POST", RP_INV, example("vendorInvoices/submitInvoices"))
        with open(os.path.join(self.state_dir, "state.json")) as fh:
            self.assertEqual(len(json.load(fh)["submissions"]), 1)


@unittest.skipUnless(shutil.which("openssl"), "the openssl CLI is not installed")
class TestTLS(unittest.TestCase):
    def test_https(self):
        d = tempfile.mkdtemp(prefix="spapi-tls-")
        try:
            s = Srv(tls=make_cert(d))
            try:
                st, _, b = s.lwa()
                self.assertEqual(st, 200)
                s.token = b["access_token"]
                st, h, b = s.call("GET", RP_POS)
                self.assertEqual(st, 200, b)
                # a plain-HTTP client gets nothing useful and does not hang the server
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                c.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                try:
                    c.recv(100)
                except OSError:
                    pass
                c.close()
                self.assertEqual(s.call("GET", RP_POS)[0], 200)
            finally:
                s.close()
        finally:
            shutil.rmtree(d, ignore_errors=True)


if __name__ == "__main__":
    if not os.path.isdir(MODELS):
        print("# skip - spapi stand-in: the SP-API models are not at %s (set SPAPI_MODELS)" % MODELS)
        sys.exit(0)
    tap_main("spapi stand-in")
