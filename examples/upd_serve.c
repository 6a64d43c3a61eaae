/* upd serve - DIR as static files over HTTP/1.1, for demos and LAN
   prototypes. Not for production: put releases on nginx, any static host or
   a CDN for real users.

   #included by upd.c after updater.h's implementation and upd.c's helpers
   (fail, usage_for, parse_int, write_file, EXIT_USAGE).

   One forked child per connection (at most SRV_MAX_CHILDREN at a time; more
   wait in the listen backlog), so a slow download never holds up another.
   Every read and write has a deadline: a request head must arrive whole
   within 30 s, a keep-alive connection idle for 30 s is closed, and a
   client that takes nothing for 30 s is dropped. Memory is bounded: an
   8 KiB request head and a 64 KiB file buffer, whatever the file size.

   Files are looked up below DIR one path segment at a time with openat()
   from DIR's descriptor, O_NOFOLLOW, after an lstat-like check: '..'
   segments, backslashes and NUL are refused (400), symbolic links are never
   followed, wherever they point (403), and only regular files and
   directories (their index.html) are served. */
#include <signal.h>
#include <poll.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#define SRV_HEAD_MAX 8192         /* request line and header fields, in all */
#define SRV_MAX_FIELDS 100
#ifndef SRV_TIMEOUT_MS
#define SRV_TIMEOUT_MS 30000      /* head, keep-alive idle, stalled write */
#endif
#define SRV_LINGER_MS 2000        /* draining input before a close */
#define SRV_CHUNK 65536
#define SRV_HDR_CAP 16384         /* response header section */
#define SRV_MAX_CHILDREN 64
#ifdef MSG_NOSIGNAL
#define SRV_SEND_FLAGS MSG_NOSIGNAL
#else
#define SRV_SEND_FLAGS 0
#endif

typedef struct srv_field {
    const char *name, *value;
} srv_field;

typedef struct srv_req {
    const char *method, *target;   /* NULL until the request line parsed */
    int minor;                     /* HTTP/1.minor */
    int head;                      /* HEAD: headers only */
    int close;                     /* close the connection after the response */
    srv_field f[SRV_MAX_FIELDS];
    size_t nf;
} srv_req;

typedef struct srv_conn {
    int fd, root;
    size_t have;                   /* bytes in in[] */
    char in[SRV_HEAD_MAX];
} srv_conn;

static char srv_buf[SRV_HDR_CAP + SRV_CHUNK];   /* response head + file data */

static long long srv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int srv_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int srv_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (srv_lower((unsigned char)*a) != srv_lower((unsigned char)*b)) return 0;
    return *a == *b;
}

static int srv_iprefix(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (srv_lower((unsigned char)*s) != srv_lower((unsigned char)*prefix)) return 0;
    return 1;
}

static int srv_hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int srv_tchar(int c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int srv_token(const char *s)
{
    if (!*s) return 0;
    for (; *s; s++)
        if (!srv_tchar((unsigned char)*s)) return 0;
    return 1;
}

static const char *srv_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
    }
}

/* ---- dates (RFC 9110 5.6.7) ---------------------------------------------- */
static const char srv_days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char srv_months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* IMF-fixdate, "Sun, 06 Nov 1994 08:49:37 GMT"; out holds 64 bytes */
static void srv_fmt_date(long long t, char *out)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || tm.tm_wday < 0 || tm.tm_wday > 6 || tm.tm_mon < 0 || tm.tm_mon > 11) {
        tt = 0;
        gmtime_r(&tt, &tm);
    }
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d GMT", srv_days[tm.tm_wday], tm.tm_mday,
             srv_months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* days since 1970-01-01 of a proleptic Gregorian date (m 1..12) */
static long long srv_days_from_civil(long long y, int m, int d)
{
    long long era, yoe, doy;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719468;
}

/* n decimal digits at s; -1 if any is not a digit */
static int srv_num(const char *s, int n)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int srv_month(const char *s)
{
    int i;
    for (i = 0; i < 12; i++)
        if (s[0] == srv_months[i][0] && s[1] == srv_months[i][1] && s[2] == srv_months[i][2]) return i + 1;
    return 0;
}

/* "HH:MM:SS" */
static int srv_hms(const char *s, int *h, int *mi, int *sec)
{
    if (s[2] != ':' || s[5] != ':') return 0;
    *h = srv_num(s, 2); *mi = srv_num(s + 3, 2); *sec = srv_num(s + 6, 2);
    return *h >= 0 && *h < 24 && *mi >= 0 && *mi < 60 && *sec >= 0 && *sec <= 60;
}

/* An HTTP-date in any of the three forms a recipient must accept:
   IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", rfc850 "Sunday, 06-Nov-94
   08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994". 1 and *t, or 0. */
