/* serial.h — reading and writing model data for the cache file.
 *
 * A writer streams bytes to a FILE and keeps a running checksum; a reader walks a
 * buffer holding the whole file and never reads past its end, so a truncated or
 * corrupt cache is detected, never trusted. */
#ifndef MOVIEREC_SERIAL_H
#define MOVIEREC_SERIAL_H

#include <stdint.h>
#include <stddef.h>
#include <stdio.h>

struct mr_writer {
    FILE *f;
    uint64_t checksum; /* FNV-1a 64 of every byte written */
    int failed;        /* set on the first write error; later writes do nothing */
};

struct mr_reader {
    const unsigned char *data;
    size_t size;
    size_t pos;
    int failed; /* set when a read ran past the end or a value was out of range */
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

/* FNV-1a 64 over n bytes, continuing from h (start with MR_FNV_INIT). */
#define MR_FNV_INIT 0xcbf29ce484222325ULL
uint64_t mr_fnv1a(uint64_t h, const void *p, size_t n);

#endif
