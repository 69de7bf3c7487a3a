/* test_serial.c — the bounded reader and the counting writer: alignment padding written and
 * skipped, views in place that are aligned and never run past the end, and the checksum of
 * the cache and snapshot files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/serial.h"

/* A writer into memory; finish() closes it and hands over the bytes. */
struct mem_file {
    char *buf;
    size_t size;
    FILE *f;
};

static struct mr_writer mem_writer(struct mem_file *m)
{
    m->buf = NULL;
    m->size = 0;
    m->f = open_memstream(&m->buf, &m->size);
    assert_non_null(m->f);
    return (struct mr_writer){.f = m->f, .checksum = MR_FNV_INIT};
}

static void finish(struct mem_file *m)
{
    assert_int_equal(fclose(m->f), 0);
}

/* A copy of the bytes in a buffer aligned like a mapped file (its first byte on a page). */
static unsigned char *page_copy(const struct mem_file *m)
{
    void *p = NULL;
    assert_int_equal(posix_memalign(&p, 4096, m->size ? m->size : 1), 0);
    memcpy(p, m->buf, m->size);
    return p;
}

static void test_writer_counts_and_pads(void **state)
{
    (void)state;
    struct mem_file mf;
    struct mr_writer w = mem_writer(&mf);
    assert_int_equal(mr_write_u32(&w, 7), 0);
    assert_int_equal(w.offset, 4);
    assert_int_equal(mr_write(&w, "abc", 3), 0);
    assert_int_equal(w.offset, 7);
    assert_int_equal(mr_write_align(&w, 64), 0);
    assert_int_equal(w.offset, 64);
    /* Already aligned: nothing is written. */
    assert_int_equal(mr_write_align(&w, 64), 0);
    assert_int_equal(w.offset, 64);
    assert_int_equal(mr_write_u64(&w, 1), 0);
    assert_int_equal(mr_write_align(&w, 4096), 0);
    assert_int_equal(w.offset, 4096);
    finish(&mf);
    assert_int_equal(mf.size, 4096);
    /* The padding is zeros. */
    for (size_t i = 7; i < 64; i++)
        assert_int_equal(mf.buf[i], 0);
    for (size_t i = 72; i < 4096; i++)
        assert_int_equal(mf.buf[i], 0);
    free(mf.buf);
}

static void test_bad_align_fails(void **state)
{
    (void)state;
    struct mem_file mf;
    struct mr_writer w = mem_writer(&mf);
    assert_int_equal(mr_write_align(&w, 24), -1); /* not a power of two */
    assert_int_equal(w.failed, 1);
    assert_int_equal(mr_write_u32(&w, 1), -1); /* later writes do nothing */
    finish(&mf);
    assert_int_equal(mf.size, 0);
    free(mf.buf);

    unsigned char data[16] = {0};
    struct mr_reader r = {.data = data, .size = sizeof data};
    assert_int_equal(mr_read_align(&r, 0), -1);
    assert_int_equal(r.failed, 1);
    r = (struct mr_reader){.data = data, .size = sizeof data};
    assert_int_equal(mr_read_align(&r, 8192), -1);
}

static void test_views_round_trip(void **state)
{
    (void)state;
    int32_t ints[5] = {3, -1, 4, 1, -5};
    double dbls[3] = {0.5, -2.25, 1e300};
    struct mem_file mf;
    struct mr_writer w = mem_writer(&mf);
    mr_write_u32(&w, 5);
    mr_write_align(&w, 64);
    mr_write(&w, ints, sizeof ints);
    mr_write_u32(&w, 3);
    mr_write_align(&w, 64);
    mr_write(&w, dbls, sizeof dbls);
    mr_write(&w, "z", 1);
    assert_int_equal(w.failed, 0);
    finish(&mf);
    unsigned char *file = page_copy(&mf);

    struct mr_reader r = {.data = file, .size = mf.size};
    uint32_t n = 0;
    mr_read_u32(&r, &n);
    assert_int_equal(n, 5);
    assert_int_equal(mr_read_align(&r, 64), 0);
    assert_int_equal(r.pos, 64);
    const int32_t *vi = mr_read_view(&r, n, sizeof *vi);
    assert_non_null(vi);
    /* In place, not a copy. */
    assert_ptr_equal(vi, file + 64);
    assert_memory_equal(vi, ints, sizeof ints);
    mr_read_u32(&r, &n);
    mr_read_align(&r, 64);
    const double *vd = mr_read_view(&r, n, sizeof *vd);
    assert_non_null(vd);
    assert_int_equal((uintptr_t)vd % 64, 0);
    assert_memory_equal(vd, dbls, sizeof dbls);
    /* An empty view is not a failure. */
    assert_non_null(mr_read_view(&r, 0, sizeof(double)));
    char z = 0;
    mr_read(&r, &z, 1);
    assert_int_equal(z, 'z');
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.pos, r.size);
    free(file);
    free(mf.buf);
}

