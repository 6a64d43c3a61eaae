#!/usr/bin/env python3
"""The few HTTP faults tests/attacks.sh needs that neither nginx nor
tests/http_fault.py produce.

usage: attack_server.py DIR

Listens on a free port on 127.0.0.1, prints "port N" once listening, then
serves until killed. Paths (REL is a file below DIR):
  /file/REL          200 with Content-Length (HTTP/1.1, then close)
  /sig-endless/REL   REL as /file/, except that any *.minisig is an
                     endless 200 body (no length: it ends at close)
  /endless/ANY       an endless 200 body, whatever the path
  /206/REL           206 Partial Content with all of REL, though the
                     request had no Range
  /gzip-ce/REL       REL with "Content-Encoding: gzip" (not asked for)
Each endless body, when the client goes away, is logged to stderr as
"endless PATH sent N bytes" (the socket's send buffer is kept small, so N
is close to what the client read)."""
import os
import socket
import socketserver
import sys
import threading
import time

DIR = "."


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)

    def read_request(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk or len(data) > 65536:
                return None
            data += chunk
        line = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        return line[1] if len(line) == 3 else None

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.request.sendall(data)

    def file(self, rel):
        p = os.path.normpath(os.path.join(DIR, rel))
        if not p.startswith(os.path.abspath(DIR) + "/") or not os.path.isfile(p):
            return None
        with open(p, "rb") as f:
            return f.read()

    def endless(self, path):
        sent = 0
        block = b"x" * 4096
        self.send("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n")
        try:
            while sent < (1 << 34):
                self.request.sendall(block)
                sent += len(block)
        except OSError:
            pass
        log("endless %s sent %d bytes" % (path, sent))

    def handle(self):
        target = self.read_request()
        if target is None:
            return
        log("GET " + target)
        mode, _, rel = target[1:].partition("/")
        try:
            if mode == "endless" or (mode == "sig-endless" and rel.endswith(".minisig")):
                return self.endless(target)
            data = self.file(rel) if mode in ("file", "sig-endless", "206", "gzip-ce") else None
            if data is None:
                return self.send("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            if mode == "206":
                head = "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 0-%d/%d\r\n" % (len(data) - 1, len(data))
            elif mode == "gzip-ce":
                head = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
            else:
                head = "HTTP/1.1 200 OK\r\n"
            self.send(head + "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(data))
            self.send(data)
        except OSError:
            pass


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global DIR
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    DIR = os.path.abspath(sys.argv[1])
    s = Server(("127.0.0.1", 0), Handler)
    threading.Thread(target=s.serve_forever, daemon=True).start()
    print("port %d" % s.server_address[1], flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