static int srv_parse_date(const char *s, long long *t)
{
    const char *c = strchr(s, ',');
    size_t n = strlen(s);
    int y, mo, d, h, mi, sec;
    if (c && c - s == 3 && n == 29) {                 /* IMF-fixdate */
        const char *p = c + 1;
        if (p[0] != ' ' || p[3] != ' ' || p[7] != ' ' || p[12] != ' ' || strcmp(p + 21, " GMT") != 0) return 0;
        d = srv_num(p + 1, 2); mo = srv_month(p + 4); y = srv_num(p + 8, 4);
        if (!srv_hms(p + 13, &h, &mi, &sec)) return 0;
    } else if (c && c - s >= 6 && c - s <= 9 && strlen(c) == 24) { /* rfc850 */
        const char *p = c + 1;
        time_t now = time(NULL);
        struct tm tm;
        if (p[0] != ' ' || p[3] != '-' || p[7] != '-' || p[10] != ' ' || strcmp(p + 19, " GMT") != 0) return 0;
        d = srv_num(p + 1, 2); mo = srv_month(p + 4); y = srv_num(p + 8, 2);
        if (y < 0 || !gmtime_r(&now, &tm)) return 0;
        /* two digits: the year in this century, unless that is more than
           50 years ahead, then the one before */
        y += (tm.tm_year + 1900) / 100 * 100;
        if (y > tm.tm_year + 1900 + 50) y -= 100;
        if (!srv_hms(p + 11, &h, &mi, &sec)) return 0;
    } else if (!c && n == 24) {                       /* asctime */
        if (s[3] != ' ' || s[7] != ' ' || s[10] != ' ' || s[19] != ' ') return 0;
        mo = srv_month(s + 4);
        d = s[8] == ' ' ? srv_num(s + 9, 1) : srv_num(s + 8, 2);
        y = srv_num(s + 20, 4);
        if (!srv_hms(s + 11, &h, &mi, &sec)) return 0;
    } else return 0;
    if (mo < 1 || d < 1 || d > 31 || y < 0) return 0;
    *t = srv_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
    return 1;
}

/* ---- socket I/O ------------------------------------------------------------ */
/* Sends it all; -1 when the client is gone or took nothing for 30 s. */
static int srv_send(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = send(fd, p, n, SRV_SEND_FLAGS);
        if (k > 0) { p += k; n -= (size_t)k; continue; }
        if (k < 0 && errno == EINTR) continue;
        if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pf;
            int r;
            pf.fd = fd; pf.events = POLLOUT; pf.revents = 0;
            r = poll(&pf, 1, SRV_TIMEOUT_MS);
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return -1;
            continue;
        }
        return -1;
    }
    return 0;
}

/* Before closing a connection that may have unread input: stop sending and
   read what is in flight for a moment, so that the kernel does not answer
   that input with a reset which would destroy the response unread. */
static void srv_close(int fd)
{
    long long end = srv_now_ms() + SRV_LINGER_MS;
    size_t total = 0;
    shutdown(fd, SHUT_WR);
    while (total < (1u << 20)) {
        struct pollfd pf;
        long long left = end - srv_now_ms();
        ssize_t k;
        int r;
        if (left <= 0) break;
        pf.fd = fd; pf.events = POLLIN; pf.revents = 0;
        r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        k = recv(fd, srv_buf, sizeof srv_buf, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (k <= 0) break;
        total += (size_t)k;
    }
    close(fd);
}

/* Reads until c->in holds a whole request head (*len bytes, through the
   empty line). 1: a head; 0: the client closed or stayed silent between
   requests (close quietly); else the status to answer before closing:
   408 (incomplete after 30 s), 414 (request line over the limit), 431. */
static int srv_read_head(srv_conn *c, size_t *len)
{
    long long deadline = srv_now_ms() + SRV_TIMEOUT_MS;
    size_t scanned = 0;
    for (;;) {
        size_t i, skip = 0;
        struct pollfd pf;
        long long left;
        ssize_t k;
        int r;
        /* empty lines before a request line are ignored (RFC 9112 2.2) */
        while (skip < c->have && (c->in[skip] == '\n' ||
               (c->in[skip] == '\r' && skip + 1 < c->have && c->in[skip + 1] == '\n')))
            skip += c->in[skip] == '\n' ? 1 : 2;
        if (skip) {
            memmove(c->in, c->in + skip, c->have - skip);
            c->have -= skip;
            scanned = 0;
        }
        for (i = scanned; i < c->have; i++) {
            if (c->in[i] != '\n') continue;
            if (i + 1 < c->have && c->in[i + 1] == '\n') { *len = i + 2; return 1; }
            if (i + 2 < c->have && c->in[i + 1] == '\r' && c->in[i + 2] == '\n') { *len = i + 3; return 1; }
        }
        scanned = c->have > 2 ? c->have - 2 : 0;
        if (c->have == sizeof c->in) return memchr(c->in, '\n', c->have) ? 431 : 414;
        left = deadline - srv_now_ms();
        if (left <= 0) return c->have ? 408 : 0;
        pf.fd = c->fd; pf.events = POLLIN; pf.revents = 0;
        r = poll(&pf, 1, (int)left);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return 0;
        if (r == 0) return c->have ? 408 : 0;
        k = recv(c->fd, c->in + c->have, sizeof c->in - c->have, 0);
        if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
        if (k <= 0) return 0;
        c->have += (size_t)k;
    }
}

/* ---- the log: "upd serve: METHOD PATH STATUS [range=VALUE]" ----------------- */
static size_t srv_esc(char *out, size_t at, size_t cap, const char *s, size_t max)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    if (!s) s = "-";
    for (; *s && at + 8 < cap; s++, n++) {
        unsigned char ch = (unsigned char)*s;
        if (n == max) { memcpy(out + at, "...", 3); at += 3; break; }
        if (ch > 0x20 && ch < 0x7f && ch != '\\') out[at++] = (char)ch;
        else {
            out[at++] = '\\'; out[at++] = 'x';
            out[at++] = hex[ch >> 4]; out[at++] = hex[ch & 15];
        }
    }
    return at;
}

