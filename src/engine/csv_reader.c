/* csv_reader.c — CSV files through libcsv, with real line numbers, a checked header, bad
 * records reported and skipped, and an optional split of a big file over two threads.
 *
 * Each physical line is fed to libcsv on its own (CSV_REPALL_NL), so a record's line is
 * known: the first line fed after the previous record ended.  A
 * range of the file ended between two records exactly when libcsv reported an unquoted
 * '\n' while the range's last line was fed. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/error.h"
#include "loaders.h"

struct csv_reader {
    struct mr_load *ld;
    struct mr_lines lines;
    struct csv_parser parser;
    int parser_ready;
    const char *header; /* the expected header line */
    int header_done;
    mr_csv_row_fn row_fn;
    mr_csv_field_fn field_fn; /* NULL: fields are copied into rec */
    void *row_ctx;
    char *rec; /* the current record's fields, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t off[MR_CSV_MAX_FIELDS], flen[MR_CSV_MAX_FIELDS];
    int n_fields;
    int64_t pending;   /* bytes fed since the last record ended */
    long record_line;  /* line where the record being fed began */
    long last_nl_line; /* line during which libcsv last reported an unquoted '\n' */
    int fatal;         /* MR_ENOMEM or MR_EDATA once the load must stop */
    char what[256];
};

static void reader_field(void *data, size_t len, void *r_)
{
    struct csv_reader *r = r_;
    if (r->fatal)
        return;
    if (r->field_fn && r->header_done) {
        r->field_fn(r->row_ctx, r->n_fields++, data, len);
        return;
    }
    if (r->rec_len + len + 1 > r->rec_cap) {
        size_t cap = r->rec_cap * 2;
        while (cap < r->rec_len + len + 1)
            cap *= 2;
        char *rec = realloc(r->rec, cap);
        if (!rec) {
            r->fatal = mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, 0, "out of memory");
            return;
        }
        r->rec = rec;
        r->rec_cap = cap;
    }
    char *dst = r->rec + r->rec_len;
    if (len)
        memcpy(dst, data, len);
    dst[len] = '\0';
    if (r->n_fields < MR_CSV_MAX_FIELDS) {
        r->off[r->n_fields] = r->rec_len;
        r->flen[r->n_fields] = len;
    }
    r->n_fields++;
    r->rec_len += len + 1;
}

/* 1 when the row's fields are the names of the expected header, compared without case. */
static int header_matches(const char *header, const struct mr_csv_row *row)
{
    const char *names[MR_CSV_MAX_FIELDS];
    size_t lens[MR_CSV_MAX_FIELDS];
    int n = mr_split(header, strlen(header), ",", 1, names, lens, MR_CSV_MAX_FIELDS);
    if (n != row->n)
        return 0;
    for (int i = 0; i < n; i++)
        if (row->len[i] != lens[i] || strncasecmp(row->field[i], names[i], lens[i]) != 0)
            return 0;
    return 1;
}

static void reader_record(int terminator, void *r_)
{
    struct csv_reader *r = r_;
    if (terminator == '\n')
        r->last_nl_line = r->lines.line;
    r->pending = 0;
    if (r->n_fields == 0)
        return; /* an empty line, reported because of CSV_REPALL_NL */
    struct mr_csv_row row;
    row.n = r->n_fields;
    int copied = !(r->field_fn && r->header_done);
    for (int i = 0; copied && i < row.n && i < MR_CSV_MAX_FIELDS; i++) {
        row.field[i] = r->rec + r->off[i];
        row.len[i] = r->flen[i];
    }
    /* Counting the newlines inside its fields would be wrong for a quoted field left open at
     * the end of the file (it holds the last line's newline too). */
    row.line = r->record_line;
    long spanned = r->lines.line - r->record_line;
    r->rec_len = 0;
    r->n_fields = 0;
    if (r->fatal)
        return;
    if (!r->header_done) {
        r->header_done = 1;
        if (!header_matches(r->header, &row))
            r->fatal = mr_error_set(r->ld->err, MR_EDATA, r->lines.path, row.line,
                                    "expected the header line '%s'", r->header);
        return;
    }
    r->ld->stats->lines_read++;
    const char *what = r->row_fn(r->row_ctx, &row, r->what, sizeof r->what, &r->fatal);
    if (what && !r->fatal && spanned > 0) {
        /* A bad record over several lines is most likely an unclosed quote: say so. */
        char longer[sizeof r->what + 96];
        snprintf(longer, sizeof longer, "%s (the record runs over %ld lines: an unclosed quote?)",
                 what, spanned + 1);
        mr_load_skip(r->ld, r->lines.path, row.line, longer);
    } else if (what && !r->fatal) {
        mr_load_skip(r->ld, r->lines.path, row.line, what);
    }
    if (r->fatal == MR_ENOMEM)
        mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, row.line, "out of memory");
}

