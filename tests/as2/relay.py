#!/usr/bin/env python3
"""relay.py PORT TO_PORT FILE: a TCP relay on 127.0.0.1:PORT to
127.0.0.1:TO_PORT that counts the bytes each way, for tests/bench/as2.sh
(the size of AS2 messages and receipts on the wire). After each connection
closes, FILE holds "UP DOWN CONNECTIONS" (totals so far: client to server,
server to client)."""
import os
import socket
import sys
import threading

lock = threading.Lock()
totals = [0, 0, 0]


def pump(src, dst, k):
    while True:
        b = src.recv(65536)
        if not b:
            break
        with lock:
            totals[k] += len(b)
        dst.sendall(b)
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(c):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
    t = threading.Thread(target=pump, args=(s, c, 1))
    t.start()
    pump(c, s, 0)
    t.join()
    c.close()
    s.close()
    with lock:
        totals[2] += 1
        tmp = sys.argv[3] + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d %d %d\n" % tuple(totals))
        os.replace(tmp, sys.argv[3])


ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", int(sys.argv[1])))
ls.listen(16)
while True:
    c, _ = ls.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
