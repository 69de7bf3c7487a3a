/* sparse_topk.h — private: "top-K per row" sparse matrices shared by the neighbourhood and
 * graph models (itemknn, graph).
 *
 * A row holds at most K (column, value) pairs with value > 0, sorted by descending value
 * (ties: ascending column).  Rows are computed independently by a caller-supplied function,
 * in parallel over pthreads; because each row is produced by one thread in a fixed order,
 * the result does not depend on the number of threads or on scheduling. */
#ifndef MOVIEREC_SPARSE_TOPK_H
#define MOVIEREC_SPARSE_TOPK_H

#include <stdint.h>
#include "movierec/error.h"
#include "movierec/serial.h"
#include "movierec/topn.h"

struct mr_sparse_topk {
    int32_t n_rows;
    int32_t n_cols;
    int64_t *ptr; /* n_rows + 1: row r is [ptr[r], ptr[r+1]) */
    int32_t *col; /* ptr[n_rows] entries */
    float *val;
    int borrowed; /* 1: the arrays are views into a loaded cache file (read-only, not freed) */
};

/* What mr_sparse_topk_build() runs.  row() writes row r's candidate (column, value) pairs
 * into cand (room for n_cols pairs) and returns how many it wrote; each column at most once.
 * Candidates with value <= 0 (or NaN) and the diagonal column r are dropped.  scratch is the
 * calling thread's own object from scratch_new (which returns NULL when out of memory). */
struct mr_sparse_topk_job {
    int32_t n_rows;
    int32_t n_cols;
    int k;       /* neighbours kept per row, >= 1 */
    int threads; /* 0 = number of online cores */
    void *ctx;
    void *(*scratch_new)(void *ctx);
    void (*scratch_free)(void *ctx, void *scratch);
    int32_t (*row)(void *ctx, void *scratch, int32_t r, struct mr_scored *cand);
    mr_progress_fn progress; /* called from the calling thread only; may be NULL */
    void *progress_ctx;
    const char *stage;
};

/* Runs job and fills out (overwritten).  Returns MR_OK or MR_ENOMEM (out is then zeroed). */
int mr_sparse_topk_build(const struct mr_sparse_topk_job *job, struct mr_sparse_topk *out);

/* Makes out the union of in and its transpose (in must be square): (r, c) is in out when
 * (r, c) or (c, r) is in in, valued by in[r][c] when present, else in[c][r].  Rows of out are
 * sorted like those of in and may be longer than K.  Returns MR_OK or MR_ENOMEM. */
int mr_sparse_topk_symmetrize(const struct mr_sparse_topk *in, struct mr_sparse_topk *out);

/* Makes out a copy of in that keeps only the first k entries (the k best) of every row.
 * Returns MR_OK or MR_ENOMEM (out zeroed). */
int mr_sparse_topk_truncate(const struct mr_sparse_topk *in, int k, struct mr_sparse_topk *out);

/* Value at (r, c), or 0 when absent.  O(row length). */
float mr_sparse_topk_get(const struct mr_sparse_topk *t, int32_t r, int32_t c);

/* Number of entries of row r. */
static inline int64_t mr_sparse_topk_row_len(const struct mr_sparse_topk *t, int32_t r)
{
    return t->ptr[r + 1] - t->ptr[r];
}

/* Writes t: its sizes, then (aligned to 16 bytes) the row offsets, columns and values as
 * they are in memory, so that a load can use them in place.  Returns 0, or -1 when the
 * writer failed. */
int mr_sparse_topk_save(const struct mr_sparse_topk *t, struct mr_writer *w);

/* Reads a matrix written by mr_sparse_topk_save() into out, checking that it has n_rows rows
 * and n_cols columns, that the row offsets are consistent, every column in range and every
 * value finite and positive.  out's arrays are views into r's buffer (out->borrowed set): they
 * live as long as that buffer (for a cache file: the model's backing) and must not be written.
 * Returns MR_OK or MR_ECORRUPT (out zeroed). */
int mr_sparse_topk_load(struct mr_reader *r, int32_t n_rows, int32_t n_cols,
                        struct mr_sparse_topk *out);

/* Frees t's arrays (unless borrowed) and zeroes it. */
void mr_sparse_topk_free(struct mr_sparse_topk *t);

/* Number of worker threads for a requested count (0 = online cores, at least 1). */
int mr_sparse_topk_threads(int requested);

#endif
