/* profile.c — the person's own ratings on disk: an append-only journal in MovieLens
 * ratings.csv columns, fsync'd line by line, locked with flock for as long as it is open,
 * replayed on open and compacted (temporary file + fsync + rename + fsync of the directory)
 * when superseded or bad lines pile up.
 *
 * Crash safety rests on three rules: a change is one line written by one write(2) and
 * fsync'd before it is acknowledged; a line without its newline (an interrupted write) is
 * never trusted; a file is only ever replaced whole, by rename. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/profile.h"

#define PROFILE_HEADER      "userId,movieId,rating,timestamp"
#define PROFILE_FIELDS      4
#define PROFILE_FIELD_MAX   32
#define PROFILE_LINE_MAX    96
#define PROFILE_OPEN_TRIES  10
#define PROFILE_BAK_TRIES   100
#define PROFILE_COMPACT_MIN 16 /* superseded lines tolerated before compacting */

/* One line split into fields by libcsv. */
struct line_fields {
    char field[PROFILE_FIELDS][PROFILE_FIELD_MAX];
    int n_fields;
    int too_long; /* a field did not fit */
    int records;
};

static void on_field(void *s, size_t len, void *data)
{
    struct line_fields *lf = data;
    if (lf->n_fields < PROFILE_FIELDS) {
        if (len >= PROFILE_FIELD_MAX) {
            lf->too_long = 1;
            len = PROFILE_FIELD_MAX - 1;
        }
        if (len)
            memcpy(lf->field[lf->n_fields], s, len);
        lf->field[lf->n_fields][len] = '\0';
    }
    lf->n_fields++;
}

static void on_record(int c, void *data)
{
    (void)c;
    struct line_fields *lf = data;
    lf->records++;
}

/* Splits one line (no newline) into fields with libcsv.  Returns 0, or -1 when the line is
 * not well-formed CSV (an unterminated quote, an embedded line break). */
static int split_line(struct csv_parser *parser, const char *line, size_t len,
                      struct line_fields *lf)
{
    memset(lf, 0, sizeof *lf);
    size_t used = csv_parse(parser, line, len, on_field, on_record, lf);
    int rc = csv_fini(parser, on_field, on_record, lf);
    if (used != len || rc != 0 || csv_error(parser) != CSV_SUCCESS) {
        /* A parser stays in its error state: start the next line on a fresh one. */
        csv_free(parser);
        csv_init(parser, CSV_STRICT | CSV_STRICT_FINI);
        return -1;
    }
    return lf->records == 1 ? 0 : -1;
}

