#!/bin/sh
# HTTPS (the UPDATER_USE_MBEDTLS build) against nginx, with a CA and
# certificates made here by openssl: a good certificate succeeds; one for
# another name, an expired one and one from an unknown CA each fail with
# their own message; a server's own certificate given as --cacert pins it;
# https -> http redirects are refused; CONNECT through tinyproxy works.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
B=${B:-build}
UPD=${UPD_TLS:-$B/asan/upd-tls}
tmp=$(mktemp -d)
cleanup() {
    [ -f "$tmp/nginx.pid" ] && kill "$(cat "$tmp/nginx.pid")" 2>/dev/null
    [ -n "${tp_pid:-}" ] && kill "$tp_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
for tool in nginx openssl; do
    if ! have $tool && [ ! -x /usr/sbin/$tool ]; then
        skip tls "$tool is not installed"
        summary; exit $?
    fi
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ ! -x "$UPD" ]; then fail tls-build "$UPD was not built (libmbedtls-dev missing?)"; summary; exit 1; fi
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(6)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
P_GOOD=$1 P_NAME=$2 P_OLD=$3 P_SELF=$4 P_HTTP=$5 P_PROXY=$6

# ---- certificates ----
cd "$tmp" || exit 1
ossl() { openssl "$@" >/dev/null 2>&1 || echo "openssl $1 failed" >&2; }
ossl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 30 -subj /CN=updater-test-CA
leaf() { # NAME SAN [openssl-ca dates]
    ossl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$2"
    printf 'subjectAltName=DNS:%s\n' "$2" >"$1.ext"
    ossl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAserial ca.srl -CAcreateserial -out "$1.crt" -days 30 -extfile "$1.ext"
}
leaf good localhost
leaf name other.example
# expired: openssl ca takes explicit dates
mkdir -p ca/new && : >ca/index.txt && echo 1000 >ca/serial
cat >ca.cnf <<EOT
[ca]
default_ca = d
[d]
dir = $tmp/ca
database = \$dir/index.txt
new_certs_dir = \$dir/new
serial = \$dir/serial
default_md = sha256
policy = p
copy_extensions = copy
[p]
commonName = supplied
EOT
ossl req -newkey rsa:2048 -nodes -keyout old.key -out old.csr -subj /CN=localhost -addext subjectAltName=DNS:localhost
ossl ca -batch -config ca.cnf -cert ca.crt -keyfile ca.key -in old.csr -out old.crt -startdate 20200101000000Z -enddate 20200201000000Z
ossl req -x509 -newkey rsa:2048 -nodes -keyout self.key -out self.crt -days 30 -subj /CN=localhost -addext subjectAltName=DNS:localhost
head -c 3000000 /dev/urandom >www.bin
want=$(sha256sum www.bin | cut -c1-64)
cat >nginx.conf <<EOT
daemon on; pid $tmp/nginx.pid; error_log $tmp/error.log; worker_processes 1;
events { worker_connections 64; }
http {
  access_log off; client_body_temp_path $tmp; proxy_temp_path $tmp; fastcgi_temp_path $tmp;
  uwsgi_temp_path $tmp; scgi_temp_path $tmp; gzip off;
  server { listen 127.0.0.1:$P_GOOD ssl; ssl_certificate $tmp/good.crt; ssl_certificate_key $tmp/good.key; root $tmp;
           location /down { return 302 http://localhost:$P_HTTP/www.bin; }
           location /up { return 302 /www.bin; } }
  server { listen 127.0.0.1:$P_NAME ssl; ssl_certificate $tmp/name.crt; ssl_certificate_key $tmp/name.key; root $tmp; }
  server { listen 127.0.0.1:$P_OLD ssl; ssl_certificate $tmp/old.crt; ssl_certificate_key $tmp/old.key; root $tmp; }
  server { listen 127.0.0.1:$P_SELF ssl; ssl_certificate $tmp/self.crt; ssl_certificate_key $tmp/self.key; root $tmp; }
  server { listen 127.0.0.1:$P_HTTP; root $tmp; }
}
EOT
"$NGINX" -c "$tmp/nginx.conf" -p "$tmp" 2>"$tmp/nginx.err" || { fail nginx-start "$(cat "$tmp/nginx.err")"; summary; exit 1; }
i=0; while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $P_GOOD), 1)" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
cd - >/dev/null || exit 1

