"""What wharf's local stand-ins (tests/spapi/server.py, tests/erp/brightpearl.py,
tests/erp/quickbooks.py) and their self-tests share. Standard library only.

For a stand-in:
  serve(handler, args, describe, min_tls=None)
      serves handler on 127.0.0.1:args.port (0: a free one), over TLS when
      args.cert and args.key are given (the handshake in the connection's own
      thread, so a client that stalls in it cannot block accept()); writes
      args.port_file (whole, by rename) and prints "listening PORT" once it
      accepts; describe(port, scheme) is the line for stderr.
  read_body(handler, max_body)
      the request's body, Content-Length or chunked; TooLarge past max_body
      (the stand-in answers it in its service's words)
  hang_up(handler)
      closes the connection without an answer (a cut, a lost answer)

For a self-test:
  Proc          a stand-in started as a process on a free port, its stderr
                checked for tracebacks when it stops; raw() one request
  make_cert(d)  a throwaway self-signed certificate for localhost/127.0.0.1
  tap_main(label)
                unittest.main(), or TAP lines ("ok N - LABEL: test") with
                --tap (tests/integration runs them so)
"""
import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
from http.server import ThreadingHTTPServer


class TooLarge(Exception):
    """A request body over the stand-in's limit."""


def read_body(h, max_body):
    """The body of the request handler h is reading: by Content-Length or
    chunked; TooLarge past max_body (a declared length over it closes the
    connection: the rest is not read)."""
    if h.headers.get("Transfer-Encoding", "").lower() == "chunked":
        data = b""
        while True:
            size = int(h.rfile.readline(100).strip().split(b";")[0], 16)
            if size == 0:
                h.rfile.readline(100)
                return data
            data += h.rfile.read(size)
            h.rfile.readline(100)
            if len(data) > max_body:
                raise TooLarge()
    n = int(h.headers.get("Content-Length") or 0)
    if n > max_body:
        h.close_connection = True
        raise TooLarge()
    return h.rfile.read(n) if n else b""


def hang_up(h):
    """Closes handler h's connection without an answer."""
    h.close_connection = True
    try:
        h.wfile.flush()
        h.connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def serve(handler, args, describe, min_tls=None):
    ctx = None
    if args.cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if min_tls is not None:
            ctx.minimum_version = min_tls
        ctx.load_cert_chain(args.cert, args.key)

    class HTTPD(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 64

        def finish_request(self, request, client_address):
            if ctx is None:
                return super().finish_request(request, client_address)
            request.settimeout(30)
            try:
                tls = ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return
            try:
                super().finish_request(tls, client_address)
            finally:
                try:
                    tls.close()
                except OSError:
                    pass

    httpd = HTTPD(("127.0.0.1", args.port), handler)
    port = httpd.server_address[1]
    sys.stderr.write(describe(port, "https" if args.cert else "http") + "\n")
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as fh:
            fh.write("%d\n" % port)
        os.replace(tmp, args.port_file)
    sys.stdout.write("listening %d\n" % port)
    sys.stdout.flush()
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()


class Proc:
    """A stand-in as a process: server (its script), args (its options after
    --port 0 --port-file; "{tmp}" in one is the process's temp folder), tls
    (cert, key) or None. start() and stop() may
    be called again (a restart keeps the temp folder); close() ends it."""

    loads = staticmethod(lambda data: json.loads(data) if data else None)

    def __init__(self, server, args, tls=None, prefix="standin-"):
        self.server = server
        self.args = list(args)
        self.tls = tls
        self.tmp = tempfile.mkdtemp(prefix=prefix)
        self.start()

    def start(self):
        cmd = [sys.executable, self.server, "--port", "0", "--port-file", os.path.join(self.tmp, "port")] + [
            a.replace("{tmp}", self.tmp) for a in self.args]
        if self.tls:
            cmd += ["--cert", self.tls[0], "--key", self.tls[1]]
        self.err = open(os.path.join(self.tmp, "stderr"), "a+")
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err, text=True)
        line = self.p.stdout.readline()
        if not line.startswith("listening "):
            self.err.seek(0)
            raise RuntimeError("server did not start: %r %s" % (line, self.err.read()))
        self.port = int(line.split()[1])

    def stop(self):
        """Stops the process; raises if it printed a traceback (a stand-in bug)."""
        self.p.terminate()
        try:
            self.p.wait(5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.p.stdout.close()
        self.err.seek(0)
        log = self.err.read()
        self.err.close()
        if "Traceback" in log:
            raise AssertionError("the stand-in printed a traceback:\n" + log[-3000:])

    def close(self):
        try:
            self.stop()
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def conn(self, timeout=10):
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls[0])
            return http.client.HTTPSConnection("localhost", self.port, timeout=timeout, context=ctx)
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def raw(self, method, path, body=None, headers=None, timeout=10):
        """One request: status, headers (names lowercased), the JSON body (None when empty)."""
        c = self.conn(timeout)
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, self.loads(data)
        finally:
            c.close()


def make_cert(d):
    key, crt = os.path.join(d, "key.pem"), os.path.join(d, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                    "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return crt, key


def tap_main(label):
    class TapResult(unittest.TextTestResult):
        n = 0

        def _line(self, ok, test, err=None, extra=""):
            TapResult.n += 1
            print("%s %d - %s: %s%s" % ("ok" if ok else "not ok", TapResult.n, label, test.id().split(".", 1)[-1],
                                        extra))
            if err is not None:
                print("\n".join("#   " + ln for ln in self._exc_info_to_string(err, test).splitlines()[-15:]))
            sys.stdout.flush()

        def addSuccess(self, test):
            super().addSuccess(test)
            self._line(True, test)

        def addFailure(self, test, err):
            super().addFailure(test, err)
            self._line(False, test, err)

        def addError(self, test, err):
            super().addError(test, err)
            self._line(False, test, err)

        def addSkip(self, test, reason):
            super().addSkip(test, reason)
            self._line(True, test, extra=" # SKIP " + reason)

        def addSubTest(self, test, subtest, err):
            super().addSubTest(test, subtest, err)
            if err is not None:
                self._line(False, subtest, err)

    if "--tap" in sys.argv:
        sys.argv.remove("--tap")
        runner = unittest.TextTestRunner(stream=open(os.devnull, "w"), resultclass=TapResult)
        prog = unittest.main(module="__main__", testRunner=runner, exit=False)
        sys.exit(0 if prog.result.wasSuccessful() else 1)
    unittest.main(module="__main__")