static void test_view_bounded(void **state)
{
    (void)state;
    _Alignas(16) unsigned char data[64] = {0};
    struct mr_reader r = {.data = data, .size = sizeof data};
    /* Exactly what remains is fine; one more element is not. */
    assert_non_null(mr_read_view(&r, 8, 8));
    assert_int_equal(r.pos, 64);
    assert_null(mr_read_view(&r, 1, 1));
    assert_int_equal(r.failed, 1);
    /* A failed reader stays failed. */
    assert_null(mr_read_view(&r, 0, 8));

    r = (struct mr_reader){.data = data, .size = sizeof data};
    assert_null(mr_read_view(&r, 17, 4));
    assert_int_equal(r.failed, 1);
    /* n * size overflowing size_t is refused, not wrapped. */
    r = (struct mr_reader){.data = data, .size = sizeof data};
    assert_null(mr_read_view(&r, SIZE_MAX / 4 + 2, 8));
    assert_int_equal(r.pos, 0);
}

static void test_view_misaligned(void **state)
{
    (void)state;
    _Alignas(16) unsigned char data[64] = {0};
    struct mr_reader r = {.data = data, .size = sizeof data, .pos = 4};
    assert_null(mr_read_view(&r, 2, sizeof(double)));
    assert_int_equal(r.failed, 1);
    /* The same offset suits 4-byte elements, and any offset suits bytes. */
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 4};
    assert_non_null(mr_read_view(&r, 2, sizeof(int32_t)));
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 3};
    assert_non_null(mr_read_view(&r, 5, 1));
    assert_int_equal(r.pos, 8);
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 3};
    assert_null(mr_read_view(&r, 1, sizeof(int16_t)));
    /* A 12-byte element needs 4-byte alignment. */
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 4};
    assert_non_null(mr_read_view(&r, 1, 12));
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 2};
    assert_null(mr_read_view(&r, 1, 12));
}

static void test_read_align_checks_padding(void **state)
{
    (void)state;
    _Alignas(16) unsigned char data[32] = {0};
    data[0] = 1;
    struct mr_reader r = {.data = data, .size = sizeof data, .pos = 1};
    assert_int_equal(mr_read_align(&r, 16), 0);
    assert_int_equal(r.pos, 16);
    /* Padding that is not zero is not padding. */
    data[20] = 9;
    r = (struct mr_reader){.data = data, .size = sizeof data, .pos = 17};
    assert_int_equal(mr_read_align(&r, 16), -1);
    assert_int_equal(r.failed, 1);
    /* Padding past the end: truncated. */
    r = (struct mr_reader){.data = data, .size = 24, .pos = 21};
    assert_int_equal(mr_read_align(&r, 16), -1);
}

/* Every single-bit change, anywhere, changes the checksum; so does the length. */
static void test_checksum_sees_every_bit(void **state)
{
    (void)state;
    unsigned char buf[301];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 131 + 7);
    uint64_t base = mr_checksum(buf, sizeof buf);
    assert_true(base == mr_checksum(buf, sizeof buf));
    for (size_t i = 0; i < sizeof buf; i++)
        for (int b = 0; b < 8; b++) {
            buf[i] ^= (unsigned char)(1u << b);
            assert_true(mr_checksum(buf, sizeof buf) != base);
            buf[i] ^= (unsigned char)(1u << b);
        }
    /* A trailing zero byte is not the same file. */
    unsigned char zeros[64] = {0};
    assert_true(mr_checksum(zeros, 63) != mr_checksum(zeros, 64));
    assert_true(mr_checksum(zeros, 0) != mr_checksum(zeros, 1));
    /* Two flips of the top bit of words of the same lane do not cancel (they would under a
     * plain xor-multiply). */
    buf[7] ^= 0x80;
    buf[7 + 32] ^= 0x80;
    assert_true(mr_checksum(buf, sizeof buf) != base);
}

/* A big buffer (several segments, hashed by two threads) is hashed the same every time and
 * any changed byte, in any segment, is seen. */
static void test_checksum_big(void **state)
{
    (void)state;
    size_t n = ((size_t)40 << 20) + 5;
    unsigned char *p = malloc(n);
    assert_non_null(p);
    uint64_t x = 88172645463325252ULL; /* xorshift: no two segments alike */
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        p[i] = (unsigned char)x;
    }
    uint64_t base = mr_checksum(p, n);
    assert_true(mr_checksum(p, n) == base);
    size_t where[] = {0, (size_t)16 << 20, ((size_t)16 << 20) + 3, ((size_t)32 << 20) + 99, n - 1};
    for (size_t k = 0; k < sizeof where / sizeof *where; k++) {
        p[where[k]] ^= 1;
        assert_true(mr_checksum(p, n) != base);
        p[where[k]] ^= 1;
    }
    /* Segments are not interchangeable: swapping the first two changes the result. */
    unsigned char *tmp = malloc((size_t)16 << 20);
    assert_non_null(tmp);
    memcpy(tmp, p, (size_t)16 << 20);
    memcpy(p, p + ((size_t)16 << 20), (size_t)16 << 20);
    memcpy(p + ((size_t)16 << 20), tmp, (size_t)16 << 20);
    assert_true(mr_checksum(p, n) != base);
    free(tmp);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer_counts_and_pads),
        cmocka_unit_test(test_bad_align_fails),
        cmocka_unit_test(test_views_round_trip),
        cmocka_unit_test(test_view_bounded),
        cmocka_unit_test(test_view_misaligned),
        cmocka_unit_test(test_read_align_checks_padding),
        cmocka_unit_test(test_checksum_sees_every_bit),
        cmocka_unit_test(test_checksum_big),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