static void srv_log(const srv_req *rq, int status, const char *range)
{
    char line[4096];
    size_t n;
    ssize_t k;
    memcpy(line, "upd serve: ", 11);
    n = srv_esc(line, 11, sizeof line - 64, rq ? rq->method : NULL, 32);
    line[n++] = ' ';
    n = srv_esc(line, n, sizeof line - 64, rq ? rq->target : NULL, 2048);
    n += (size_t)snprintf(line + n, 32, " %d", status);
    if (range) {
        memcpy(line + n, " range=", 7);
        n = srv_esc(line, n + 7, sizeof line - 2, range, 512);
    }
    line[n++] = '\n';
    do k = write(2, line, n); while (k < 0 && errno == EINTR);   /* one write: lines never mix */
}

/* ---- requests -------------------------------------------------------------- */
/* the value of field name and how many times it came (0: NULL) */
static const char *srv_field_get(const srv_req *rq, const char *name, int *count)
{
    const char *v = NULL;
    size_t i;
    int n = 0;
    for (i = 0; i < rq->nf; i++)
        if (srv_ieq(rq->f[i].name, name)) { if (!v) v = rq->f[i].value; n++; }
    if (count) *count = n;
    return v;
}

/* does a comma-separated field (every line of it) list the token? */
static int srv_has_token(const srv_req *rq, const char *name, const char *token)
{
    size_t i, tl = strlen(token);
    for (i = 0; i < rq->nf; i++) {
        const char *p;
        if (!srv_ieq(rq->f[i].name, name)) continue;
        for (p = rq->f[i].value; *p;) {
            const char *e;
            while (*p == ' ' || *p == '\t' || *p == ',') p++;
            for (e = p; *e && *e != ',' && *e != ' ' && *e != '\t'; e++) {}
            if ((size_t)(e - p) == tl && srv_iprefix(p, token)) return 1;
            p = e;
        }
    }
    return 0;
}

/* Splits the head (NUL-terminating in place) into rq. 0, or the status of
   a malformed request: 400, 431 (too many fields), 505. */
static int srv_parse(char *h, size_t len, srv_req *rq)
{
    char *p = h, *end = h + len, *line, *sp, *ver, *eol;
    const char *t;
    if (memchr(h, '\0', len)) return 400;
    eol = (char *)memchr(p, '\n', len);
    *eol = 0;
    if (eol > p && eol[-1] == '\r') eol[-1] = 0;
    line = p;
    p = eol + 1;
    if (strchr(line, '\r')) return 400;
    if (!(sp = strchr(line, ' '))) return 400;
    *sp = 0;
    rq->method = line;
    rq->target = sp + 1;
    if (!(sp = strchr(sp + 1, ' '))) { rq->target = NULL; return 400; }
    *sp = 0;
    ver = sp + 1;
    if (!srv_token(rq->method) || !*rq->target) return 400;
    for (t = rq->target; *t; t++)
        if ((unsigned char)*t <= 0x20 || (unsigned char)*t >= 0x7f) return 400;
    if (strncmp(ver, "HTTP/", 5) != 0 || strlen(ver) != 8 || ver[6] != '.' ||
        srv_num(ver + 5, 1) < 0 || srv_num(ver + 7, 1) < 0) return 400;
    if (ver[5] != '1') return 505;
    rq->minor = ver[7] - '0';
    while (p < end) {
        char *colon, *v, *ve;
        eol = (char *)memchr(p, '\n', (size_t)(end - p));
        if (!eol) break;
        *eol = 0;
        if (eol > p && eol[-1] == '\r') eol[-1] = 0;
        line = p;
        p = eol + 1;
        if (!*line) break;                                   /* the empty line */
        if (line[0] == ' ' || line[0] == '\t') return 400;   /* obsolete line folding */
        if (!(colon = strchr(line, ':'))) return 400;
        *colon = 0;
        if (!srv_token(line)) return 400;                    /* also "Name :" */
        for (v = colon + 1; *v == ' ' || *v == '\t'; v++) {}
        for (ve = v + strlen(v); ve > v && (ve[-1] == ' ' || ve[-1] == '\t'); ve--) {}
        *ve = 0;
        for (t = v; *t; t++)
            if (((unsigned char)*t < 0x20 && *t != '\t') || *t == 0x7f) return 400;
        if (rq->nf == SRV_MAX_FIELDS) return 431;
        rq->f[rq->nf].name = line;
        rq->f[rq->nf].value = v;
        rq->nf++;
    }
    return 0;
}

