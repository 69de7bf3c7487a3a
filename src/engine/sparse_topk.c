/* sparse_topk.c — top-K per row sparse matrices, built in parallel (see sparse_topk.h). */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "sparse_topk.h"

/* 1 when a ranks below b: lower value, or the same value and a higher column. */
static int ranks_below(const struct mr_scored *a, const struct mr_scored *b)
{
    return a->score < b->score || (a->score == b->score && a->item > b->item);
}

/* Restores the min-heap (worst at the root) below position i. */
static void heap_down(struct mr_scored *h, int n, int i)
{
    for (;;) {
        int l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && ranks_below(&h[l], &h[w]))
            w = l;
        if (r < n && ranks_below(&h[r], &h[w]))
            w = r;
        if (w == i)
            return;
        struct mr_scored t = h[i];
        h[i] = h[w];
        h[w] = t;
        i = w;
    }
}

static int cmp_best_first(const void *pa, const void *pb)
{
    const struct mr_scored *a = pa, *b = pb;
    if (ranks_below(b, a))
        return -1;
    if (ranks_below(a, b))
        return 1;
    return 0;
}

/* Keeps the k best positive candidates of cand (excluding column self) in heap, sorted best
 * first; returns how many. */
static int select_topk(const struct mr_scored *cand, int32_t n, int32_t self, int k,
                       struct mr_scored *heap)
{
    int len = 0;
    for (int32_t i = 0; i < n; i++) {
        const struct mr_scored *c = &cand[i];
        if (c->item == self || !(c->score > 0.0f) || !isfinite(c->score))
            continue;
        if (len < k) {
            /* Sift up. */
            int j = len++;
            heap[j] = *c;
            while (j > 0) {
                int p = (j - 1) / 2;
                if (!ranks_below(&heap[j], &heap[p]))
                    break;
                struct mr_scored t = heap[j];
                heap[j] = heap[p];
                heap[p] = t;
                j = p;
            }
        } else if (ranks_below(&heap[0], c)) {
            heap[0] = *c;
            heap_down(heap, len, 0);
        }
    }
    qsort(heap, (size_t)len, sizeof *heap, cmp_best_first);
    return len;
}

int mr_sparse_topk_threads(int requested)
{
    if (requested > 0)
        return requested > 256 ? 256 : requested;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > 64 ? 64 : (int)n;
}

struct build_shared {
    const struct mr_sparse_topk_job *job;
    int32_t *slot_col; /* n_rows * k */
    float *slot_val;
    int32_t *len; /* n_rows */
    atomic_int_fast32_t next;
    atomic_int_fast32_t done;
    atomic_int failed;
};

/* Computes rows until none is left; the thread with report set also reports progress. */
static void build_rows(struct build_shared *sh, int report)
{
    const struct mr_sparse_topk_job *job = sh->job;
    void *scratch = job->scratch_new ? job->scratch_new(job->ctx) : NULL;
    struct mr_scored *cand = malloc((size_t)(job->n_cols > 0 ? job->n_cols : 1) * sizeof *cand);
    struct mr_scored *heap = malloc((size_t)job->k * sizeof *heap);
    int32_t reported = 0;
    if (!cand || !heap || (job->scratch_new && !scratch)) {
        atomic_store(&sh->failed, 1);
        goto out;
    }
    for (;;) {
        if (atomic_load(&sh->failed))
            break;
        int32_t r = (int32_t)atomic_fetch_add(&sh->next, 1);
        if (r >= job->n_rows)
            break;
        int32_t n = job->row(job->ctx, scratch, r, cand);
        int len = select_topk(cand, n, r, job->k, heap);
        size_t base = (size_t)r * (size_t)job->k;
        for (int i = 0; i < len; i++) {
            sh->slot_col[base + (size_t)i] = heap[i].item;
            sh->slot_val[base + (size_t)i] = heap[i].score;
        }
        sh->len[r] = len;
        int32_t d = (int32_t)atomic_fetch_add(&sh->done, 1) + 1;
        if (report && job->progress && d - reported >= 256) {
            reported = d;
            job->progress(job->progress_ctx, job->stage ? job->stage : "neighbours",
                          (double)d / (double)job->n_rows);
        }
    }
out:
    free(cand);
    free(heap);
    if (scratch && job->scratch_free)
        job->scratch_free(job->ctx, scratch);
}

static void *build_thread(void *arg)
{
    build_rows(arg, 0);
    return NULL;
}

/* Allocates out with n_rows rows and nnz entries (ptr zeroed).  Returns MR_OK or MR_ENOMEM. */
static int topk_alloc(struct mr_sparse_topk *out, int32_t n_rows, int32_t n_cols, int64_t nnz)
{
    memset(out, 0, sizeof *out);
    out->n_rows = n_rows;
    out->n_cols = n_cols;
    out->ptr = calloc((size_t)n_rows + 1, sizeof *out->ptr);
    out->col = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *out->col);
    out->val = malloc((size_t)(nnz > 0 ? nnz : 1) * sizeof *out->val);
    if (!out->ptr || !out->col || !out->val) {
        mr_sparse_topk_free(out);
        return MR_ENOMEM;
    }
    return MR_OK;
}

