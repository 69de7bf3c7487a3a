/* serial.h — reading and writing model data for the cache file.
 *
 * A writer streams bytes to a FILE and counts them; a reader walks a
 * buffer holding the whole file and never reads past its end, so a truncated or corrupt cache
 * is detected, never trusted.
 *
 * Arrays used in place: a writer pads with mr_write_align() before a big array, and the
 * reader skips the same padding with mr_read_align() and takes a pointer into its buffer with
 * mr_read_view() instead of copying.  Offsets count from the start of the file: a reader's
 * data is the file's first byte (a page-aligned mapping, or a malloc'd copy), and its pos
 * starts past the header; a writer's offset counts every byte written since the file began. */
#ifndef MOVIEREC_SERIAL_H
#define MOVIEREC_SERIAL_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

struct mr_writer {
    FILE *f;
    uint64_t checksum; /* unused (files are checksummed whole with mr_checksum) */
    int failed;        /* set on the first write error; later writes do nothing */
    uint64_t offset;   /* bytes written so far, counted from the start of the file */
};

struct mr_reader {
    const unsigned char *data; /* the file's first byte (alignment is counted from here) */
    size_t size;               /* readable bytes from data (the checksum excluded) */
    size_t pos;                /* next byte to read */
    int failed;                /* set when a read ran past the end or a value was out of range */
};

/* Appends n bytes. Returns 0, or -1 (and sets failed) on error. */
int mr_write(struct mr_writer *w, const void *p, size_t n);
int mr_write_u32(struct mr_writer *w, uint32_t v);
int mr_write_u64(struct mr_writer *w, uint64_t v);
int mr_write_f64(struct mr_writer *w, double v);

/* Copies n bytes out. Returns 0, or -1 (and sets failed, zeroing p) when fewer remain. */
int mr_read(struct mr_reader *r, void *p, size_t n);
int mr_read_u32(struct mr_reader *r, uint32_t *v);
int mr_read_u64(struct mr_reader *r, uint64_t *v);
int mr_read_f64(struct mr_reader *r, double *v);

/* Reads a count and checks it is at most max; -1 (failed) otherwise. */
int mr_read_count(struct mr_reader *r, uint32_t max, uint32_t *v);

/* Allocates and reads an array of n elements of size bytes (n * size checked against what
 * remains first).  Returns the array, or NULL (failed set) when short or out of memory. */
void *mr_read_array(struct mr_reader *r, size_t n, size_t size);

/* Pads with zero bytes to a multiple of align (a power of two, at most 4096) counted from the
 * start of the file.  Returns 0, or -1 (failed set) on error or a bad align. */
int mr_write_align(struct mr_writer *w, size_t align);

/* Skips the padding mr_write_align wrote: moves pos to the next multiple of align.  Returns 0,
 * or -1 (failed set) when the padding runs past the end, is not zero, or align is bad. */
int mr_read_align(struct mr_reader *r, size_t align);

/* A pointer to n elements of size bytes inside the reader's buffer (no copy), valid as long as
 * the model that loaded it lives (cache.c keeps the file mapped in mr_model.backing).  NULL
 * (failed set) when short, or when the address is not aligned for the element size (the
 * largest power of two dividing size, at most 16).  n == 0 gives a non-NULL pointer that must
 * not be dereferenced. */
const void *mr_read_view(struct mr_reader *r, size_t n, size_t size);

/* The checksum of the cache and snapshot files: a 64-bit hash of every byte of p[0..n).
 * Independent 16 MiB segments, each hashed in four lanes of 64-bit words by multiply-rotate
 * rounds (any changed bit reaches every bit of its lane), combined in order with the length;
 * so the result does not depend on how many threads computed it.  From 32 MiB on, a second
 * thread hashes every other segment (when one cannot be started, this thread does it all). */
uint64_t mr_checksum(const void *p, size_t n);

/* FNV-1a 64 over n bytes, continuing from h (start with MR_FNV_INIT). */
#define MR_FNV_INIT 0xcbf29ce484222325ULL
uint64_t mr_fnv1a(uint64_t h, const void *p, size_t n);

#endif
