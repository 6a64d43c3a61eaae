#!/usr/bin/env python3
"""A small HTTP server that does what real servers won't: broken framing,
endless or stalled bodies, oversized headers, hostile redirects, wrong
ranges. For tests/http.sh.

usage: http_fault.py [--dir DIR] [--header-limit N] [PORT]

Listens on 127.0.0.1:PORT and on 127.0.0.2:PORT (another host name for
the redirect tests; Linux routes all of 127/8 to lo). PORT 0 or none: a
free one. Prints "port N" once listening, then serves until killed. Every
request is logged to stderr as "127.0.0.1 GET /path [Authorization: ...]".

Paths (NAME is a file in DIR):
  /file/NAME            200 with Content-Length, Range honoured (206)
  /close/NAME           HTTP/1.0 200, no Content-Length: ends at close
  /chunked/NAME         chunked, chunk sizes 1..70000, extensions, a trailer
  /range-wrong/NAME     a Range gets 206 starting one byte later than asked
  /range-short/NAME     a Range gets 206 for 100 bytes only (not to the end)
  /range-200/NAME       a Range is ignored: 200 with everything
  /range-416/NAME       a Range gets 416; no Range gets 200
  /truncated            Content-Length 1000, 500 bytes sent, then close
  /longer               Content-Length 1000, 2000 bytes sent, then close
  /endless-chunked      chunked, never ends
  /endless-close        close-delimited, never ends
  /endless-100          "100 Continue" interim responses, never ending
  /bad-chunk-size       chunk size "zz"
  /huge-chunk           chunk size of 18 hex digits
  /chunk-no-crlf        chunk data not followed by CRLF
  /smuggle              both Content-Length and Transfer-Encoding
  /two-lengths          two different Content-Lengths
  /header-100k          a header section of 100 KB
  /headers-1000         1000 header fields
  /header-overrun       a header section of --header-limit + 1 bytes
                        (default 16384), sent apart, then a 100 KB line
  /garbage              not HTTP at all
  /nul-header           a NUL byte in a header value
  /loop                 302 to itself
  /to-file              302 to file:///etc/passwd
  /to-ftp               302 to ftp://127.0.0.1/x
  /to-userinfo          302 to http://user:pass@127.0.0.1:PORT/file/...
  /redirect/N/NAME      N 302s in a row, the last to /file/NAME
  /silent               reads the request, then says nothing (60 s at most)
  /close-now            reads the request, closes without a word
  /slow/MS              200, Content-Length 1000, all of it (status line
                        too) one byte every MS ms
  /retry                503 with Retry-After: 120
  /auth                 401 unless "Authorization: Basic" user:pass
  /auth-to-other        needs the auth, then 302 to 127.0.0.2:PORT/report-auth
  /auth-to-same         needs the auth, then 302 to /report-auth
  /auth-to-same-abs     the same, to http://127.0.0.1:PORT/report-auth
  /report-auth          200, body: the Authorization header or "none"
  anything else         404
"""
import base64
import os
import socket
import socketserver
import sys
import threading
import time

DIR = "."
HEADER_LIMIT = 16384
PORT = 0
AUTH = "Basic " + base64.b64encode(b"user:pass").decode()