int mr_sparse_topk_build(const struct mr_sparse_topk_job *job, struct mr_sparse_topk *out)
{
    memset(out, 0, sizeof *out);
    int k = job->k < 1 ? 1 : job->k;
    struct mr_sparse_topk_job j = *job;
    j.k = k;
    struct build_shared sh = {.job = &j};
    size_t slots = (size_t)(job->n_rows > 0 ? job->n_rows : 1) * (size_t)k;
    sh.slot_col = malloc(slots * sizeof *sh.slot_col);
    sh.slot_val = malloc(slots * sizeof *sh.slot_val);
    sh.len = calloc((size_t)(job->n_rows > 0 ? job->n_rows : 1), sizeof *sh.len);
    atomic_init(&sh.next, 0);
    atomic_init(&sh.done, 0);
    atomic_init(&sh.failed, 0);
    int rc = MR_ENOMEM;
    if (!sh.slot_col || !sh.slot_val || !sh.len)
        goto out;

    int n_threads = mr_sparse_topk_threads(job->threads);
    pthread_t *tids = calloc((size_t)n_threads, sizeof *tids);
    int started = 0;
    for (int t = 1; tids && t < n_threads; t++) {
        if (pthread_create(&tids[started], NULL, build_thread, &sh) != 0)
            break; /* fewer threads: the calling thread does the rest */
        started++;
    }
    build_rows(&sh, 1);
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    if (job->progress && !atomic_load(&sh.failed))
        job->progress(job->progress_ctx, job->stage ? job->stage : "neighbours", 1.0);
    if (atomic_load(&sh.failed))
        goto out;

    int64_t nnz = 0;
    for (int32_t r = 0; r < job->n_rows; r++)
        nnz += sh.len[r];
    if (topk_alloc(out, job->n_rows, job->n_cols, nnz) != MR_OK)
        goto out;
    int64_t p = 0;
    for (int32_t r = 0; r < job->n_rows; r++) {
        size_t base = (size_t)r * (size_t)k;
        memcpy(out->col + p, sh.slot_col + base, (size_t)sh.len[r] * sizeof *out->col);
        memcpy(out->val + p, sh.slot_val + base, (size_t)sh.len[r] * sizeof *out->val);
        p += sh.len[r];
        out->ptr[r + 1] = p;
    }
    rc = MR_OK;
out:
    free(sh.slot_col);
    free(sh.slot_val);
    free(sh.len);
    return rc;
}

static int cmp_column(const void *pa, const void *pb)
{
    const struct mr_scored *a = pa, *b = pb;
    return (a->item > b->item) - (a->item < b->item);
}

int mr_sparse_topk_symmetrize(const struct mr_sparse_topk *in, struct mr_sparse_topk *out)
{
    memset(out, 0, sizeof *out);
    int32_t n = in->n_rows;
    int64_t nnz = in->ptr[n];
    /* Each entry (r, c) appears in row r (first) and row c (second); duplicates removed below. */
    int64_t *cnt = calloc((size_t)n + 1, sizeof *cnt);
    struct mr_scored *all = malloc((size_t)(2 * nnz > 0 ? 2 * nnz : 1) * sizeof *all);
    int64_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    int rc = MR_ENOMEM;
    if (!cnt || !all || !fill)
        goto out;
    for (int32_t r = 0; r < n; r++)
        for (int64_t p = in->ptr[r]; p < in->ptr[r + 1]; p++) {
            cnt[r + 1]++;
            cnt[in->col[p] + 1]++;
        }
    for (int32_t r = 0; r < n; r++)
        cnt[r + 1] += cnt[r];
    memcpy(fill, cnt, ((size_t)n + 1) * sizeof *fill);
    for (int32_t r = 0; r < n; r++)
        for (int64_t p = in->ptr[r]; p < in->ptr[r + 1]; p++) {
            int32_t c = in->col[p];
            all[fill[r]++] = (struct mr_scored){c, in->val[p]};
            all[fill[c]++] = (struct mr_scored){r, in->val[p]};
        }
    /* Sort each row by column and keep one entry per column: when (r, c) and (c, r) both
     * exist, the value of (r, c). */
    int64_t kept = 0;
    for (int32_t r = 0; r < n; r++) {
        int64_t b = cnt[r], e = cnt[r + 1];
        qsort(all + b, (size_t)(e - b), sizeof *all, cmp_column);
        int64_t w = b;
        for (int64_t p = b; p < e;) {
            int64_t q = p;
            struct mr_scored best = all[p];
            while (q < e && all[q].item == all[p].item)
                q++;
            if (q - p > 1) {
                float v = mr_sparse_topk_get(in, r, best.item);
                if (v > 0.0f)
                    best.score = v;
            }
            all[w++] = best;
            p = q;
        }
        qsort(all + b, (size_t)(w - b), sizeof *all, cmp_best_first);
        fill[r] = w - b; /* reuse: kept length of row r */
        kept += w - b;
    }
    if (topk_alloc(out, n, in->n_cols, kept) != MR_OK)
        goto out;
    int64_t p = 0;
    for (int32_t r = 0; r < n; r++) {
        for (int64_t i = 0; i < fill[r]; i++) {
            out->col[p] = all[cnt[r] + i].item;
            out->val[p] = all[cnt[r] + i].score;
            p++;
        }
        out->ptr[r + 1] = p;
    }
    rc = MR_OK;
out:
    free(cnt);
    free(all);
    free(fill);
    return rc;
}

