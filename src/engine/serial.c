/* serial.c — bounded reading and checksummed writing of cache data. */
#include <stdlib.h>
#include <string.h>
#include "movierec/serial.h"

uint64_t mr_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

int mr_write(struct mr_writer *w, const void *p, size_t n)
{
    if (w->failed)
        return -1;
    if (n && fwrite(p, 1, n, w->f) != n) {
        w->failed = 1;
        return -1;
    }
    w->checksum = mr_fnv1a(w->checksum, p, n);
    return 0;
}

int mr_write_u32(struct mr_writer *w, uint32_t v)
{
    return mr_write(w, &v, sizeof v);
}

int mr_write_u64(struct mr_writer *w, uint64_t v)
{
    return mr_write(w, &v, sizeof v);
}

int mr_write_f64(struct mr_writer *w, double v)
{
    return mr_write(w, &v, sizeof v);
}

int mr_read(struct mr_reader *r, void *p, size_t n)
{
    if (r->failed || n > r->size - r->pos) {
        r->failed = 1;
        memset(p, 0, n);
        return -1;
    }
    memcpy(p, r->data + r->pos, n);
    r->pos += n;
    return 0;
}

int mr_read_u32(struct mr_reader *r, uint32_t *v)
{
    return mr_read(r, v, sizeof *v);
}

int mr_read_u64(struct mr_reader *r, uint64_t *v)
{
    return mr_read(r, v, sizeof *v);
}

int mr_read_f64(struct mr_reader *r, double *v)
{
    return mr_read(r, v, sizeof *v);
}

int mr_read_count(struct mr_reader *r, uint32_t max, uint32_t *v)
{
    if (mr_read_u32(r, v) != 0)
        return -1;
    if (*v > max) {
        r->failed = 1;
        *v = 0;
        return -1;
    }
    return 0;
}

void *mr_read_array(struct mr_reader *r, size_t n, size_t size)
{
    if (r->failed || (size && n > (r->size - r->pos) / size)) {
        r->failed = 1;
        return NULL;
    }
    size_t bytes = n * size;
    void *p = malloc(bytes > 0 ? bytes : 1);
    if (!p) {
        r->failed = 1;
        return NULL;
    }
    mr_read(r, p, bytes);
    return p;
}