/* ---- responses ------------------------------------------------------------- */
/* the status line and the fields every response carries, into srv_buf */
static size_t srv_start(int status, const srv_req *rq)
{
    char date[64];
    srv_fmt_date((long long)time(NULL), date);
    return (size_t)snprintf(srv_buf, SRV_HDR_CAP, "HTTP/1.1 %d %s\r\nDate: %s\r\nServer: upd/%s\r\n%s",
                            status, srv_reason(status), date, upd_version_string(),
                            rq->close ? "Connection: close\r\n" : "");
}

static size_t srv_add(size_t n, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static size_t srv_add(size_t n, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (n >= SRV_HDR_CAP) return n;
    va_start(ap, fmt);
    k = vsnprintf(srv_buf + n, SRV_HDR_CAP - n, fmt, ap);
    va_end(ap);
    if (k < 0) return n;
    return n + (size_t)k >= SRV_HDR_CAP ? SRV_HDR_CAP - 1 : n + (size_t)k;
}

/* A short text response: "404 Not Found\n" (no body for HEAD); extra holds
   more fields, each ending in CRLF. 1 if the connection stays open. */
static int srv_simple(srv_conn *c, srv_req *rq, int status, const char *extra, const char *range)
{
    char body[80];
    size_t n;
    int blen = snprintf(body, sizeof body, "%d %s\n", status, srv_reason(status));
    if (status >= 400 && status != 404 && status != 403 && status != 416) rq->close = 1;
    srv_log(rq, status, range);
    n = srv_start(status, rq);
    n = srv_add(n, "%sContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
                extra, blen, rq->head ? "" : body);
    if (srv_send(c->fd, srv_buf, n) != 0) return 0;
    return !rq->close;
}

/* entity-tag lists (If-None-Match): 1 if one of them is etag by the weak
   comparison, or the list is "*" */
static int srv_etag_listed(const char *list, const char *etag)
{
    const char *p = list;
    size_t el = strlen(etag);
    for (;;) {
        const char *q;
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) return 0;
        if (*p == '*') return 1;
        if (p[0] == 'W' && p[1] == '/') p += 2;
        if (*p != '"' || !(q = strchr(p + 1, '"'))) return 0;   /* malformed: no match */
        if ((size_t)(q + 1 - p) == el && memcmp(p, etag, el) == 0) return 1;
        p = q + 1;
    }
}

/* Range: bytes=... against a representation of len bytes (RFC 9110 14.1).
   1: one satisfiable range [*a, *b]; -1: unsatisfiable (416); 0: ignore the
   field and send it all (unknown unit, malformed, several ranges). */
static int srv_range(const char *v, uint64_t len, uint64_t *a, uint64_t *b)
{
    uint64_t first = 0, last = 0;
    int has_first = 0, has_last = 0;
    const char *p;
    if (!srv_iprefix(v, "bytes=")) return 0;
    p = v + 6;
    while (*p == ' ' || *p == '\t') p++;
    for (; *p >= '0' && *p <= '9'; p++, has_first = 1)
        first = first > (UINT64_MAX - 9) / 10 ? UINT64_MAX : first * 10 + (uint64_t)(*p - '0');
    if (*p++ != '-') return 0;
    for (; *p >= '0' && *p <= '9'; p++, has_last = 1)
        last = last > (UINT64_MAX - 9) / 10 ? UINT64_MAX : last * 10 + (uint64_t)(*p - '0');
    while (*p == ' ' || *p == '\t') p++;
    if (*p || (!has_first && !has_last)) return 0;    /* more ranges, or junk */
    if (has_first) {
        if (has_last && last < first) return 0;        /* invalid: ignored */
        if (first >= len) return -1;
        *a = first;
        *b = has_last && last < len - 1 ? last : len - 1;
        return 1;
    }
    if (last == 0) return -1;                          /* "-0" */
    if (len == 0) return 0;                            /* nothing to take the end of */
    *a = last >= len ? 0 : len - last;
    *b = len - 1;
    return 1;
}

