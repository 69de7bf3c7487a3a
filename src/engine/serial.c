/* serial.c — bounded reading and checksummed writing of cache data. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/serial.h"

#define ALIGN_MAX 4096

#define CK_SEGMENT  ((size_t)16 << 20) /* bytes hashed independently */
#define CK_THREADED (2 * CK_SEGMENT)   /* from this size, two threads */
#define CK_M1       0x9e3779b185ebca87ULL
#define CK_M2       0xc2b2ae3d27d4eb4fULL
#define CK_M3       0x165667b19e3779f9ULL

uint64_t mr_fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

static uint64_t rotl64(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* One round: the word is spread by a multiply, added, rotated so that high bits reach low
 * ones, and multiplied again. */
static uint64_t ck_round(uint64_t acc, uint64_t word)
{
    return rotl64(acc + word * CK_M2, 31) * CK_M1;
}

/* Final mixing: every input bit affects every output bit. */
static uint64_t ck_avalanche(uint64_t h)
{
    h ^= h >> 33;
    h *= CK_M2;
    h ^= h >> 29;
    h *= CK_M3;
    h ^= h >> 32;
    return h;
}

/* Hash of one segment (at most CK_SEGMENT bytes). */
static uint64_t ck_segment(const unsigned char *p, size_t n)
{
    uint64_t lane[4] = {CK_M1 + CK_M2, CK_M2, 0, (uint64_t)0 - CK_M1};
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint64_t w[4];
        memcpy(w, p + i, 32);
        for (int l = 0; l < 4; l++)
            lane[l] = ck_round(lane[l], w[l]);
    }
    uint64_t h =
        rotl64(lane[0], 1) + rotl64(lane[1], 7) + rotl64(lane[2], 12) + rotl64(lane[3], 18);
    for (int l = 0; l < 4; l++)
        h = (h ^ ck_round(0, lane[l])) * CK_M1 + CK_M3;
    /* The last 0..31 bytes, a word at a time, the final word zero-padded. */
    for (; i < n; i += 8) {
        uint64_t w = 0;
        memcpy(&w, p + i, n - i < 8 ? n - i : 8);
        h = rotl64(h ^ ck_round(0, w), 27) * CK_M1 + CK_M3;
    }
    return ck_avalanche(h);
}

/* Segments [first, n_seg) with step 2, hashed into out[]; run by the second thread. */
struct ck_job {
    const unsigned char *p;
    size_t n, n_seg, first;
    uint64_t *out;
};

static void ck_run(struct ck_job *j)
{
    for (size_t s = j->first; s < j->n_seg; s += 2) {
        size_t begin = s * CK_SEGMENT;
        size_t len = j->n - begin < CK_SEGMENT ? j->n - begin : CK_SEGMENT;
        j->out[s] = ck_segment(j->p + begin, len);
    }
}

static void *ck_thread(void *arg)
{
    ck_run(arg);
    return NULL;
}

uint64_t mr_checksum(const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t n_seg = n / CK_SEGMENT + (n % CK_SEGMENT != 0);
    uint64_t h = CK_M3 ^ (uint64_t)n;
    uint64_t *seg = n >= CK_THREADED ? malloc(n_seg * sizeof *seg) : NULL;
    if (seg) {
        struct ck_job odd = {p, n, n_seg, 1, seg}, even = {p, n, n_seg, 0, seg};
        pthread_t t;
        int threaded = pthread_create(&t, NULL, ck_thread, &odd) == 0;
        ck_run(&even);
        if (threaded)
            pthread_join(t, NULL);
        else
            ck_run(&odd);
        for (size_t s = 0; s < n_seg; s++)
            h = rotl64(h ^ seg[s], 29) * CK_M1 + CK_M2;
        free(seg);
    } else {
        for (size_t s = 0; s < n_seg; s++) {
            size_t begin = s * CK_SEGMENT;
            size_t len = n - begin < CK_SEGMENT ? n - begin : CK_SEGMENT;
            h = rotl64(h ^ ck_segment(p + begin, len), 29) * CK_M1 + CK_M2;
        }
    }
    return ck_avalanche(h);
}

int mr_write(struct mr_writer *w, const void *p, size_t n)
{
    if (w->failed)
        return -1;
    if (n && fwrite(p, 1, n, w->f) != n) {
        w->failed = 1;
        return -1;
    }
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
