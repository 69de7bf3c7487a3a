/* serial.c — bounded reading and checksummed writing of cache data. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/serial.h"

#define ALIGN_MAX 4096

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
    w->offset += n;
    return 0;
}

/* 1 when align is a power of two no larger than ALIGN_MAX. */
static int align_ok(size_t align)
{
    return align > 0 && align <= ALIGN_MAX && (align & (align - 1)) == 0;
}

int mr_write_align(struct mr_writer *w, size_t align)
{
    static const unsigned char zeros[ALIGN_MAX];
    if (!align_ok(align)) {
        w->failed = 1;
        return -1;
    }
    size_t pad = (size_t)((align - w->offset % align) % align);
    return mr_write(w, zeros, pad);
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

int mr_read_align(struct mr_reader *r, size_t align)
{
    if (r->failed || !align_ok(align)) {
        r->failed = 1;
        return -1;
    }
    size_t pad = (align - r->pos % align) % align;
    if (pad > r->size - r->pos) {
        r->failed = 1;
        return -1;
    }
    for (size_t i = 0; i < pad; i++)
        if (r->data[r->pos + i] != 0) {
            r->failed = 1;
            return -1;
        }
    r->pos += pad;
    return 0;
}

/* The alignment an element of size bytes needs: its largest power-of-two divisor, up to 16. */
static size_t element_align(size_t size)
{
    size_t a = 1;
    while (a < 16 && size % (a * 2) == 0)
        a *= 2;
    return a;
}

const void *mr_read_view(struct mr_reader *r, size_t n, size_t size)
{
    if (r->failed || (size && n > (r->size - r->pos) / size)) {
        r->failed = 1;
        return NULL;
    }
    const unsigned char *p = r->data + r->pos;
    if (size && (uintptr_t)p % element_align(size) != 0) {
        r->failed = 1;
        return NULL;
    }
    r->pos += n * size;
    return p;
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
