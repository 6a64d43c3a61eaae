/* Custom allocator macros: all three overridden, with a context. A system
   header comes first here, so POSIX must be asked for explicitly. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
struct counter { int live; };
static void *my_malloc(void *ctx, size_t n) { ((struct counter *)ctx)->live++; return malloc(n); }
static void *my_realloc(void *ctx, void *p, size_t n) { if (!p) ((struct counter *)ctx)->live++; return realloc(p, n); }
static void my_free(void *ctx, void *p) { if (p) ((struct counter *)ctx)->live--; free(p); }
#define UPDATER_MALLOC(ctx, n) my_malloc(ctx, n)
#define UPDATER_REALLOC(ctx, p, n) my_realloc(ctx, p, n)
#define UPDATER_FREE(ctx, p) my_free(ctx, p)
#define UPDATER_IMPLEMENTATION
#include "../../updater.h"
int main(void)
{
    static const char text[] = "@serial 1\nhello 1.0 url=http://h/a size=1 "
        "sha256=e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n";
    struct counter c = {0};
    upd_manifest m;
    int during;
    memset(&m, 0, sizeof m);
    m.alloc_ctx = &c;
    if (upd_manifest_parse(&m, text, sizeof text - 1, NULL) != UPD_OK) return 1;
    during = c.live;
    upd_manifest_free(&m);
    return (during > 0 && c.live == 0) ? 0 : 2;
}
