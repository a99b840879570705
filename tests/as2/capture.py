#!/usr/bin/env python3
"""capture.py PORT DIR: an AS2 peer stand-in for tests/integration/as2-openssl.sh.
Each POST is saved as DIR/N.body (the bytes as received) and DIR/N.headers
(one "Name: value" a line), and answered 200 with no body (no receipt:
the test checks the message itself with `openssl cms`)."""
import http.server
import os
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    count = 0

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        Handler.count += 1
        base = os.path.join(sys.argv[2], str(Handler.count))
        with open(base + ".body", "wb") as f:
            f.write(body)
        with open(base + ".headers", "w") as f:
            for k, v in self.headers.items():
                f.write(f"{k}: {v}\n")
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