def log(msg):
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def read_request(self):
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(65536)
            if not chunk:
                return None
            data += chunk
            if len(data) > 65536:
                return None
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ")
        if len(parts) != 3:
            return None
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        return parts[0], parts[1], headers

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.request.sendall(data)

    def head(self, status, fields=(), version="HTTP/1.1"):
        out = "%s %s\r\n" % (version, status)
        for f in fields:
            out += f + "\r\n"
        self.send(out + "\r\n")

    def handle(self):
        req = self.read_request()
        if req is None:
            return
        method, target, h = req
        host = self.server.server_address[0]
        log("%s %s %s%s" % (host, method, target,
                             " [Authorization: %s]" % h["authorization"] if "authorization" in h else ""))
        # a proxy sends the absolute form
        if target.startswith("http://"):
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        try:
            self.route(target, h)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            pass

    # ---- helpers ----
    def file_bytes(self, name):
        path = os.path.join(DIR, os.path.basename(name))
        if not name or not os.path.isfile(path):
            return None
        with open(path, "rb") as f:
            return f.read()

    def range_from(self, h):
        r = h.get("range", "")
        if r.startswith("bytes=") and r.endswith("-") and r[6:-1].isdigit():
            return int(r[6:-1])
        return None

    def not_found(self):
        self.head("404 Not Found", ["Content-Length: 10", "Connection: close"])
        self.send("not found\n")

    def redirect(self, location):
        self.head("302 Found", ["Location: " + location, "Content-Length: 0", "Connection: close"])

    def authorized(self, h):
        if h.get("authorization") == AUTH:
            return True
        self.head("401 Unauthorized", ['WWW-Authenticate: Basic realm="test"', "Content-Length: 13",
                                       "Connection: close"])
        self.send("unauthorized\n")
        return False

    def endless(self, chunked):
        block = bytes(range(256)) * 256
        piece = (b"%x\r\n" % len(block)) + block + b"\r\n" if chunked else block
        while True:
            self.send(piece)

    # ---- routes ----
    def route(self, t, h):
        kind, _, rest = t[1:].partition("/")
        if kind in ("file", "close", "chunked", "range-wrong", "range-short", "range-200", "range-416"):
            data = self.file_bytes(rest)
            if data is None:
                return self.not_found()
            return self.serve_file(kind, data, h)
        if t == "/truncated":
            self.head("200 OK", ["Content-Length: 1000"])
            return self.send(b"t" * 500)
        if t == "/longer":
            self.head("200 OK", ["Content-Length: 1000"])
            return self.send(b"a" * 1000 + b"b" * 1000)
        if t == "/endless-chunked":
            self.head("200 OK", ["Transfer-Encoding: chunked"])
            return self.endless(True)
        if t == "/endless-close":
            self.head("200 OK", ["Connection: close"])
            return self.endless(False)
        if t == "/endless-100":
            while True:
                self.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 100)
        if t == "/bad-chunk-size":
            self.head("200 OK", ["Transfer-Encoding: chunked"])
            return self.send("zz\r\nhello\r\n0\r\n\r\n")
        if t == "/huge-chunk":
            self.head("200 OK", ["Transfer-Encoding: chunked"])
            return self.send("FFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n")
        if t == "/chunk-no-crlf":
            self.head("200 OK", ["Transfer-Encoding: chunked"])
            return self.send("5\r\nhelloXY\r\n0\r\n\r\n")
        if t == "/smuggle":
            self.head("200 OK", ["Content-Length: 5", "Transfer-Encoding: chunked"])
            return self.send("5\r\nhello\r\n0\r\n\r\n")
        if t == "/two-lengths":
            self.head("200 OK", ["Content-Length: 5", "Content-Length: 6"])
            return self.send("hello!")
        if t == "/header-100k":
            return self.head("200 OK", ["X-Big-%d: %s" % (i, "v" * 1000) for i in range(100)] + ["Content-Length: 0"])
        if t == "/headers-1000":
            return self.head("200 OK", ["X-%d: %d" % (i, i) for i in range(1000)] + ["Content-Length: 0"])
        if t == "/header-overrun":
            # status line, then one field that brings the section to the
            # limit and a byte over, then a long line: each in its own read
            status = b"HTTP/1.1 200 OK\r\n"
            self.send(status)
            time.sleep(0.3)
            name = b"X-Fill: "
            self.send(name + b"a" * (HEADER_LIMIT - len(status) - len(name) - 1) + b"\r\n")
            time.sleep(0.3)
            return self.send(b"X-Long: " + b"b" * 100000 + b"\r\nContent-Length: 0\r\n\r\n")
        if t == "/garbage":
            return self.send("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
        if t == "/nul-header":
            return self.send(b"HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n")
        if t == "/loop":
            return self.redirect("/loop")
        if t == "/to-file":
            return self.redirect("file:///etc/passwd")
        if t == "/to-ftp":
            return self.redirect("ftp://127.0.0.1/x")
        if t == "/to-userinfo":
            return self.redirect("http://user:pass@127.0.0.1:%d/report-auth" % PORT)
        if kind == "redirect":
            n, _, name = rest.partition("/")
            if n.isdigit() and int(n) > 1:
                return self.redirect("/redirect/%d/%s" % (int(n) - 1, name))
            return self.redirect("/file/" + name)
        if t == "/silent":
            self.request.settimeout(60)
            try:
                while self.request.recv(4096):
                    pass
            except OSError:
                pass
            return
        if t == "/close-now":
            return
        if kind == "slow" and rest.isdigit():
            for c in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"s" * 1000:
                self.send(bytes([c]))
                time.sleep(int(rest) / 1000.0)
            return
        if t == "/retry":
            self.head("503 Service Unavailable", ["Retry-After: 120", "Content-Length: 5", "Connection: close"])
            return self.send("busy\n")
        if t == "/auth":
            if self.authorized(h):
                self.head("200 OK", ["Content-Length: 11"])
                self.send("authorized\n")
            return
        if t == "/auth-to-other":
            if self.authorized(h):
                self.redirect("http://127.0.0.2:%d/report-auth" % PORT)
            return
        if t == "/auth-to-same":
            if self.authorized(h):
                self.redirect("/report-auth")
            return
        if t == "/auth-to-same-abs":
            if self.authorized(h):
                self.redirect("http://127.0.0.1:%d/report-auth" % PORT)
            return
        if t == "/report-auth":
            body = (h.get("authorization", "none") + "\n").encode("latin-1")
            self.head("200 OK", ["Content-Length: %d" % len(body)])
            return self.send(body)
        return self.not_found()

    def serve_file(self, kind, data, h):
        size = len(data)
        start = self.range_from(h)
        if kind == "close":
            self.head("200 OK", ["Content-Type: application/octet-stream"], version="HTTP/1.0")
            for i in range(0, size, 65536):
                self.send(data[i:i + 65536])
            return
        if kind == "chunked":
            self.head("200 OK", ["Transfer-Encoding: chunked"])
            i, k = 0, 1
            while i < size:
                n = min(size - i, (k * 7919) % 70000 + 1)
                ext = ";n=%d" % k if k % 3 == 0 else ""
                self.send(b"%x%s\r\n" % (n, ext.encode()) + data[i:i + n] + b"\r\n")
                i, k = i + n, k + 1
            return self.send("0\r\nX-Trailer: done\r\n\r\n")
        if kind == "range-416" and start is not None:
            return self.head("416 Range Not Satisfiable", ["Content-Range: bytes */%d" % size, "Content-Length: 0"])
        if start is not None and kind != "range-200" and start < size:
            if kind == "range-wrong":
                start += 1
            end = size - 1
            if kind == "range-short":
                end = min(size - 1, start + 99)
            self.head("206 Partial Content", ["Content-Range: bytes %d-%d/%d" % (start, end, size),
                                              "Content-Length: %d" % (end - start + 1)])
            return self.send(data[start:end + 1])
        if start is not None and start >= size and kind == "file":
            return self.head("416 Range Not Satisfiable", ["Content-Range: bytes */%d" % size, "Content-Length: 0"])
        self.head("200 OK", ["Content-Length: %d" % size, 'ETag: "%x"' % size])
        self.send(data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def main():
    global DIR, HEADER_LIMIT, PORT
    args = sys.argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--dir" and len(args) > 1:
            DIR = args[1]
            args = args[2:]
        elif args[0] == "--header-limit" and len(args) > 1:
            HEADER_LIMIT = int(args[1])
            args = args[2:]
        else:
            sys.exit(__doc__)
    PORT = int(args[0]) if args else 0
    first = Server(("127.0.0.1", PORT), Handler)
    PORT = first.server_address[1]
    servers = [first]
    try:
        servers.append(Server(("127.0.0.2", PORT), Handler))
    except OSError as e:
        log("127.0.0.2:%d: %s (the other-host tests will fail)" % (PORT, e))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    print("port %d" % PORT, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