static const char *srv_type(const char *name)
{
    static const struct { const char *ext, *type; } types[] = {
        {".gz", "application/gzip"}, {".tgz", "application/gzip"}, {".tar", "application/x-tar"},
        {".minisig", "text/plain"}, {".pub", "text/plain"}, {".txt", "text/plain"},
        {".html", "text/html"}, {".htm", "text/html"}, {".css", "text/css"},
        {".js", "text/javascript"}, {".json", "application/json"}, {".svg", "image/svg+xml"},
        {".png", "image/png"},
    };
    size_t i, n = strlen(name);
    if (strcmp(name, "versions") == 0) return "text/plain";
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t el = strlen(types[i].ext);
        if (n > el && srv_ieq(name + n - el, types[i].ext)) return types[i].type;
    }
    return "application/octet-stream";
}

/* GET or HEAD of the open regular file fd: conditionals, range, body.
   1 if the connection stays open. */
static int srv_file(srv_conn *c, srv_req *rq, int fd, const struct stat *st, const char *name)
{
    char etag[80], lm[64], range_hdr[128];
    const char *ims, *range, *ifr;
    uint64_t size = st->st_size > 0 ? (uint64_t)st->st_size : 0, a = 0, b = 0, left, off;
    long long mtime = (long long)st->st_mtime;
#if defined(__APPLE__)
    unsigned long long mns = (unsigned long long)st->st_mtime * 1000000000ull;
#else
    unsigned long long mns = (unsigned long long)st->st_mtim.tv_sec * 1000000000ull + (unsigned long long)st->st_mtim.tv_nsec;
#endif
    int status = 200, n_inm, n_ims, n_range, n_ifr, r;
    size_t n;
    snprintf(etag, sizeof etag, "\"%llx-%llx-%llx\"", (unsigned long long)st->st_ino,
             (unsigned long long)size, mns);
    srv_fmt_date(mtime, lm);
    srv_field_get(rq, "If-None-Match", &n_inm);
    ims = srv_field_get(rq, "If-Modified-Since", &n_ims);
    range = srv_field_get(rq, "Range", &n_range);
    ifr = srv_field_get(rq, "If-Range", &n_ifr);
    range_hdr[0] = 0;
    if (n_inm) {                     /* RFC 9110 13.2.2: If-None-Match, then If-Modified-Since */
        size_t i;
        for (i = 0; i < rq->nf; i++)
            if (srv_ieq(rq->f[i].name, "If-None-Match") && srv_etag_listed(rq->f[i].value, etag)) status = 304;
    } else if (n_ims == 1) {
        long long t;
        if (srv_parse_date(ims, &t) && mtime <= t) status = 304;
    }
    if (status == 200 && range && !rq->head) {
        r = n_range == 1 ? srv_range(range, size, &a, &b) : 0;
        if (r != 0 && n_ifr) {       /* If-Range: the range only if unchanged */
            long long t;
            if (n_ifr != 1) r = 0;
            else if (ifr[0] == '"' || (ifr[0] == 'W' && ifr[1] == '/')) r = strcmp(ifr, etag) == 0 ? r : 0;
            else r = srv_parse_date(ifr, &t) && t == mtime ? r : 0;
        }
        if (r == 1) {
            status = 206;
            snprintf(range_hdr, sizeof range_hdr, "Content-Range: bytes %llu-%llu/%llu\r\n",
                     (unsigned long long)a, (unsigned long long)b, (unsigned long long)size);
        } else if (r == -1) {
            snprintf(range_hdr, sizeof range_hdr, "Content-Range: bytes */%llu\r\n", (unsigned long long)size);
            return srv_simple(c, rq, 416, range_hdr, range);
        }
    }
    if (status != 206) { a = 0; b = size - 1; }       /* b unused when size is 0 */
    left = status == 304 || rq->head ? 0 : (status == 206 ? b - a + 1 : size);
    srv_log(rq, status, range);
    n = srv_start(status, rq);
    n = srv_add(n, "Last-Modified: %s\r\nETag: %s\r\n", lm, etag);
    if (status != 304)
        n = srv_add(n, "Accept-Ranges: bytes\r\nContent-Type: %s\r\nContent-Length: %llu\r\n%s",
                    srv_type(name), (unsigned long long)(status == 206 ? b - a + 1 : size), range_hdr);
    n = srv_add(n, "\r\n");
    off = a;
    /* the head goes out with the first piece of the file, in one send */
    for (;;) {
        size_t want = (size_t)(left < (uint64_t)(sizeof srv_buf - n) ? left : (uint64_t)(sizeof srv_buf - n));
        ssize_t k = 0;
        while (want > 0) {
            k = pread(fd, srv_buf + n, want, (off_t)off);
            if (k < 0 && errno == EINTR) continue;
            break;
        }
        if (want > 0 && k <= 0) {    /* an error, or the file shrank: the length was promised */
            if (n) srv_send(c->fd, srv_buf, n);
            return 0;
        }
        if (want > 0) { n += (size_t)k; off += (uint64_t)k; left -= (uint64_t)k; }
        if (srv_send(c->fd, srv_buf, n) != 0) return 0;
        n = 0;
        if (left == 0) break;
    }
    return !rq->close;
}

