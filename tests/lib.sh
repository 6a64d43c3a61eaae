# tests/lib.sh - helpers for the shell test suites (sourced).
#   pass NAME / fail NAME DETAIL / skip NAME WHY
#   check NAME CMD...          passes if CMD exits 0
#   check_eq NAME GOT WANT     passes if the two strings are equal
#   check_rc NAME WANT CMD...  passes if CMD exits with status WANT
#   nginx_conf_head DIR [FMT]  the common start of a throw-away nginx.conf
#   summary                    prints "N passed, N failed[, N skipped]"
T_PASS=0 T_FAIL=0 T_SKIP=0
pass() { T_PASS=$((T_PASS + 1)); }
fail() { T_FAIL=$((T_FAIL + 1)); printf 'FAIL %s: %s\n' "$1" "${2:-}"; }
skip() { T_SKIP=$((T_SKIP + 1)); printf 'SKIPPED %s: %s\n' "$1" "$2"; }
check() { n=$1; shift; if "$@" >/dev/null 2>&1; then pass; else fail "$n" "command failed: $*"; fi; }
check_eq() {
    if [ "$2" = "$3" ]; then pass; else fail "$1" "got [$2] want [$3]"; fi
}
check_rc() {
    n=$1 want=$2; shift 2
    "$@" >/dev/null 2>&1; got=$?
    if [ "$got" = "$want" ]; then pass; else fail "$n" "exit $got, want $want: $*"; fi
}
have() { command -v "$1" >/dev/null 2>&1; }
summary() {
    if [ "$T_SKIP" -gt 0 ]; then echo "$T_PASS passed, $T_FAIL failed, $T_SKIP skipped"
    else echo "$T_PASS passed, $T_FAIL failed"; fi
    [ "$T_FAIL" -eq 0 ]
}
# nginx_conf_head DIR [LOG_FORMAT]: the first lines of an nginx.conf for a
# throw-away nginx whose files live in DIR (pid, error log, access log
# DIR/access.log in LOG_FORMAT if given, temp paths), up to and inside the
# http block; the caller adds its maps and server block and closes it
nginx_conf_head() {
    echo "daemon off;"
    echo "worker_processes 1;"
    if [ "$(id -u)" = 0 ]; then echo "user root root;"; fi
    echo "pid $1/nginx.pid;"
    echo "error_log $1/error.log;"
    echo "events { worker_connections 256; }"
    echo "http {"
    if [ -n "${2:-}" ]; then
        echo "    log_format t escape=none '$2';"
        echo "    access_log $1/access.log t;"
    else
        echo "    access_log $1/access.log;"
    fi
    echo "    client_body_temp_path $1/body;"
    for m in proxy fastcgi uwsgi scgi; do
        nginx -V 2>&1 | grep -q -- "--without-http_${m}_module" || echo "    ${m}_temp_path $1/$m;"
    done
    echo "    gzip off;"
    echo "    default_type application/octet-stream;"
}