static int parser_start(struct csv_reader *r)
{
    if (csv_init(&r->parser, CSV_REPALL_NL) != 0)
        return mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, 0, "out of memory");
    r->parser_ready = 1;
    return MR_OK;
}

/* Opens the byte range [begin, end) of path (end -1: to the end) for reading records. */
static int reader_open(struct csv_reader *r, struct mr_load *ld, const char *path,
                       const char *stage, const char *header, struct mr_csv_handler h, void *ctx,
                       int64_t begin, int64_t end)
{
    memset(r, 0, sizeof *r);
    r->ld = ld;
    r->header = header;
    r->header_done = header == NULL;
    r->row_fn = h.row;
    r->field_fn = h.field;
    r->row_ctx = ctx;
    int rc = mr_lines_open_range(&r->lines, ld, path, stage, begin, end);
    if (rc != MR_OK)
        return rc;
    r->rec_cap = 4096;
    r->rec = malloc(r->rec_cap);
    if (!r->rec)
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    return parser_start(r);
}

/* Drops the record being read and starts libcsv afresh (sets r->fatal when it cannot). */
static void reader_restart(struct csv_reader *r)
{
    csv_free(&r->parser);
    r->parser_ready = 0;
    r->rec_len = 0;
    r->n_fields = 0;
    r->pending = 0;
    r->fatal = parser_start(r);
}

/* Before feeding the line just read: a record still open after ld->max_record_bytes is a
 * quote that was never closed.  It is reported at its first line and dropped with the lines
 * it swallowed, so that one stray quote neither buffers nor loses the rest of the file.
 * (Reports name no other line: those of a second half are moved by an offset later.) */
static void reader_check_runaway(struct csv_reader *r, size_t len)
{
    if (r->pending == 0) {
        r->record_line = r->lines.line;
    } else if (r->pending + (int64_t)len > r->ld->max_record_bytes) {
        char what[160];
        snprintf(what, sizeof what,
                 "unclosed quote: the record runs past %lld bytes; it and the %ld lines after "
                 "it are skipped",
                 (long long)r->ld->max_record_bytes, r->lines.line - 1 - r->record_line);
        r->ld->stats->lines_read++;
        mr_load_skip(r->ld, r->lines.path, r->record_line, what);
        reader_restart(r);
        r->record_line = r->lines.line;
    }
    r->pending += (int64_t)len;
}

/* Feeds every line of the range to libcsv.  Does not flush the last record. */
static int reader_run(struct csv_reader *r)
{
    while (!r->fatal) {
        char *text;
        size_t len;
        int got = mr_lines_next(&r->lines, &text, &len);
        if (got == MR_LINE_EOF)
            break;
        if (got == MR_LINE_OK) {
            reader_check_runaway(r, len);
            if (r->fatal)
                break;
            if (csv_parse(&r->parser, text, len, reader_field, reader_record, r) != len &&
                !r->fatal)
                r->fatal = mr_error_set(r->ld->err, MR_ENOMEM, r->lines.path, r->lines.line,
                                        "libcsv: %s", csv_strerror(csv_error(&r->parser)));
        } else if (got == MR_LINE_LONG) {
            /* Whatever record the long line belonged to is dropped: start afresh. */
            reader_restart(r);
        } else {
            r->fatal = MR_EDATA; /* ld->err says what */
        }
    }
    return r->fatal;
}

/* Flushes a last record that has no line end and checks that the header was seen. */
static int reader_finish(struct csv_reader *r)
{
    if (r->fatal)
        return r->fatal;
    csv_fini(&r->parser, reader_field, reader_record, r);
    if (!r->fatal && !r->header_done)
        r->fatal = mr_error_set(r->ld->err, MR_EDATA, r->lines.path, 0,
                                "empty file: expected the header line '%s'", r->header);
    return r->fatal;
}

static void reader_close(struct csv_reader *r)
{
    if (r->parser_ready)
        csv_free(&r->parser);
    r->parser_ready = 0;
    free(r->rec);
    r->rec = NULL;
    mr_lines_close(&r->lines);
}

int mr_csv_read(struct mr_load *ld, const char *path, const char *stage, const char *header,
                struct mr_csv_handler h, void *ctx)
{
    struct csv_reader r;
    int rc = reader_open(&r, ld, path, stage, header, h, ctx, 0, -1);
    if (rc == MR_OK)
        rc = reader_run(&r);
    if (rc == MR_OK)
        rc = reader_finish(&r);
    reader_close(&r);
    return rc;
}

/* ---- two halves on two threads ---- */

struct held_report {
    long line; /* relative to the second half */
    char *what;
};