fetch_ok() { # NAME URL [ARGS...]
    n=$1 url=$2; shift 2
    rm -f "$tmp/out"
    if "$UPD" fetch "$@" -o "$tmp/out" --timeout 10 "$url" 2>"$tmp/err" && [ "$(sha256sum <"$tmp/out" | cut -c1-64)" = "$want" ]
    then pass; else fail "$n" "$(cat "$tmp/err")"; fi
}
fetch_err() { # NAME MESSAGE URL [ARGS...]
    n=$1 msg=$2 url=$3; shift 3
    "$UPD" fetch "$@" --timeout 10 "$url" >/dev/null 2>"$tmp/err"; rc=$?
    if [ $rc -eq 1 ] && grep -q "$msg" "$tmp/err"; then pass; else fail "$n" "exit $rc: $(cat "$tmp/err") (want '$msg')"; fi
}
fetch_ok good "https://localhost:$P_GOOD/www.bin" --cacert "$tmp/ca.crt"
fetch_ok redirect-same-scheme "https://localhost:$P_GOOD/up" --cacert "$tmp/ca.crt"
fetch_ok pinned-self-signed "https://localhost:$P_SELF/www.bin" --cacert "$tmp/self.crt"
fetch_err system-bundle "unknown certificate authority" "https://localhost:$P_GOOD/www.bin"
fetch_err wrong-name "issued for another name" "https://localhost:$P_NAME/www.bin" --cacert "$tmp/ca.crt"
fetch_err ip-not-in-cert "issued for another name" "https://127.0.0.1:$P_GOOD/www.bin" --cacert "$tmp/ca.crt"
fetch_err expired "expired" "https://localhost:$P_OLD/www.bin" --cacert "$tmp/ca.crt"
fetch_err unknown-ca "unknown certificate authority" "https://localhost:$P_SELF/www.bin" --cacert "$tmp/ca.crt"
fetch_err https-to-http "redirect from https to http refused" "https://localhost:$P_GOOD/down" --cacert "$tmp/ca.crt"
fetch_err plain-to-tls-port "HTTP 400" "http://localhost:$P_GOOD/www.bin"
fetch_err bad-cacert "cannot read CA certificates" "https://localhost:$P_GOOD/www.bin" --cacert "$tmp/www.bin"
# the build without TLS says so
out=$("$B/asan/upd" fetch "https://localhost:$P_GOOD/www.bin" 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && printf '%s' "$out" | grep -q "built without TLS"; then pass; else fail no-tls-build "exit $rc: $out"; fi

# CONNECT through a real proxy
if have tinyproxy || [ -x /usr/bin/tinyproxy ]; then
    TP=$(command -v tinyproxy || echo /usr/bin/tinyproxy)
    printf 'Port %s\nListen 127.0.0.1\nTimeout 30\nMaxClients 8\nAllow 127.0.0.1\nConnectPort %s\n' \
        "$P_PROXY" "$P_GOOD" >"$tmp/tp.conf"
    "$TP" -d -c "$tmp/tp.conf" >"$tmp/tp.log" 2>&1 &
    tp_pid=$!
    i=0; while [ $i -lt 50 ] && ! python3 -c "import socket; socket.create_connection(('127.0.0.1', $P_PROXY), 1)" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
    https_proxy="http://127.0.0.1:$P_PROXY" fetch_ok connect-tunnel "https://localhost:$P_GOOD/www.bin" --cacert "$tmp/ca.crt"
    https_proxy="http://127.0.0.1:$P_PROXY" fetch_err connect-refused "refused to connect" "https://localhost:$P_SELF/www.bin" --cacert "$tmp/self.crt"
else
    skip connect-tunnel "tinyproxy is not installed"
fi
summary