/* Parses a whole decimal integer (optional sign). Returns 0 or -1. */
static int parse_i64(const char *s, int64_t *out)
{
    if (!*s)
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* Parses a rating in stars: 0 (a removal) or 0.5..5.0 in half steps.  Returns the half
 * stars 0..10, or -1. */
static int parse_half(const char *s)
{
    if (!*s)
        return -1;
    char *end;
    double v = strtod(s, &end);
    if (*end || !isfinite(v))
        return -1;
    double h = v * 2.0;
    if (h < -1e-9 || h > 10.0 + 1e-9 || fabs(h - round(h)) > 1e-6)
        return -1;
    return (int)round(h);
}

/* Index of movie_id in p->ratings, or -1. */
static int32_t profile_find(const struct mr_profile *p, int32_t movie_id)
{
    for (int32_t i = 0; i < p->n; i++)
        if (p->ratings[i].movie_id == movie_id)
            return i;
    return -1;
}

/* Makes room for one more rating.  Returns MR_OK or MR_ENOMEM (p unchanged). */
static int profile_reserve(struct mr_profile *p)
{
    if (p->n < p->cap)
        return MR_OK;
    int32_t cap = p->cap ? p->cap * 2 : 32;
    struct mr_profile_rating *r = realloc(p->ratings, (size_t)cap * sizeof *r);
    if (!r)
        return MR_ENOMEM;
    p->ratings = r;
    p->cap = cap;
    return MR_OK;
}

/* Applies one change in memory; room must have been reserved.  A removal deletes the entry
 * (keeping the order of the others); a new movie goes to the end. */
static void profile_apply(struct mr_profile *p, int32_t movie_id, int half, int64_t ts)
{
    int32_t i = profile_find(p, movie_id);
    if (half == 0) {
        if (i >= 0) {
            memmove(p->ratings + i, p->ratings + i + 1,
                    (size_t)(p->n - i - 1) * sizeof *p->ratings);
            p->n--;
        }
        return;
    }
    if (i < 0) {
        i = p->n++;
        p->ratings[i].movie_id = movie_id;
    }
    p->ratings[i].half = (uint8_t)half;
    p->ratings[i].timestamp = ts;
}

/* Formats one journal line (with its newline).  Returns its length. */
static int format_line(char *buf, size_t len, int32_t user_id, int32_t movie_id, int half,
                       int64_t ts)
{
    return snprintf(buf, len, "%" PRId32 ",%" PRId32 ",%d.%d,%" PRId64 "\n", user_id, movie_id,
                    half / 2, (half % 2) * 5, ts);
}

/* Writes all of buf to fd, retrying short writes.  Returns 0 or -1 (errno set). */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (w == 0) {
            errno = ENOSPC;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes the directory part of path into buf ("." when there is none). */
static void dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(buf, len, ".");
    else if (slash == path)
        snprintf(buf, len, "/");
    else
        snprintf(buf, len, "%.*s", (int)(slash - path), path);
}

/* fsyncs the directory holding path, so that a create or rename in it is durable.
 * Returns 0 or -1. */
static int fsync_dir_of(const char *path)
{
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Creates dir and its missing parents (mode 0700).  Returns 0 or -1 (errno set). */
static int make_dirs(const char *dir)
{
    char buf[4096];
    size_t len = strlen(dir);
    if (len == 0 || len >= sizeof buf)
        return len == 0 ? 0 : -1;
    memcpy(buf, dir, len + 1);
    for (char *s = buf + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(buf, 0700) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    if (mkdir(buf, 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* Writes the whole file content (header + current ratings) to fd.  Returns 0 or -1. */
static int write_snapshot(int fd, const struct mr_profile_rating *r, int32_t n, int32_t user_id)
{
    char line[PROFILE_LINE_MAX];
    if (write_all(fd, PROFILE_HEADER "\n", sizeof PROFILE_HEADER) != 0)
        return -1;
    for (int32_t i = 0; i < n; i++) {
        int len = format_line(line, sizeof line, user_id, r[i].movie_id, r[i].half, r[i].timestamp);
        if (write_all(fd, line, (size_t)len) != 0)
            return -1;
    }
    return 0;
}

/* Copies the original bytes of the profile to a backup file that does not exist yet
 * (PATH.bak, else PATH.bak.2, ...), crash-safely.  Writes the backup's name into bak. */
static int write_backup(const char *path, const char *data, size_t len, char *bak, size_t bak_len,
                        struct mr_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.bak.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create a backup: %s", strerror(errno));
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot write a backup: %s", strerror(e));
    }
    close(fd);
    for (int i = 1; i <= PROFILE_BAK_TRIES; i++) {
        if (i == 1)
            snprintf(bak, bak_len, "%s.bak", path);
        else
            snprintf(bak, bak_len, "%s.bak.%d", path, i);
        /* link() never replaces an existing file: an older backup is kept. */
        if (link(tmp, bak) == 0) {
            unlink(tmp);
            fsync_dir_of(path);
            return MR_OK;
        }
        if (errno != EEXIST)
            break;
    }
    int e = errno;
    unlink(tmp);
    return mr_error_set(err, MR_EIO, path, 0, "cannot keep a backup of the profile: %s",
                        strerror(e));
}

/* Rewrites the journal as one line per current rating: a locked temporary file is written
 * and fsync'd, renamed over the journal, and the directory fsync'd; the new file's
 * descriptor (already locked) replaces the old one.  When the profile's path is a symbolic
 * link, the file it leads to is the journal: the temporary file is made beside it and renamed
 * over it, and the link stays a link.  On failure the old journal stays in place and in use. */
static int profile_compact(struct mr_profile *p, struct mr_error *err)
{
    char tmp[4200];
    char *real = realpath(p->path, NULL);
    if (!real)
        return mr_error_set(err, errno == ENOMEM ? MR_ENOMEM : MR_EIO, p->path, 0,
                            "cannot compact the profile: %s", strerror(errno));
    const char *target = real;
    if (strlen(target) + sizeof ".tmp" > sizeof tmp) {
        free(real);
        return mr_error_set(err, MR_EIO, p->path, 0, "cannot compact the profile: %s",
                            strerror(ENAMETOOLONG));
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", target);
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        free(real);
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create: %s", strerror(e));
    }
    /* Lock before it becomes visible under the profile's name, so no other process can ever
     * take the renamed file while this one still uses it. */
    if (flock(fd, LOCK_EX | LOCK_NB) != 0 || write_snapshot(fd, p->ratings, p->n, 0) != 0 ||
        fsync(fd) != 0 || rename(tmp, target) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        free(real);
        return mr_error_set(err, MR_EIO, p->path, 0, "cannot compact the profile: %s", strerror(e));
    }
    fsync_dir_of(target);
    free(real);
    close(p->fd);
    p->fd = fd;
    p->journal_lines = p->n;
    return MR_OK;
}

/* Reads the whole of fd into a new NUL-terminated buffer.  Returns it (caller frees) or
 * NULL (errno set). */
static char *read_whole(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        return NULL;
    if (lseek(fd, 0, SEEK_SET) < 0) {
        free(buf);
        return NULL;
    }
    for (;;) {
        if (n == cap) {
            char *b = realloc(buf, cap * 2 + 1);
            if (!b) {
                free(buf);
                errno = ENOMEM;
                return NULL;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            free(buf);
            errno = e;
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/* Reports one skipped line. */
static void report_line(mr_report_fn report, void *ctx, const char *path, long line,
                        const char *what)
{
    if (report)
        report(ctx, path, line, what);
}

/* Checks one data line's fields; on success fills movie id, half stars and timestamp.
 * Returns NULL, or what is wrong. */
static const char *check_fields(const struct line_fields *lf, int32_t *movie_id, int *half,
                                int64_t *ts)
{
    int64_t user, movie;
    if (lf->n_fields != PROFILE_FIELDS)
        return "expected 4 fields (userId,movieId,rating,timestamp)";
    if (lf->too_long)
        return "a field is too long";
    if (parse_i64(lf->field[0], &user) != 0 || user < 0 || user > INT32_MAX)
        return "userId is not a number";
    if (parse_i64(lf->field[1], &movie) != 0 || movie <= 0 || movie > INT32_MAX)
        return "movieId is not a positive number";
    int h = parse_half(lf->field[2]);
    if (h < 0)
        return "rating is not 0 (removed) or 0.5..5.0 in half stars";
    if (parse_i64(lf->field[3], ts) != 0 || *ts < 0)
        return "timestamp is not a number of seconds";
    *movie_id = (int32_t)movie;
    *half = h;
    return NULL;
}

/* Replays the journal text into p: the last line for a movie wins.  Counts data lines in
 * p->journal_lines and returns the number of bad lines (reported and skipped), or -1 when
 * out of memory. */
static long replay(struct mr_profile *p, const char *data, size_t len, mr_report_fn report,
                   void *ctx)
{
    struct csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return -1;
    long bad = 0, lineno = 0;
    size_t pos = 0;
    while (pos < len) {
        const char *line = data + pos;
        const char *nl = memchr(line, '\n', len - pos);
        size_t line_len = nl ? (size_t)(nl - line) : len - pos;
        pos += line_len + (nl ? 1 : 0);
        lineno++;
        if (line_len && line[line_len - 1] == '\r')
            line_len--;
        if (!nl) {
            /* An interrupted append: its value may be cut short ("4" of "4.5"), so it is
             * never trusted; it was never acknowledged either. */
            p->journal_lines++;
            bad++;
            report_line(report, ctx, p->path, lineno,
                        "incomplete last line (no newline: an interrupted write), skipped");
            break;
        }
        if (line_len == 0)
            continue;
        struct line_fields lf;
        if (split_line(&parser, line, line_len, &lf) != 0) {
            p->journal_lines++;
            bad++;
            report_line(report, ctx, p->path, lineno, "not a CSV line, skipped");
            continue;
        }
        if (lineno == 1 && lf.n_fields == PROFILE_FIELDS && strcmp(lf.field[0], "userId") == 0 &&
            strcmp(lf.field[1], "movieId") == 0 && strcmp(lf.field[2], "rating") == 0 &&
            strcmp(lf.field[3], "timestamp") == 0)
            continue;
        p->journal_lines++;
        int32_t movie_id;
        int half;
        int64_t ts;
        const char *what = check_fields(&lf, &movie_id, &half, &ts);
        if (what) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s, skipped", what);
            report_line(report, ctx, p->path, lineno, msg);
            bad++;
            continue;
        }
        if (profile_reserve(p) != MR_OK) {
            csv_free(&parser);
            return -1;
        }
        profile_apply(p, movie_id, half, ts);
    }
    csv_free(&parser);
    return bad;
}

/* 1 when data is empty or a prefix of the header line: a file whose creation was
 * interrupted, which holds nothing worth a report or a backup. */
static int is_unfinished_header(const char *data, size_t len)
{
    static const char header[] = PROFILE_HEADER "\n";
    return len < sizeof header - 1 && memcmp(data, header, len) == 0;
}

/* What a file that is not a regular file is, for a message: "a FIFO", "a directory"... */
static const char *file_kind(mode_t mode)
{
    if (S_ISDIR(mode))
        return "a directory";
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    return "not a plain file";
}

/* Opens path for appending, creating it when absent, and only when it is a regular file: a
 * FIFO must not block the open or a read, and a directory, a device or a symbolic link loop
 * is named as such instead of a bare errno text.  Returns the descriptor (blocking, as
 * usual), or -1 with err filled. */
static int open_regular(const char *path, struct mr_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == EISDIR)
            mr_error_set(err, MR_EIO, path, 0,
                         "not a regular file (a directory): cannot be a profile");
        else if (e == ELOOP)
            mr_error_set(err, MR_EIO, path, 0,
                         "not a regular file (a symbolic link loop): cannot be a profile");
        else if (e == ENXIO)
            mr_error_set(err, MR_EIO, path, 0, "not a regular file: cannot be a profile");
        else
            mr_error_set(err, MR_EIO, path, 0, "cannot open the profile: %s", strerror(e));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        mr_error_set(err, MR_EIO, path, 0, "cannot open the profile: %s", strerror(e));
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        mr_error_set(err, MR_EIO, path, 0, "not a regular file (%s): cannot be a profile",
                     file_kind(st.st_mode));
        return -1;
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        mr_error_set(err, MR_EIO, path, 0, "cannot open the profile: %s", strerror(e));
        return -1;
    }
    return fd;
}

/* Opens path (a regular file) and takes the lock, making sure the locked file is still the
 * one under that name (a concurrent compaction may have renamed a new one over it).  Returns
 * the descriptor, or -1 with err filled. */
static int open_locked(const char *path, struct mr_error *err)
{
    for (int attempt = 0; attempt < PROFILE_OPEN_TRIES; attempt++) {
        int fd = open_regular(path, err);
        if (fd < 0)
            return -1;
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno;
            close(fd);
            if (e == EWOULDBLOCK)
                mr_error_set(err, MR_EBUSY, path, 0,
                             "the profile is in use by another movierec process");
            else
                mr_error_set(err, MR_EIO, path, 0, "cannot lock the profile: %s", strerror(e));
            return -1;
        }
        struct stat held, named;
        if (fstat(fd, &held) == 0 && stat(path, &named) == 0 && held.st_dev == named.st_dev &&
            held.st_ino == named.st_ino)
            return fd;
        close(fd);
    }
    mr_error_set(err, MR_EBUSY, path, 0, "the profile keeps being replaced by another process");
    return -1;
}

int mr_profile_open(const char *path, mr_report_fn report, void *ctx, struct mr_profile *p,
                    struct mr_error *err)
{
    memset(p, 0, sizeof *p);
    p->fd = -1;
    char dir[4096];
    dir_of(path, dir, sizeof dir);
    if (make_dirs(dir) != 0)
        return mr_error_set(err, MR_EIO, dir, 0, "cannot create the profile's directory: %s",
                            strerror(errno));
    p->path = strdup(path);
    if (!p->path)
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    p->fd = open_locked(path, err);
    if (p->fd < 0) {
        int status = err ? err->status : MR_EIO;
        mr_profile_close(p);
        return status;
    }
    size_t len = 0;
    char *data = read_whole(p->fd, &len);
    if (!data) {
        int e = errno;
        mr_profile_close(p);
        return mr_error_set(err, MR_EIO, path, 0, "cannot read the profile: %s", strerror(e));
    }
    int rc = MR_OK;
    if (is_unfinished_header(data, len)) {
        /* New (or never finished): start it with the header, durably. */
        if (ftruncate(p->fd, 0) != 0 || write_snapshot(p->fd, NULL, 0, 0) != 0 ||
            fsync(p->fd) != 0 || fsync_dir_of(path) != 0)
            rc =
                mr_error_set(err, MR_EIO, path, 0, "cannot write the profile: %s", strerror(errno));
        free(data);
        if (rc != MR_OK)
            mr_profile_close(p);
        return rc;
    }
    long bad = replay(p, data, len, report, ctx);
    if (bad < 0) {
        free(data);
        mr_profile_close(p);
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    }
    if (bad > 0) {
        char bak[4200];
        rc = write_backup(path, data, len, bak, sizeof bak, err);
        if (rc == MR_OK) {
            char msg[4400];
            snprintf(msg, sizeof msg, "%ld bad line%s skipped; the original is kept as %s", bad,
                     bad == 1 ? "" : "s", bak);
            report_line(report, ctx, path, 0, msg);
            /* Rewriting also drops a torn last line, which a later append would extend. */
            rc = profile_compact(p, err);
        }
    } else if (p->journal_lines - p->n >= PROFILE_COMPACT_MIN && p->journal_lines - p->n > p->n) {
        struct mr_error ignored;
        /* Only an optimisation: a failure leaves a valid, longer journal in use. */
        profile_compact(p, &ignored);
    }
    free(data);
    if (rc != MR_OK)
        mr_profile_close(p);
    return rc;
}

int mr_profile_set(struct mr_profile *p, int32_t movie_id, int half, int64_t timestamp,
                   struct mr_error *err)
{
    if (movie_id <= 0 || half < 0 || half > 10 || timestamp < 0)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "bad rating %d for movie %" PRId32, half,
                            movie_id);
    if (mr_profile_get(p, movie_id) == half)
        return MR_OK;
    if (profile_reserve(p) != MR_OK)
        return mr_error_set(err, MR_ENOMEM, p->path, 0, "out of memory");
    char line[PROFILE_LINE_MAX];
    int len = format_line(line, sizeof line, 0, movie_id, half, timestamp);
    off_t end = lseek(p->fd, 0, SEEK_END);
    if (end < 0 || write_all(p->fd, line, (size_t)len) != 0 || fsync(p->fd) != 0) {
        int e = errno;
        /* Take back a partial line, so the journal stays a sequence of whole lines. */
        if (end >= 0 && ftruncate(p->fd, end) == 0)
            fsync(p->fd);
        return mr_error_set(err, MR_EIO, p->path, 0, "cannot save the rating: %s", strerror(e));
    }
    profile_apply(p, movie_id, half, timestamp);
    p->journal_lines++;
    /* A long session keeps its journal bounded too (rare: a few times per thousand changes). */
    if (p->journal_lines - p->n >= 4 * PROFILE_COMPACT_MIN && p->journal_lines > 4 * p->n) {
        struct mr_error ignored;
        profile_compact(p, &ignored);
    }
    return MR_OK;
}

int mr_profile_get(const struct mr_profile *p, int32_t movie_id)
{
    int32_t i = profile_find(p, movie_id);
    return i < 0 ? 0 : p->ratings[i].half;
}

int mr_profile_export(const struct mr_profile *p, const char *path, int32_t user_id,
                      struct mr_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create: %s", strerror(errno));
    int failed = write_snapshot(fd, p->ratings, p->n, user_id) != 0 || fsync(fd) != 0;
    int e = errno;
    if (close(fd) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(tmp);
        return mr_error_set(err, MR_EIO, path, 0, "cannot write: %s", strerror(e));
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return mr_error_set(err, MR_EIO, path, 0, "cannot write: %s", strerror(e));
    }
    fsync_dir_of(path);
    return MR_OK;
}

void mr_profile_close(struct mr_profile *p)
{
    /* path is set first by mr_profile_open: without it, fd was never ours. */
    if (p->path && p->fd >= 0)
        close(p->fd); /* releases the lock */
    free(p->path);
    free(p->ratings);
    memset(p, 0, sizeof *p);
    p->fd = -1;
}