/* The second half: its own load state, so nothing is shared with the first while both run. */
struct second_half {
    struct csv_reader r;
    struct mr_load ld;
    struct mr_load_opts opts;
    struct mr_error err;
    struct held_report *reports;
    size_t n_reports, cap_reports;
    int oom;
    int rc;
};

/* The second half's reporter: keeps what it is told until the first half is done. */
static void hold_report(void *ctx, const char *file, long line, const char *what)
{
    (void)file;
    struct second_half *h = ctx;
    if (h->oom)
        return;
    if (h->n_reports == h->cap_reports) {
        size_t cap = h->cap_reports ? h->cap_reports * 2 : 64;
        struct held_report *reports = realloc(h->reports, cap * sizeof *reports);
        if (!reports) {
            h->oom = 1;
            return;
        }
        h->reports = reports;
        h->cap_reports = cap;
    }
    char *copy = strdup(what);
    if (!copy) {
        h->oom = 1;
        return;
    }
    h->reports[h->n_reports++] = (struct held_report){line, copy};
}

static void *second_half_run(void *arg)
{
    struct second_half *h = arg;
    h->rc = reader_run(&h->r);
    if (h->rc == MR_OK)
        h->rc = reader_finish(&h->r);
    return NULL;
}

static void second_half_free(struct second_half *h)
{
    reader_close(&h->r);
    for (size_t i = 0; i < h->n_reports; i++)
        free(h->reports[i].what);
    free(h->reports);
    h->reports = NULL;
    h->n_reports = 0;
}

/* Offset of the first line start at or after the middle of the file, or 0 when there is
 * none close to it (the file is then read in one piece). */
static int64_t find_cut(const char *path, int64_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char *window = malloc(MR_MAX_LINE + 1);
    int64_t mid = size / 2;
    ssize_t got = window ? pread(fd, window, MR_MAX_LINE + 1, (off_t)mid) : -1;
    close(fd);
    char *nl = got > 0 ? memchr(window, '\n', (size_t)got) : NULL;
    int64_t cut = nl ? mid + (nl - window) + 1 : 0;
    free(window);
    return cut < size ? cut : 0;
}

int mr_csv_read_split(struct mr_load *ld, const char *path, const char *stage, const char *header,
                      struct mr_csv_handler h, void *ctx, void *ctx2, int *split)
{
    *split = 0;
    struct stat st;
    int64_t cut = 0;
    if (stat(path, &st) == 0 && (int64_t)st.st_size >= ld->split_min_bytes)
        cut = find_cut(path, (int64_t)st.st_size);
    if (cut == 0)
        return mr_csv_read(ld, path, stage, header, h, ctx);

    struct csv_reader first;
    int rc = reader_open(&first, ld, path, stage, header, h, ctx, 0, cut);
    if (rc != MR_OK) {
        reader_close(&first);
        return rc;
    }
    struct second_half *half = calloc(1, sizeof *half);
    if (!half) {
        reader_close(&first);
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    }
    half->opts.report = hold_report;
    half->opts.report_ctx = half;
    mr_load_init(&half->ld, &half->opts, NULL, &half->err);
    half->ld.max_record_bytes = ld->max_record_bytes; /* the same rules in both halves */
    pthread_t thread;
    int started = 0;
    if (reader_open(&half->r, &half->ld, path, stage, NULL, h, ctx2, cut, -1) == MR_OK)
        started = pthread_create(&thread, NULL, second_half_run, half) == 0;

    rc = reader_run(&first);
    if (started)
        pthread_join(thread, NULL);
    /* The halves fit together when the first ended between two records, after the header
     * (blank lines may put the header itself in the second half). */
    int fits = started && rc == MR_OK && first.last_nl_line == first.lines.line &&
               first.lines.line > 0 && first.n_fields == 0 && first.header_done && !half->oom;
    if (fits && half->rc != MR_OK) {
        /* The second half failed on its own: pass its error on, at the file's real line. */
        rc = mr_error_set(ld->err, half->err.status, path,
                          half->err.line ? half->err.line + first.lines.line : 0, "%s",
                          half->err.msg);
    } else if (fits) {
        long offset = first.lines.line;
        ld->stats->lines_read += half->ld.stats->lines_read;
        for (size_t i = 0; i < half->n_reports; i++)
            mr_load_skip(ld, path, half->reports[i].line + offset, half->reports[i].what);
        *split = 1;
    } else if (rc == MR_OK) {
        /* Not a clean cut (a quoted field spans it): read on in one piece. */
        mr_lines_extend(&first.lines, -1);
        rc = reader_run(&first);
    }
    if (rc == MR_OK)
        rc = reader_finish(&first);
    second_half_free(half);
    free(half);
    reader_close(&first);
    return rc;
}
