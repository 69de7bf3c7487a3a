/* load_lines.c — what every loader shares: bad-line reports, the block line reader with its
 * over-long line rule and file fingerprint, field splitting and bad-field descriptions, adding
 * movies with their lines, and the movieId lookup. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/error.h"
#include "loaders.h"
#include "utf8.h"

/* Read size of one block; a line never needs more than MR_MAX_LINE of it. */
#define BLOCK (1 << 20)

void mr_load_init(struct mr_load *ld, const struct mr_load_opts *opts, struct mr_load_stats *stats,
                  struct mr_error *err)
{
    memset(ld, 0, sizeof *ld);
    ld->opts = opts ? opts : &ld->own_opts;
    ld->stats = stats ? stats : &ld->own_stats;
    ld->err = err;
    ld->fingerprint = 0xcbf29ce484222325ull; /* FNV-1a offset basis */
    ld->split_min_bytes = 64ll << 20;
    ld->max_record_bytes = MR_MAX_LINE;
}

void mr_load_skip(struct mr_load *ld, const char *file, long line, const char *what)
{
    ld->stats->lines_skipped++;
    if (ld->opts->report)
        ld->opts->report(ld->opts->report_ctx, file, line, what);
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Mixes a file's base name, size and modification time into the fingerprint. */
static void fingerprint_file(struct mr_load *ld, const char *path, const struct stat *st)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    uint64_t h = fnv1a(ld->fingerprint, base, strlen(base) + 1);
    int64_t fields[3] = {(int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
                         (int64_t)st->st_mtim.tv_nsec};
    ld->fingerprint = fnv1a(h, fields, sizeof fields);
}

int mr_lines_open(struct mr_lines *lr, struct mr_load *ld, const char *path, const char *stage)
{
    return mr_lines_open_range(lr, ld, path, stage, 0, -1);
}

void mr_lines_extend(struct mr_lines *lr, int64_t end)
{
    int64_t read_to = lr->begin_offset + lr->done;
    lr->remaining = end < 0 ? -1 : end - read_to;
    lr->size = end < 0 ? lr->file_size - lr->begin_offset : end - lr->begin_offset;
    lr->eof = 0;
}

int mr_lines_open_range(struct mr_lines *lr, struct mr_load *ld, const char *path,
                        const char *stage, int64_t begin, int64_t end)
{
    memset(lr, 0, sizeof *lr);
    lr->fd = -1;
    lr->ld = ld;
    lr->path = path;
    lr->stage = stage;
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mr_error_set(ld->err, MR_EDATA, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mr_error_set(ld->err, MR_EDATA, path, 0, "not a regular file");
    }
    lr->buf = malloc(BLOCK + 1); /* one spare byte: a last line can always be terminated */
    if (!lr->buf) {
        close(fd);
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    }
    if (begin > 0 && lseek(fd, (off_t)begin, SEEK_SET) < 0) {
        close(fd);
        free(lr->buf);
        lr->buf = NULL;
        return mr_error_set(ld->err, MR_EDATA, path, 0, "cannot seek: %s", strerror(errno));
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    lr->fd = fd;
    lr->cap = BLOCK;
    lr->file_size = (int64_t)st.st_size;
    lr->begin_offset = begin;
    lr->remaining = end < 0 ? -1 : end - begin;
    lr->size = (end < 0 ? (int64_t)st.st_size : end) - begin;
    fingerprint_file(ld, path, &st);
    return MR_OK;
}

void mr_lines_close(struct mr_lines *lr)
{
    if (lr->fd >= 0)
        close(lr->fd);
    lr->fd = -1;
    free(lr->buf);
    lr->buf = NULL;
}

/* Moves the unread bytes to the front and reads one more block.  Returns 1 when bytes
 * were added, 0 at end of file, -1 on a read error (reported in ld->err). */
static int lines_fill(struct mr_lines *lr)
{
    if (lr->begin > 0) {
        memmove(lr->buf, lr->buf + lr->begin, lr->end - lr->begin);
        lr->end -= lr->begin;
        lr->begin = 0;
    }
    size_t want = lr->cap - lr->end;
    if (lr->remaining >= 0 && (int64_t)want > lr->remaining)
        want = (size_t)lr->remaining;
    if (want == 0) {
        lr->eof = 1;
        return 0;
    }
    for (;;) {
        ssize_t got = read(lr->fd, lr->buf + lr->end, want);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            mr_error_set(lr->ld->err, MR_EDATA, lr->path, lr->line + 1, "read failed: %s",
                         strerror(errno));
            return -1;
        }
        if (got == 0) {
            lr->eof = 1;
            return 0;
        }
        lr->end += (size_t)got;
        lr->done += got;
        if (lr->remaining >= 0)
            lr->remaining -= got;
        const struct mr_load_opts *o = lr->ld->opts;
        if (o->progress && lr->size > 0)
            o->progress(o->progress_ctx, lr->stage, (double)lr->done / (double)lr->size);
        return 1;
    }
}

/* Counts the next line as read and reports it as over-long (skipped). */
static void report_long_line(struct mr_lines *lr)
{
    lr->line++;
    char what[64];
    snprintf(what, sizeof what, "line longer than %d bytes", MR_MAX_LINE);
    mr_load_skip(lr->ld, lr->path, lr->line, what);
    lr->ld->stats->lines_read++;
}

/* Length of the first line of p[0..avail) with its end: "\n", "\r\n", or a lone "\r" (old Mac
 * files).  0 when no line end is complete yet: none was read, or a '\r' is the last byte read
 * and may be the start of "\r\n" (at the end of the file, eof, it ends the line). */
static size_t line_length(const char *p, size_t avail, int eof)
{
    const char *nl = memchr(p, '\n', avail);
    size_t scan = nl ? (size_t)(nl - p) : avail;
    const char *cr = memchr(p, '\r', scan);
    if (!cr)
        return nl ? scan + 1 : 0;
    size_t at = (size_t)(cr - p);
    if (cr + 1 == nl)
        return at + 2; /* "\r\n" */
    if (at + 1 < avail || eof)
        return at + 1; /* a lone '\r' */
    return 0;
}

/* Discards the rest of an over-long line (its start is already gone).  Returns
 * MR_LINE_LONG, or MR_LINE_ERROR. */
static int lines_skip_long(struct mr_lines *lr)
{
    report_long_line(lr);
    for (;;) {
        char *p = lr->buf + lr->begin;
        size_t avail = lr->end - lr->begin;
        size_t n = line_length(p, avail, lr->eof);
        if (n) {
            lr->begin += n;
            return MR_LINE_LONG;
        }
        /* A '\r' read last is kept: the next block may start with its '\n'. */
        lr->begin = avail > 0 && p[avail - 1] == '\r' ? lr->end - 1 : lr->end;
        int got = lines_fill(lr);
        if (got < 0)
            return MR_LINE_ERROR;
        if (got == 0) {
            lr->begin = lr->end;
            return MR_LINE_LONG;
        }
    }
}

int mr_lines_next(struct mr_lines *lr, char **text, size_t *len)
{
    for (;;) {
        char *start = lr->buf + lr->begin;
        size_t avail = lr->end - lr->begin;
        size_t n = line_length(start, avail, lr->eof);
        if (n || (lr->eof && avail > 0)) {
            if (!n)
                n = avail; /* the last line, with no line end */
            int ended = start[n - 1] == '\n' || start[n - 1] == '\r';
            size_t body = ended ? n - 1 : n;
            if (body > MR_MAX_LINE) {
                lr->begin += n;
                report_long_line(lr);
                return MR_LINE_LONG;
            }
            lr->begin += n;
            lr->line++;
            if (lr->line == 1 && lr->begin_offset == 0 && n >= 3 &&
                memcmp(start, "\xEF\xBB\xBF", 3) == 0) {
                start += 3; /* byte order mark */
                n -= 3;
            }
            *text = start;
            *len = n;
            return MR_LINE_OK;
        }
        if (lr->eof)
            return MR_LINE_EOF;
        /* A '\r' read last (waiting for a possible '\n') is not part of the line's body. */
        if (avail - (avail > 0 && start[avail - 1] == '\r') > MR_MAX_LINE) {
            lr->begin = lr->end; /* the line's start is not needed any more */
            return lines_skip_long(lr);
        }
        if (lines_fill(lr) < 0)
            return MR_LINE_ERROR;
    }
}

int mr_read_lines(struct mr_load *ld, const char *path, const char *stage,
                  enum mr_text_encoding enc, mr_line_fn fn, void *ctx)
{
    /* Opened first: it refuses what is not a regular file (a FIFO) before the encoding is
     * detected, which reads the file too. */
    struct mr_lines lr;
    int rc = mr_lines_open(&lr, ld, path, stage);
    if (rc != MR_OK)
        return rc;
    int latin1 = 0;
    if (enc == MR_TEXT_DETECT) {
        int valid;
        rc = mr_utf8_file_valid(path, &valid);
        if (rc != MR_OK) {
            mr_lines_close(&lr);
            if (rc == MR_ENOMEM)
                return mr_error_set(ld->err, rc, path, 0, "out of memory");
            return mr_error_set(ld->err, rc, path, 0, "cannot read: %s", strerror(errno));
        }
        latin1 = !valid;
    }
    char *utf8 = latin1 ? malloc(2 * MR_MAX_LINE + 3) : NULL;
    if (latin1 && !utf8) {
        mr_lines_close(&lr);
        return mr_error_set(ld->err, MR_ENOMEM, path, 0, "out of memory");
    }
    char what[256];
    int fatal = 0;
    for (;;) {
        char *text;
        size_t len;
        int got = mr_lines_next(&lr, &text, &len);
        if (got == MR_LINE_EOF)
            break;
        if (got == MR_LINE_ERROR) {
            fatal = MR_EDATA;
            break;
        }
        if (got == MR_LINE_LONG)
            continue;
        while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
            len--;
        size_t blank = 0;
        while (blank < len && (text[blank] == ' ' || text[blank] == '\t'))
            blank++;
        if (blank == len)
            continue;
        if (latin1) {
            len = mr_latin1_to_utf8(text, len, utf8);
            text = utf8;
        } else {
            text[len] = '\0'; /* over the '\n', or the spare byte after the last line */
        }
        ld->stats->lines_read++;
        const char *bad = fn(ctx, text, len, lr.line, what, sizeof what, &fatal);
        if (fatal) {
            mr_error_set(ld->err, fatal, path, lr.line, "out of memory");
            break;
        }
        if (bad)
            mr_load_skip(ld, path, lr.line, bad);
    }
    free(utf8);
    mr_lines_close(&lr);
    return fatal;
}

void mr_describe_bad_rating(int code, const char *s, size_t n, char *what, size_t len)
{
    int shown = n > 24 ? 24 : (int)n;
    if (code == -1)
        snprintf(what, len, "rating '%.*s' outside 0.5..5", shown, s);
    else if (code == -2)
        snprintf(what, len, "rating '%.*s' is not a multiple of 0.5", shown, s);
    else
        snprintf(what, len, "rating '%.*s' is not a number", shown, s);
}

const char *mr_describe_bad_id(const char *name, const char *s, size_t n, char *what, size_t len)
{
    int shown = n > 24 ? 24 : (int)n;
    snprintf(what, len, "%s '%.*s' is not a positive integer", name, shown, s);
    return what;
}

int mr_split(const char *s, size_t n, const char *sep, size_t seplen, const char **fields,
             size_t *lens, int max)
{
    int count = 0;
    const char *p = s, *end = s + n;
    for (;;) {
        const char *q = seplen == 1 ? memchr(p, sep[0], (size_t)(end - p))
                                    : memmem(p, (size_t)(end - p), sep, seplen);
        const char *field_end = q ? q : end;
        if (count < max) {
            fields[count] = p;
            lens[count] = (size_t)(field_end - p);
        }
        count++;
        if (!q)
            return count;
        p = q + seplen;
    }
}

uint32_t mr_parse_genres(const char *s, size_t n)
{
    enum { MAX = MR_GENRE_COUNT + 8 };
    const char *names[MAX];
    size_t lens[MAX];
    int count = mr_split(s, n, "|", 1, names, lens, MAX);
    if (count > MAX)
        count = MAX;
    uint32_t bits = 0;
    for (int i = 0; i < count; i++) {
        char name[32];
        if (lens[i] == 0 || lens[i] >= sizeof name)
            continue;
        memcpy(name, names[i], lens[i]);
        name[lens[i]] = '\0';
        int g = mr_genre_parse(name);
        if (g >= 0)
            bits |= 1u << g;
    }
    return bits;
}

int mr_movie_adder_add(struct mr_movie_adder *a, int32_t id, const char *title, size_t n,
                       uint32_t genres, long line)
{
    if ((size_t)a->c->n_movies >= a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 1024;
        int64_t *lines = realloc(a->lines, cap * sizeof *lines);
        if (!lines)
            return MR_ENOMEM;
        a->lines = lines;
        a->cap = cap;
    }
    char small[512];
    char *copy = n < sizeof small ? small : malloc(n + 1);
    if (!copy)
        return MR_ENOMEM;
    memcpy(copy, title, n);
    copy[n] = '\0';
    int rc = mr_catalog_add(a->c, id, copy, genres);
    if (copy != small)
        free(copy);
    if (rc != MR_OK)
        return MR_ENOMEM;
    a->lines[a->c->n_movies - 1] = line;
    return MR_OK;
}

int mr_movie_adder_end(struct mr_movie_adder *a, struct mr_load *ld, const char *path, int rc)
{
    if (rc == MR_OK)
        ld->stats->lines_skipped +=
            mr_catalog_finish_lines(a->c, a->lines, ld->opts->report, ld->opts->report_ctx, path);
    free(a->lines);
    a->lines = NULL;
    a->cap = 0;
    return rc;
}

int mr_read_movie_lines(struct mr_load *ld, const char *path, mr_line_fn fn, struct mr_catalog *c)
{
    struct mr_movie_adder adder = {c, NULL, 0};
    int rc = mr_read_lines(ld, path, "movies", MR_TEXT_DETECT, fn, &adder);
    return mr_movie_adder_end(&adder, ld, path, rc);
}

/* Largest movieId for which a direct lookup table is built (4 bytes per id). */
#define ITEM_DIRECT_MAX (1 << 24)

int mr_item_map_init(struct mr_item_map *m, const struct mr_catalog *c)
{
    memset(m, 0, sizeof *m);
    m->catalog = c;
    if (c->n_movies == 0)
        return MR_OK;
    int32_t max = c->movies[c->n_movies - 1].id; /* the catalog is sorted */
    if (max >= ITEM_DIRECT_MAX || c->movies[0].id < 0)
        return MR_OK;
    m->direct = malloc(((size_t)max + 1) * sizeof *m->direct);
    if (!m->direct)
        return MR_OK; /* binary search still works */
    for (int32_t id = 0; id <= max; id++)
        m->direct[id] = -1;
    for (int32_t i = 0; i < c->n_movies; i++)
        m->direct[c->movies[i].id] = i;
    m->max_id = max;
    return MR_OK;
}

void mr_item_map_free(struct mr_item_map *m)
{
    free(m->direct);
    memset(m, 0, sizeof *m);
}
