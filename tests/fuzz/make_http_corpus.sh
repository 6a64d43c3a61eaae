#!/bin/sh
# Regenerates the seed corpus tests/fuzz/corpus/http/seed-* for the HTTP
# response parser's fuzz target (tests/fuzz/fuzz_http.c). Each file is one
# selector byte (chunking and callback behaviour; see fuzz_http.c) and then
# what a server might send: valid responses of every framing and broken
# ones, and the parser's limits as fuzz_http.c sets them. Files not named
# seed-* (reproducers of fixed bugs) are kept.
# Output is deterministic.
set -eu
cd "$(dirname "$0")/../.."
dir=tests/fuzz/corpus/http
mkdir -p "$dir"
rm -f "$dir"/seed-*

# seed NAME SELECTOR-OCTAL FORMAT [ARGS...]: the selector byte, then printf FORMAT
seed() {
    name=$1 sel=$2 fmt=$3; shift 3
    { printf "\\$sel"; printf "$fmt" "$@"; } >"$dir/seed-$name"
}

# valid: whole (000), byte by byte (001), varied pieces up to 7 (025), 64 (027)
seed content-length 000 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nETag: "v1"\r\n\r\nhello world'
seed chunked 001 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n1 ; x\r\n \r\n6;a="b c"\r\nworld!\r\n0;last\r\nX-Checksum: abc\r\n\r\n'
seed close-delimited 025 'HTTP/1.1 200 OK\r\nServer: x\r\n\r\nall of this until the end'
seed continue 027 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc'
seed no-body 002 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: W/"x"\r\n\r\n'
seed http10 003 'HTTP/1.0 200 OK\nContent-Type: x\n\nold server, bare LF'
seed redirect 040 'HTTP/1.1 302 Found\r\nLocation: /next?a=1\r\nLast-Modified: Wed, 21 Oct 2015 07:28:00 GMT\r\nContent-Length: 0\r\n\r\n'
seed partial 005 'HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 100-104/5000\r\nContent-Length: 5\r\n\r\n01234'
seed retry-after 001 'HTTP/1.1 503 Service Unavailable\r\nRetry-After: Sun, 06 Nov 1994 08:49:37 GMT\r\nRetry-After: 120\r\nContent-Length: 0\r\n\r\n'
seed callbacks-refuse 040 'HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n%02000d' 0
# broken
seed bad-chunk-size 001 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n'
seed huge-chunk 000 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nx\r\n'
seed chunk-no-crlf 026 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXY\r\n0\r\n\r\n'
seed cl-and-te 000 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n'
seed two-lengths 001 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'
seed obs-fold 000 'HTTP/1.1 200 OK\r\nX-A: b\r\n c\r\nContent-Length: 0\r\n\r\n'
seed space-colon 002 'HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello'
seed nul-in-header 000 'HTTP/1.1 200 OK\r\nX-A: a\000b\r\nContent-Length: 0\r\n\r\n'
seed garbage-status 000 'SSH-2.0-OpenSSH_9.2p1\r\n'
seed truncated 021 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this much'
seed switching 000 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'
# a header section of exactly 1024 bytes (the limit fuzz_http.c sets), one
# long field, fed whole; and 16 fields (its field limit)
seed header-at-limit 000 'HTTP/1.1 200 OK\r\nX-Fill: %0976d\r\nContent-Length: 0\r\n\r\n' 0
# ... and the fields alone one byte over it, then the empty line (must be
# refused); then long lines made of runs (selector bit 7, 0xFF N: N * 64 more)
seed header-over-limit 200 'HTTP/1.1 200 OK\r\nX-Fill: %0998d\r\n\r\n' 0
seed header-over-limit-more 200 'HTTP/1.1 200 OK\r\nX-Fill: %0998d\r\nX-More: b\377\001\r\n\r\n' 0
seed long-lines 200 'HTTP/1.1 200 OK\r\nX-Long: a\377\010\r\nTransfer-Encoding: chunked\r\n\r\n1;\377\020\r\nx\r\n0\r\n\r\n'
seed fields-at-limit 000 'HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: 7\r\nH: 8\r\nI: 9\r\nJ: 10\r\nK: 11\r\nL: 12\r\nM: 13\r\nN: 14\r\nO: 15\r\nContent-Length: 2\r\n\r\nok'