/* One path segment below the open directory dir: lstat-checked, opened
   without following a symlink, checked again on the descriptor (nothing
   was swapped in between). The descriptor, or -1 and *status. */
static int srv_step(int dir, const char *seg, int last, struct stat *st, int *status)
{
    struct stat lst;
    int fd;
    if (fstatat(dir, seg, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
        *status = errno == EACCES ? 403 : 404;
        return -1;
    }
    if (S_ISLNK(lst.st_mode)) { *status = 403; return -1; }           /* never followed */
    if (!S_ISDIR(lst.st_mode) && (!S_ISREG(lst.st_mode) || !last)) { *status = 404; return -1; }
    fd = openat(dir, seg, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (S_ISDIR(lst.st_mode) ? O_DIRECTORY : 0));
    if (fd < 0) {
        *status = errno == EACCES || errno == EPERM || errno == ELOOP ? 403 : errno == ENOENT || errno == ENOTDIR ? 404 : 500;
        return -1;
    }
    if (fstat(fd, st) != 0 || st->st_dev != lst.st_dev || st->st_ino != lst.st_ino ||
        (st->st_mode & S_IFMT) != (lst.st_mode & S_IFMT)) {
        close(fd);
        *status = 404;
        return -1;
    }
    return fd;
}

/* GET or HEAD of target. 1 if the connection stays open. */
static int srv_get(srv_conn *c, srv_req *rq)
{
    static char path[SRV_HEAD_MAX];
    const char *t = rq->target, *range = srv_field_get(rq, "Range", NULL), *name = "";
    size_t plen, i, n = 0;
    char *seg;
    int cur = c->root, status = 0, keep, slash;
    struct stat st;
    /* absolute-form (RFC 9112 3.2.2): the path after the authority */
    if (srv_iprefix(t, "http://") || srv_iprefix(t, "https://")) {
        t = strstr(t, "//") + 2;
        t += strcspn(t, "/?#");
        if (*t != '/') t = "/";
    }
    if (*t != '/') return srv_simple(c, rq, 400, "", range);
    plen = strcspn(t, "?#");                          /* the query is not ours */
    for (i = 0; i < plen; i++) {                      /* percent-decoding */
        int ch = (unsigned char)t[i];
        if (ch == '%') {
            int hi = i + 2 < plen ? srv_hex(t[i + 1]) : -1, lo = i + 2 < plen ? srv_hex(t[i + 2]) : -1;
            if (hi < 0 || lo < 0) return srv_simple(c, rq, 400, "", range);
            ch = hi * 16 + lo;
            i += 2;
        }
        if (ch == 0 || ch == '\\') return srv_simple(c, rq, 400, "", range);
        path[n++] = (char)ch;
    }
    path[n] = 0;
    /* "/dir/" and "/dir/." name a directory, never a file */
    slash = path[n - 1] == '/' || (n >= 2 && path[n - 1] == '.' && path[n - 2] == '/');
    /* refuse '..' anywhere before opening anything */
    for (seg = path; *seg; ) {
        size_t sl;
        while (*seg == '/') seg++;
        sl = strcspn(seg, "/");
        if (sl == 2 && seg[0] == '.' && seg[1] == '.') return srv_simple(c, rq, 400, "", range);
        seg += sl;
    }
    if (fstat(cur, &st) != 0) return srv_simple(c, rq, 500, "", range);
    for (seg = path; ; ) {
        char *e;
        int fd;
        while (*seg == '/') seg++;
        if (!*seg) break;
        e = seg + strcspn(seg, "/");
        if (*e) *e++ = 0;
        if (strcmp(seg, ".") != 0) {
            const char *rest = e;
            while (*rest == '/' || (rest[0] == '.' && (rest[1] == '/' || !rest[1]))) rest++;
            fd = srv_step(cur, seg, *rest == 0, &st, &status);
            if (cur != c->root) close(cur);
            cur = -1;
            if (fd < 0) return srv_simple(c, rq, status, "", range);
            cur = fd;
            name = seg;
        }
        seg = e;
    }
    if (S_ISDIR(st.st_mode)) {
        int fd;
        if (!slash) {                                 /* so that relative links work */
            static char loc[SRV_HEAD_MAX + 32];
            if (cur != c->root) close(cur);
            snprintf(loc, sizeof loc, "Location: %.*s/\r\n", (int)plen, t);
            return srv_simple(c, rq, 301, loc, range);
        }
        fd = srv_step(cur, "index.html", 1, &st, &status);
        if (cur != c->root) close(cur);
        if (fd < 0) return srv_simple(c, rq, status == 403 ? 403 : 404, "", range);
        cur = fd;
        name = "index.html";
    } else if (slash) {
        close(cur);
        return srv_simple(c, rq, 404, "", range);
    }
    keep = srv_file(c, rq, cur, &st, name);
    close(cur);
    return keep;
}

/* One request whose head is c->in[0..len). 1 if the connection stays open. */
static int srv_request(srv_conn *c, size_t len)
{
    static srv_req rq;
    const char *cl, *range;
    int status, n_host, n_cl;
    memset(&rq, 0, sizeof rq);
    if ((status = srv_parse(c->in, len, &rq)) != 0) {
        rq.close = 1;
        return srv_simple(c, &rq, status, "", NULL);
    }
    range = srv_field_get(&rq, "Range", NULL);
    rq.head = strcmp(rq.method, "HEAD") == 0;
    rq.close = rq.minor == 0 || srv_has_token(&rq, "Connection", "close");
    /* a request body is never read: answer, then close (no smuggling) */
    cl = srv_field_get(&rq, "Content-Length", &n_cl);
    if (srv_field_get(&rq, "Transfer-Encoding", NULL) || n_cl > 1 || (cl && strcmp(cl, "0") != 0)) rq.close = 1;
    srv_field_get(&rq, "Host", &n_host);
    if (rq.minor >= 1 && n_host != 1) return srv_simple(c, &rq, 400, "", range);
    if (!rq.head && strcmp(rq.method, "GET") != 0) {
        static const char *const known[] = {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"};
        size_t i;
        for (i = 0; i < sizeof known / sizeof known[0]; i++)
            if (strcmp(rq.method, known[i]) == 0) return srv_simple(c, &rq, 405, "Allow: GET, HEAD\r\n", range);
        return srv_simple(c, &rq, 501, "Allow: GET, HEAD\r\n", range);
    }
    return srv_get(c, &rq);
}

/* a forked child: the requests of one connection */
static void srv_connection(int fd, int root)
{
    static srv_conn c;
    int one = 1, flags = fcntl(fd, F_GETFL);
    c.fd = fd;
    c.root = root;
    c.have = 0;
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) { close(fd); return; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
        size_t len = 0;
        int r = srv_read_head(&c, &len);
        if (r == 0) break;
        if (r != 1) {
            srv_req rq;
            memset(&rq, 0, sizeof rq);
            rq.close = 1;
            srv_simple(&c, &rq, r, "", NULL);
            break;
        }
        if (!srv_request(&c, len)) break;
        memmove(c.in, c.in + len, c.have - len);
        c.have -= len;
    }
    srv_close(fd);
}

/* ---- the listening process ------------------------------------------------ */
static volatile sig_atomic_t srv_stop;
static int srv_wake[2] = {-1, -1};

static void srv_on_signal(int sig)
{
    int e = errno;
    ssize_t k;
    if (sig != SIGCHLD) srv_stop = 1;
    k = write(srv_wake[1], "x", 1);                  /* wakes poll() */
    (void)k;
    errno = e;
}

static int srv_nonblock_cloexec(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ? -1 : 0;
}

static int cmd_serve(int argc, char **argv)
{
    static pid_t kids[SRV_MAX_CHILDREN];
    const char *addr = "127.0.0.1", *portfile = NULL, *dir = NULL;
    long long port = 8000;
    char portstr[16];
    struct addrinfo hints, *ai = NULL;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    struct sigaction sa;
    sigset_t block, old;
    size_t nkids = 0, i;
    unsigned bound;
    int k, root, lfd, one = 1;
    for (k = 1; k < argc; k++) {
        const char *a = argv[k];
        if (strcmp(a, "--") == 0) {
            if (k + 2 != argc || dir) { usage_for(argv[0]); return EXIT_USAGE; }
            dir = argv[++k];
        } else if (strcmp(a, "-p") == 0 || strcmp(a, "-b") == 0 || strcmp(a, "--port-file") == 0) {
            if (k + 1 >= argc) { fail("option '%s' needs a value", a); usage_for(argv[0]); return EXIT_USAGE; }
            if (a[1] == 'p' && !parse_int(argv[++k], 0, 65535, &port)) {
                fail("-p: '%s' is not a port number (0..65535; 0 picks a free one)", argv[k]);
                return EXIT_USAGE;
            } else if (a[1] == 'b') addr = argv[++k];
            else if (a[1] == '-') portfile = argv[++k];
        } else if (a[0] == '-' && a[1] != '\0') {
            fail("unknown option '%s'", a);
            usage_for(argv[0]);
            return EXIT_USAGE;
        } else if (!dir) dir = a;
        else { usage_for(argv[0]); return EXIT_USAGE; }
    }
    if (!dir) { usage_for(argv[0]); return EXIT_USAGE; }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    snprintf(portstr, sizeof portstr, "%lld", port);
    if (getaddrinfo(addr, portstr, &hints, &ai) != 0 || !ai) {
        fail("-b: '%s' is not an IPv4 or IPv6 address (like 127.0.0.1, 0.0.0.0 or ::1)", addr);
        return EXIT_USAGE;
    }
    if ((root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        fail("%s: %s", dir, strerror(errno));
        freeaddrinfo(ai);
        return 1;
    }
    lfd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (lfd < 0 || srv_nonblock_cloexec(lfd) != 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(lfd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(lfd, 64) != 0 ||
        getsockname(lfd, (struct sockaddr *)&ss, &sl) != 0) {
        fail("cannot listen on %s port %s: %s", addr, portstr, strerror(errno));
        freeaddrinfo(ai);
        if (lfd >= 0) close(lfd);
        close(root);
        return 1;
    }
    freeaddrinfo(ai);
    bound = ss.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&ss)->sin6_port)
                                     : ntohs(((struct sockaddr_in *)&ss)->sin_port);
    if (pipe(srv_wake) != 0 || srv_nonblock_cloexec(srv_wake[0]) != 0 || srv_nonblock_cloexec(srv_wake[1]) != 0) {
        fail("pipe: %s", strerror(errno));
        close(lfd); close(root);
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = srv_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_NOCLDSTOP;                      /* no SA_RESTART: poll() returns */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
    sa.sa_handler = SIG_IGN;                         /* a client that leaves gets EPIPE */
    sigaction(SIGPIPE, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGCHLD);
    fprintf(stderr, "upd serve: http://%s%s%s:%u/ serving %s\n", strchr(addr, ':') ? "[" : "", addr,
            strchr(addr, ':') ? "]" : "", bound, dir);
    if (portfile) {                                  /* last: whoever waits for it finds the banner */
        char text[16];
        int len = snprintf(text, sizeof text, "%u\n", bound);
        if (write_file(portfile, text, (size_t)len, 0644, 0) != 0) {
            close(lfd); close(root); close(srv_wake[0]); close(srv_wake[1]);
            return 1;
        }
    }
    while (!srv_stop) {
        struct pollfd pf[2];
        char drain[64];
        pid_t pid;
        int cfd, st;
        while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
            for (i = 0; i < nkids; i++)
                if (kids[i] == pid) { kids[i] = kids[--nkids]; break; }
        pf[0].fd = srv_wake[0]; pf[0].events = POLLIN; pf[0].revents = 0;
        pf[1].fd = lfd; pf[1].events = POLLIN; pf[1].revents = 0;
        /* at the limit, new connections wait in the backlog */
        if (poll(pf, nkids < SRV_MAX_CHILDREN ? 2 : 1, -1) < 0 && errno != EINTR) {
            fail("poll: %s", strerror(errno));
            break;
        }
        while (read(srv_wake[0], drain, sizeof drain) > 0) {}
        if (srv_stop || nkids >= SRV_MAX_CHILDREN || !(pf[1].revents & POLLIN)) continue;
        if ((cfd = accept(lfd, NULL, NULL)) < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                struct timespec ts = {0, 100000000};  /* out of descriptors: breathe */
                fail("accept: %s", strerror(errno));
                nanosleep(&ts, NULL);
            }
            continue;
        }
        sigprocmask(SIG_BLOCK, &block, &old);
        pid = fork();
        if (pid == 0) {                              /* the child serves this connection */
            close(lfd);
            close(srv_wake[0]);
            close(srv_wake[1]);
            sa.sa_handler = SIG_DFL;
            sigaction(SIGTERM, &sa, NULL);
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGCHLD, &sa, NULL);
            sigprocmask(SIG_SETMASK, &old, NULL);
            srv_connection(cfd, root);
            _exit(0);
        }
        if (pid > 0) kids[nkids++] = pid;
        else fail("fork: %s", strerror(errno));
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(cfd);
    }
    close(lfd);
    for (i = 0; i < nkids; i++) kill(kids[i], SIGTERM);
    for (i = 0; i < nkids; i++)
        while (waitpid(kids[i], NULL, 0) < 0 && errno == EINTR) {}
    close(srv_wake[0]);
    close(srv_wake[1]);
    close(root);
    fprintf(stderr, "upd serve: stopped\n");
    return 0;
}