int mr_sparse_topk_truncate(const struct mr_sparse_topk *in, int k, struct mr_sparse_topk *out)
{
    int64_t nnz = 0;
    for (int32_t r = 0; r < in->n_rows; r++) {
        int64_t len = in->ptr[r + 1] - in->ptr[r];
        nnz += len < k ? len : k;
    }
    if (topk_alloc(out, in->n_rows, in->n_cols, nnz) != MR_OK)
        return MR_ENOMEM;
    int64_t p = 0;
    for (int32_t r = 0; r < in->n_rows; r++) {
        int64_t len = in->ptr[r + 1] - in->ptr[r];
        if (len > k)
            len = k;
        memcpy(out->col + p, in->col + in->ptr[r], (size_t)len * sizeof *out->col);
        memcpy(out->val + p, in->val + in->ptr[r], (size_t)len * sizeof *out->val);
        p += len;
        out->ptr[r + 1] = p;
    }
    return MR_OK;
}

float mr_sparse_topk_get(const struct mr_sparse_topk *t, int32_t r, int32_t c)
{
    for (int64_t p = t->ptr[r]; p < t->ptr[r + 1]; p++)
        if (t->col[p] == c)
            return t->val[p];
    return 0.0f;
}

int mr_sparse_topk_save(const struct mr_sparse_topk *t, struct mr_writer *w)
{
    int64_t nnz = t->ptr[t->n_rows];
    mr_write_u32(w, (uint32_t)t->n_rows);
    mr_write_u32(w, (uint32_t)t->n_cols);
    mr_write_u64(w, (uint64_t)nnz);
    mr_write_align(w, 16);
    mr_write(w, t->ptr, ((size_t)t->n_rows + 1) * sizeof *t->ptr);
    mr_write(w, t->col, (size_t)nnz * sizeof *t->col);
    mr_write(w, t->val, (size_t)nnz * sizeof *t->val);
    return w->failed ? -1 : 0;
}

int mr_sparse_topk_load(struct mr_reader *r, int32_t n_rows, int32_t n_cols,
                        struct mr_sparse_topk *out)
{
    memset(out, 0, sizeof *out);
    uint32_t rows, cols;
    uint64_t nnz;
    if (mr_read_u32(r, &rows) || mr_read_u32(r, &cols) || mr_read_u64(r, &nnz) ||
        mr_read_align(r, 16))
        return MR_ECORRUPT;
    if (rows != (uint32_t)n_rows || cols != (uint32_t)n_cols ||
        nnz > (uint64_t)n_rows * (uint64_t)n_cols ||
        nnz > (r->size - r->pos) / (sizeof(int32_t) + sizeof(float)))
        goto corrupt;
    /* Views into the reader's buffer: the cache file's mapping, which the model keeps. */
    const int64_t *ptr = mr_read_view(r, (size_t)n_rows + 1, sizeof *ptr);
    const int32_t *col = mr_read_view(r, (size_t)nnz, sizeof *col);
    const float *val = mr_read_view(r, (size_t)nnz, sizeof *val);
    if (!ptr || !col || !val || ptr[0] != 0 || ptr[n_rows] != (int64_t)nnz)
        goto corrupt;
    for (int32_t i = 0; i < n_rows; i++)
        if (ptr[i + 1] < ptr[i] || ptr[i + 1] - ptr[i] > n_cols)
            goto corrupt;
    /* One pass that the compiler can vectorise: any bad entry makes bad nonzero. */
    int bad = 0;
    for (uint64_t p = 0; p < nnz; p++)
        bad |= (uint32_t)col[p] >= (uint32_t)n_cols || !(val[p] > 0.0f) || !(val[p] < INFINITY);
    if (bad)
        goto corrupt;
    *out = (struct mr_sparse_topk){.n_rows = n_rows,
                                   .n_cols = n_cols,
                                   .ptr = (int64_t *)ptr,
                                   .col = (int32_t *)col,
                                   .val = (float *)val,
                                   .borrowed = 1};
    return MR_OK;
corrupt:
    r->failed = 1;
    return MR_ECORRUPT;
}

void mr_sparse_topk_free(struct mr_sparse_topk *t)
{
    if (!t->borrowed) {
        free(t->ptr);
        free(t->col);
        free(t->val);
    }
    memset(t, 0, sizeof *t);
}
