"""A TCP proxy on loopback that breaks a connection on demand, at an exact
byte count: a server that drops the connection (or stops answering) in
the middle of a transfer, for any protocol. Standard library only.

  python3 tests/lib/cutproxy.py --to 127.0.0.1:PORT --control FILE
                                [--port 0] [--port-file FILE] [--log FILE]

Listens on 127.0.0.1 (a free port unless --port), forwards each connection
to --to, and writes the port to --port-file (whole, by rename) once it
accepts. What it does to a connection is the first line of the control
file, read when the connection opens and again before each chunk:

  (empty, absent)    forward everything
  cut down N         once N bytes went server -> client on one connection:
                     close both sides (the server dropped the connection)
  cut up N           the same, counting client -> server
  stall down N       once N bytes went server -> client: forward nothing
                     more either way, keep both sides open (the server hangs)
                     until the client gives up; then close the server's side
  stall up N         the same, counting client -> server

Bytes are counted per connection; exactly N bytes are forwarded in that
direction before the cut. A rule fires once: then the proxy empties the
control file and appends "cut down N" (or the rule it applied) to --log,
so a test knows it happened and the next connection goes through.
"""
import argparse
import os
import select
import socket
import sys
import threading

lock = threading.Lock()


def read_rule(path):
    try:
        with open(path) as f:
            words = f.readline().split()
    except FileNotFoundError:
        return None
    if not words:
        return None
    if len(words) != 3 or words[0] not in ("cut", "stall") or words[1] not in ("down", "up") or \
            not words[2].isdigit():
        print("cutproxy: control line not understood: %s" % " ".join(words), file=sys.stderr)
        return None
    return words[0], words[1], int(words[2])


def fired(args, rule):
    with lock:
        open(args.control, "w").close()
        if args.log:
            with open(args.log, "a") as f:
                f.write("%s %s %d\n" % rule)


def pump(args, client):
    try:
        server = socket.create_connection(args.to, timeout=10)
    except OSError as e:
        print("cutproxy: %s:%d: %s" % (args.to[0], args.to[1], e), file=sys.stderr)
        client.close()
        return
    server.settimeout(None)
    count = {"down": 0, "up": 0}
    ends = {client: (server, "up"), server: (client, "down")}
    stalled = False
    try:
        while True:
            ready, _, _ = select.select([client, server] if not stalled else [client], [], [])
            for s in ready:
                data = s.recv(65536)
                if stalled:
                    if not data:
                        return   # the client gave up
                    continue     # swallowed: the server hangs
                if not data:
                    return
                other, way = ends[s]
                rule = read_rule(args.control)
                if rule and rule[1] == way and count[way] + len(data) >= rule[2]:
                    keep = rule[2] - count[way]
                    if keep > 0:
                        other.sendall(data[:keep])
                    count[way] += keep
                    fired(args, rule)
                    if rule[0] == "cut":
                        return
                    stalled = True
                    break
                other.sendall(data)
                count[way] += len(data)
    except OSError:
        return
    finally:
        for s in (client, server):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


def main():
    ap = argparse.ArgumentParser(description="a TCP proxy that cuts or stalls a connection after N bytes")
    ap.add_argument("--to", required=True, help="HOST:PORT of the server")
    ap.add_argument("--control", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    args = ap.parse_args()
    host, _, port = args.to.rpartition(":")
    args.to = (host, int(port))
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(16)
    port = ls.getsockname()[1]
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(args.port_file + ".tmp", args.port_file)
    print("listening %d" % port, flush=True)
    while True:
        client, _ = ls.accept()
        threading.Thread(target=pump, args=(args, client), daemon=True).start()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
