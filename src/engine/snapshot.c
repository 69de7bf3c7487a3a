/* snapshot.c — the loaded data set written to and mapped back from the cache (see
 * snapshot.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "movierec/search.h"
#include "movierec/serial.h"
#include "movierec/snapshot.h"
#include "file_image.h"

#define SNAP_MAGIC      "MRSNAPSH"
#define SNAP_BYTE_ORDER 0x01020304u
#define SNAP_ALIGN      64
#define SNAP_DIR_MAX    4096
#define SNAP_PREFIX     "data-"
#define SNAP_SUFFIX     ".snapshot"
#define SNAP_TEXT_MAX   4096 /* longest file name or message of a kept report, NUL included */

/* One bad-line report of the load that wrote a snapshot, replayed when it is read. */
struct snap_report {
    char *file; /* the base name when in_dir, else the file as reported */
    int in_dir; /* 1: a file of the data directory, named again with the directory read */
    long line;
    char *what;
};

/* The reports of one load: forwarded to the caller's report function as they come, and the
 * first MR_SNAPSHOT_REPORTS kept to be written into the snapshot. */
struct snap_reports {
    const struct mr_load_opts *forward; /* may be NULL */
    const char *dir;
    struct snap_report items[MR_SNAPSHOT_REPORTS];
    uint32_t n;
    int failed; /* a report could not be kept (memory): the snapshot is not written */
};

/* One movie on disk: fixed-width fields, no implicit padding. */
struct snap_movie {
    int32_t id;
    int16_t year;
    uint16_t zero;
    uint32_t genres;
    int32_t n_tags;
    int64_t imdb_id;
    int64_t tmdb_id;
    uint64_t title;   /* offset in the strings */
    uint64_t display; /* offset in the strings */
    uint64_t first_tag;
};
_Static_assert(sizeof(struct snap_movie) == 56, "snap_movie has no padding");

struct snap_tag {
    uint64_t text; /* offset in the strings */
    int32_t count;
    uint32_t zero;
};
_Static_assert(sizeof(struct snap_tag) == 16, "snap_tag has no padding");

/* The header's fields, as written or as read back. */
struct snap_header {
    uint32_t format, byte_order;
    uint64_t build_fp, data_fp;
    uint32_t layout, n_movies, n_users;
    uint64_t n_ratings, n_tags, string_bytes;
    int64_t lines_read, lines_skipped;
    double global_mean;
    char dir[SNAP_DIR_MAX + 1]; /* the data directory, absolute when it could be resolved */
};

/* Fingerprint of the program that wrote a snapshot: a new version may load differently. */
static uint64_t build_fingerprint(void)
{
#ifdef MOVIEREC_VERSION
    return mr_fnv1a(MR_FNV_INIT, MOVIEREC_VERSION, sizeof MOVIEREC_VERSION);
#else
    return MR_FNV_INIT;
#endif
}

char *mr_snapshot_path(const char *cache_dir, uint64_t data_fingerprint, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/" SNAP_PREFIX "%016" PRIx64 SNAP_SUFFIX, cache_dir,
                     data_fingerprint);
    return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* The data directory as the header records it: resolved when possible. */
static void canonical_dir(const char *dir, char *out, size_t len)
{
    char *real = realpath(dir, NULL);
    snprintf(out, len, "%s", real ? real : dir);
    free(real);
}

static void header_write(struct mr_writer *w, const struct snap_header *h)
{
    mr_write(w, SNAP_MAGIC, 8);
    mr_write_u32(w, h->format);
    mr_write_u32(w, h->byte_order);
    mr_write_u64(w, h->build_fp);
    mr_write_u64(w, h->data_fp);
    mr_write_u32(w, h->layout);
    mr_write_u32(w, h->n_movies);
    mr_write_u32(w, h->n_users);
    mr_write_u64(w, h->n_ratings);
    mr_write_u64(w, h->n_tags);
    mr_write_u64(w, h->string_bytes);
    mr_write_u64(w, (uint64_t)h->lines_read);
    mr_write_u64(w, (uint64_t)h->lines_skipped);
    mr_write_f64(w, h->global_mean);
    uint32_t len = (uint32_t)strlen(h->dir);
    mr_write_u32(w, len);
    mr_write(w, h->dir, len);
}

/* Reads the header; r->failed when short or a length is out of range. */
static void header_read(struct mr_reader *r, struct snap_header *h)
{
    uint64_t u;
    mr_read_u64(r, &h->build_fp);
    mr_read_u64(r, &h->data_fp);
    mr_read_u32(r, &h->layout);
    mr_read_u32(r, &h->n_movies);
    mr_read_u32(r, &h->n_users);
    mr_read_u64(r, &h->n_ratings);
    mr_read_u64(r, &h->n_tags);
    mr_read_u64(r, &h->string_bytes);
    mr_read_u64(r, &u);
    h->lines_read = (int64_t)u;
    mr_read_u64(r, &u);
    h->lines_skipped = (int64_t)u;
    mr_read_f64(r, &h->global_mean);
    uint32_t len = 0;
    mr_read_count(r, SNAP_DIR_MAX, &len);
    mr_read(r, h->dir, len);
    h->dir[len] = '\0';
}

/* Appends s (with its NUL) to the strings being written; returns its offset. */
static uint64_t put_string(struct mr_writer *w, uint64_t *used, const char *s)
{
    uint64_t at = *used;
    size_t n = strlen(s ? s : "") + 1;
    mr_write(w, s ? s : "", n);
    *used += n;
    return at;
}

/* Writes one aligned array section. */
static void put_array(struct mr_writer *w, const void *p, size_t n, size_t size)
{
    mr_write_align(w, SNAP_ALIGN);
    if (n)
        mr_write(w, p, n * size);
}

/* Writes everything but the checksum. */
static void snapshot_write(struct mr_writer *w, const struct mr_dataset *ds,
                           const struct mr_search_index *search, const struct snap_reports *reports,
                           const struct snap_header *h)
{
    const struct mr_catalog *c = &ds->catalog;
    const struct mr_ratings *r = &ds->ratings;
    header_write(w, h);

    /* Movies and tags: offsets of strings laid out in the order written below. */
    uint64_t at = 0, tag = 0;
    mr_write_align(w, SNAP_ALIGN);
    for (int32_t i = 0; i < c->n_movies; i++) {
        const struct mr_movie *m = &c->movies[i];
        struct snap_movie sm = {.id = m->id,
                                .year = m->year,
                                .genres = m->genres,
                                .n_tags = m->n_tags,
                                .imdb_id = m->imdb_id,
                                .tmdb_id = m->tmdb_id,
                                .first_tag = tag};
        sm.title = at;
        at += strlen(m->title ? m->title : "") + 1;
        sm.display = at;
        at += strlen(m->display ? m->display : "") + 1;
        tag += (uint64_t)m->n_tags;
        mr_write(w, &sm, sizeof sm);
    }
    mr_write_align(w, SNAP_ALIGN);
    for (int32_t i = 0; i < c->n_movies; i++) {
        const struct mr_movie *m = &c->movies[i];
        for (int32_t t = 0; t < m->n_tags; t++) {
            struct snap_tag st = {.text = at, .count = m->tags[t].count};
            at += strlen(m->tags[t].text ? m->tags[t].text : "") + 1;
            mr_write(w, &st, sizeof st);
        }
    }
    mr_write_align(w, SNAP_ALIGN);
    uint64_t used = 0;
    for (int32_t i = 0; i < c->n_movies; i++) {
        put_string(w, &used, c->movies[i].title);
        put_string(w, &used, c->movies[i].display);
    }
    for (int32_t i = 0; i < c->n_movies; i++)
        for (int32_t t = 0; t < c->movies[i].n_tags; t++)
            put_string(w, &used, c->movies[i].tags[t].text);

    size_t nu = (size_t)r->n_users, ni = (size_t)r->n_items, nr = (size_t)r->n_ratings;
    put_array(w, r->user_ids, nu, sizeof *r->user_ids);
    put_array(w, r->user_ptr, nu + 1, sizeof *r->user_ptr);
    put_array(w, r->user_items, nr, sizeof *r->user_items);
    put_array(w, r->user_vals, nr, sizeof *r->user_vals);
    put_array(w, r->item_ptr, ni + 1, sizeof *r->item_ptr);
    put_array(w, r->item_users, nr, sizeof *r->item_users);
    put_array(w, r->item_vals, nr, sizeof *r->item_vals);
    put_array(w, r->item_count, ni, sizeof *r->item_count);
    put_array(w, r->item_mean, ni, sizeof *r->item_mean);
    mr_write_align(w, SNAP_ALIGN);
    mr_write_u32(w, search ? 1 : 0);
    if (search && mr_search_save(search, w) != 0)
        w->failed = 1;
    mr_write_align(w, SNAP_ALIGN);
    uint32_t n = reports ? reports->n : 0;
    mr_write_u32(w, n);
    for (uint32_t i = 0; i < n; i++) {
        const struct snap_report *rep = &reports->items[i];
        uint32_t lf = (uint32_t)strlen(rep->file) + 1, lw = (uint32_t)strlen(rep->what) + 1;
        mr_write_u32(w, (uint32_t)rep->in_dir);
        mr_write_u32(w, lf);
        mr_write(w, rep->file, lf);
        mr_write_u64(w, (uint64_t)(int64_t)rep->line);
        mr_write_u32(w, lw);
        mr_write(w, rep->what, lw);
    }
}

/* Sizes of the strings and tags of c. */
static void catalog_sizes(const struct mr_catalog *c, uint64_t *n_tags, uint64_t *bytes)
{
    *n_tags = 0;
    *bytes = 0;
    for (int32_t i = 0; i < c->n_movies; i++) {
        const struct mr_movie *m = &c->movies[i];
        *bytes += strlen(m->title ? m->title : "") + strlen(m->display ? m->display : "") + 2;
        for (int32_t t = 0; t < m->n_tags; t++)
            *bytes += strlen(m->tags[t].text ? m->tags[t].text : "") + 1;
        *n_tags += (uint64_t)m->n_tags;
    }
}

/* Reads the header of the snapshot at path (no checksum: used to find a directory's older
 * snapshots).  Returns 0 when it is a snapshot of this format, -1 otherwise. */
static int peek_header(const char *path, struct snap_header *h)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return -1;
    unsigned char buf[128 + SNAP_DIR_MAX];
    ssize_t got = read(fd, buf, sizeof buf);
    close(fd);
    if (got < 16)
        return -1;
    struct mr_reader r = {.data = buf, .size = (size_t)got};
    char magic[8];
    mr_read(&r, magic, 8);
    mr_read_u32(&r, &h->format);
    mr_read_u32(&r, &h->byte_order);
    if (memcmp(magic, SNAP_MAGIC, 8) != 0 || h->format != MR_SNAPSHOT_FORMAT)
        return -1;
    header_read(&r, h);
    return r.failed ? -1 : 0;
}

/* Removes the snapshots in path's directory, other than path, made for the data directory
 * dir (older versions of its files).  Best effort. */
static void remove_older(const char *path, const char *dir)
{
    char cache_dir[4096];
    const char *slash = strrchr(path, '/');
    snprintf(cache_dir, sizeof cache_dir, "%.*s", slash ? (int)(slash - path) : 1,
             slash ? path : ".");
    const char *base = slash ? slash + 1 : path;
    DIR *d = opendir(cache_dir);
    if (!d)
        return;
    struct dirent *e;
    size_t lp = strlen(SNAP_PREFIX), ls = strlen(SNAP_SUFFIX);
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < lp + ls || strncmp(e->d_name, SNAP_PREFIX, lp) != 0 ||
            strcmp(e->d_name + n - ls, SNAP_SUFFIX) != 0 || strcmp(e->d_name, base) == 0)
            continue;
        char other[8192];
        snprintf(other, sizeof other, "%s/%s", cache_dir, e->d_name);
        struct snap_header h;
        if (peek_header(other, &h) == 0 && strcmp(h.dir, dir) == 0)
            unlink(other);
    }
    closedir(d);
}

/* mr_snapshot_save() with the bad-line reports of the load that made ds (may be NULL). */
static int snapshot_save(const struct mr_dataset *ds, const struct mr_search_index *search,
                         const struct snap_reports *reports, const char *path, struct mr_error *err)
{
    const struct mr_ratings *r = &ds->ratings;
    if (r->n_items != ds->catalog.n_movies || !r->user_ptr || !r->item_ptr)
        return mr_error_set(err, MR_EUSAGE, path, 0, "the ratings do not cover the catalog");
    struct snap_header h = {
        .format = MR_SNAPSHOT_FORMAT,
        .byte_order = SNAP_BYTE_ORDER,
        .build_fp = build_fingerprint(),
        .data_fp = ds->fingerprint,
        .layout = (uint32_t)ds->layout,
        .n_movies = (uint32_t)ds->catalog.n_movies,
        .n_users = (uint32_t)r->n_users,
        .n_ratings = (uint64_t)r->n_ratings,
        .lines_read = ds->stats.lines_read,
        .lines_skipped = ds->stats.lines_skipped,
        .global_mean = r->global_mean,
    };
    catalog_sizes(&ds->catalog, &h.n_tags, &h.string_bytes);
    canonical_dir(ds->dir ? ds->dir : ".", h.dir, sizeof h.dir);

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (mr_file_make_parent(path) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "cannot create the cache directory: %s",
                            strerror(errno));
    int fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create: %s", strerror(errno));
    FILE *f = fdopen(fd, "w+b");
    if (!f) {
        close(fd);
        unlink(tmp);
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    }
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    struct mr_writer w = {.f = f};
    snapshot_write(&w, ds, search, reports, &h);
    int failed = w.failed || fflush(f) != 0;
    int e = errno;
    /* The checksum is taken over what is now in the file, read back through a mapping. */
    if (!failed) {
        void *p = mmap(NULL, (size_t)w.offset, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            failed = 1;
            e = errno;
        } else {
            uint64_t sum = mr_checksum(p, (size_t)w.offset);
            munmap(p, (size_t)w.offset);
            failed = fwrite(&sum, sizeof sum, 1, f) != 1 || fflush(f) != 0 || fsync(fd) != 0;
            e = errno;
        }
    }
    if (fclose(f) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed && rename(tmp, path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(tmp);
        return mr_error_set(err, MR_EIO, path, 0, "cannot write the snapshot: %s",
                            strerror(e ? e : EIO));
    }
    mr_file_sync_parent(path);
    remove_older(path, h.dir);
    return MR_OK;
}

int mr_snapshot_save(const struct mr_dataset *ds, const struct mr_search_index *search,
                     const char *path, struct mr_error *err)
{
    return snapshot_save(ds, search, NULL, path, err);
}

/* ---- Loading ---- */

/* The views of one snapshot's sections. */
struct snap_views {
    const struct snap_movie *movies;
    const struct snap_tag *tags;
    const char *strings;
};

/* 1 when ptr[0..n] starts at 0, never decreases and ends at total. */
static int offsets_ok(const int64_t *ptr, size_t n, int64_t total)
{
    if (ptr[0] != 0 || ptr[n] != total)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ptr[i + 1] < ptr[i])
            return 0;
    return 1;
}

/* The hash of one rating (user index, item index, half stars), summed over a matrix: a
 * multiply and a shift, so that the sum is not linear in the fields (a swap of items between
 * two users changes it). */
static uint64_t rating_hash(uint32_t user, uint32_t item, uint8_t half)
{
    uint64_t h =
        (((uint64_t)user << 32 | item) + half * 0x9e3779b97f4a7c15ULL) * 0xd6e8feb86659fd93ULL;
    return h ^ (h >> 29);
}

/* One side of a rating matrix as ratings_sound() checks it: rows of ascending indexes below
 * n_cols, values 1-10 half stars, and the sum of rating_hash() over every rating. */
struct side_check {
    const int64_t *ptr;
    const int32_t *cols;
    const uint8_t *vals;
    uint32_t n_rows, n_cols;
    int by_item; /* rows are items: the hash takes (col, row) */
    int bad;
    uint64_t sum;
};

/* Runs one side's check (a thread body).  Sequential reads only: memory bound. */
static void *side_check_run(void *arg)
{
    struct side_check *c = arg;
    uint64_t sum = 0;
    int bad = 0;
    for (uint32_t row = 0; row < c->n_rows; row++) {
        int64_t begin = c->ptr[row], end = c->ptr[row + 1];
        uint32_t prev = 0;
        for (int64_t k = begin; k < end; k++) {
            uint32_t col = (uint32_t)c->cols[k];
            uint8_t v = c->vals[k];
            bad |= col >= c->n_cols || (k > begin && col <= prev) || (uint8_t)(v - 1) >= 10;
            prev = col;
            sum += c->by_item ? rating_hash(col, row, v) : rating_hash(row, col, v);
        }
    }
    c->bad = bad;
    c->sum = sum;
    return NULL;
}

/* What the loaders promise of a rating matrix and the models rely on, checked on the arrays of
 * a snapshot (the offsets already are): indexes in range and ascending within each user and
 * each item, values 1-10 half stars, item counts and means that fit, and the item side holding
 * the same ratings as the user side (the sums of a hash of every rating agree: sequential
 * passes, no table).  The two sides are checked on two threads from 65,536 ratings (a
 * start-up at 25M ratings pays this).  Returns a reason, or NULL when sound. */
static const char *ratings_sound(const struct mr_ratings *r)
{
    uint32_t nu = (uint32_t)r->n_users, nm = (uint32_t)r->n_items;
    struct side_check users = {r->user_ptr, r->user_items, r->user_vals, nu, nm, 0, 0, 0};
    struct side_check items = {r->item_ptr, r->item_users, r->item_vals, nm, nu, 1, 0, 0};
    pthread_t t;
    int threaded = r->n_ratings >= 65536 && pthread_create(&t, NULL, side_check_run, &items) == 0;
    side_check_run(&users);
    if (threaded)
        pthread_join(t, NULL);
    else
        side_check_run(&items);
    int bad = users.bad | items.bad | !isfinite(r->global_mean);
    for (uint32_t i = 0; i < nm; i++) {
        float mean = r->item_mean[i];
        bad |= r->item_count[i] != r->item_ptr[i + 1] - r->item_ptr[i] ||
               !(mean >= 0.0f && mean <= 5.0f);
    }
    if (bad)
        return "ratings out of range or order";
    return users.sum == items.sum ? NULL : "the ratings by user and by item differ";
}

/* Takes every section out of r into v and ds->ratings (in place).  Returns a reason when
 * the structure is wrong, NULL when it is sound. */
static const char *read_sections(struct mr_reader *r, const struct snap_header *h,
                                 struct snap_views *v, struct mr_ratings *out)
{
    size_t nm = h->n_movies, nu = h->n_users, nr = (size_t)h->n_ratings;
    out->borrowed = 1; /* before any view: mr_ratings_free must never free one */
    mr_read_align(r, SNAP_ALIGN);
    v->movies = mr_read_view(r, nm, sizeof *v->movies);
    mr_read_align(r, SNAP_ALIGN);
    v->tags = mr_read_view(r, (size_t)h->n_tags, sizeof *v->tags);
    mr_read_align(r, SNAP_ALIGN);
    v->strings = mr_read_view(r, (size_t)h->string_bytes, 1);
#define VIEW(field, n)                                                                             \
    do {                                                                                           \
        mr_read_align(r, SNAP_ALIGN);                                                              \
        out->field = (void *)(uintptr_t)mr_read_view(r, (n), sizeof *out->field);                  \
    } while (0)
    VIEW(user_ids, nu);
    VIEW(user_ptr, nu + 1);
    VIEW(user_items, nr);
    VIEW(user_vals, nr);
    VIEW(item_ptr, nm + 1);
    VIEW(item_users, nr);
    VIEW(item_vals, nr);
    VIEW(item_count, nm);
    VIEW(item_mean, nm);
#undef VIEW
    if (r->failed)
        return "sections do not match the header";
    if (h->string_bytes == 0 || v->strings[h->string_bytes - 1] != '\0')
        return "strings not terminated";
    out->n_users = (int32_t)nu;
    out->n_items = (int32_t)nm;
    out->n_ratings = (int64_t)nr;
    out->global_mean = h->global_mean;
    if (!offsets_ok(out->user_ptr, nu, out->n_ratings) ||
        !offsets_ok(out->item_ptr, nm, out->n_ratings))
        return "bad rating offsets";
    for (size_t u = 0; u < nu; u++)
        if (out->user_ids[u] <= (u ? out->user_ids[u - 1] : 0))
            return "user ids out of order";
    return ratings_sound(out);
}

/* Builds the catalog over the views: movies and the tag pool are allocated, the strings are
 * the snapshot's.  Returns NULL, or a reason (c is then to be freed), or "" out of memory. */
static const char *build_catalog(const struct snap_header *h, const struct snap_views *v,
                                 struct mr_catalog *c)
{
    size_t nm = h->n_movies, nt = (size_t)h->n_tags;
    c->borrowed = 1;
    c->movies = calloc(nm ? nm : 1, sizeof *c->movies);
    c->tag_pool = calloc(nt ? nt : 1, sizeof *c->tag_pool);
    if (!c->movies || !c->tag_pool)
        return "";
    c->n_movies = (int32_t)nm;
    c->cap = (int32_t)nm;
    char *strings = (char *)(uintptr_t)v->strings; /* read-only: the catalog is borrowed */
    for (size_t t = 0; t < nt; t++) {
        if (v->tags[t].text >= h->string_bytes)
            return "bad tag text offset";
        c->tag_pool[t] = (struct mr_tag){strings + v->tags[t].text, v->tags[t].count};
    }
    for (size_t i = 0; i < nm; i++) {
        const struct snap_movie *sm = &v->movies[i];
        if (sm->title >= h->string_bytes || sm->display >= h->string_bytes || sm->n_tags < 0 ||
            sm->first_tag > nt || (uint64_t)sm->n_tags > nt - sm->first_tag || sm->year < 0 ||
            sm->year > 9999 || (sm->genres >> MR_GENRE_COUNT) != 0)
            return "bad movie record";
        if (sm->id <= (i > 0 ? v->movies[i - 1].id : 0))
            return "movie ids out of order";
        /* Tags are kept most applied first, each applied at least once. */
        for (int32_t t = 0; t < sm->n_tags; t++) {
            const struct snap_tag *tag = &v->tags[sm->first_tag + (uint64_t)t];
            if (tag->count < 1 || (t > 0 && tag[-1].count < tag->count))
                return "bad movie tags";
        }
        c->movies[i] = (struct mr_movie){.id = sm->id,
                                         .title = strings + sm->title,
                                         .display = strings + sm->display,
                                         .year = sm->year,
                                         .genres = sm->genres,
                                         .imdb_id = sm->imdb_id,
                                         .tmdb_id = sm->tmdb_id,
                                         .tags = sm->n_tags ? c->tag_pool + sm->first_tag : NULL,
                                         .n_tags = sm->n_tags};
    }
    return NULL;
}

/* "dir/name" into buf as the loaders name a file of the data directory.  Returns buf, or NULL
 * when it does not fit. */
static char *data_file_path(const char *dir, const char *name, char *buf, size_t len)
{
    size_t n = strlen(dir);
    int slash = n > 0 && dir[n - 1] == '/';
    int w = snprintf(buf, len, "%s%s%s", dir, slash ? "" : "/", name);
    return w < 0 || (size_t)w >= len ? NULL : buf;
}

/* One text of a kept report: a view of len bytes ending in its NUL, or NULL (r->failed). */
static const char *read_text(struct mr_reader *r)
{
    uint32_t len = 0;
    mr_read_count(r, SNAP_TEXT_MAX, &len);
    const char *p = len ? mr_read_view(r, len, 1) : NULL;
    if (!p || p[len - 1] != '\0') {
        r->failed = 1;
        return NULL;
    }
    return p;
}

/* Reads the kept reports at r (checked: r->failed when malformed) and, when replay has a report
 * function, passes each to it, files of the data directory named under dir. */
static void read_reports(struct mr_reader *r, const char *dir, const struct mr_load_opts *replay)
{
    uint32_t n = 0;
    mr_read_count(r, MR_SNAPSHOT_REPORTS, &n);
    for (uint32_t i = 0; i < n && !r->failed; i++) {
        uint32_t in_dir = 0;
        uint64_t line = 0;
        mr_read_u32(r, &in_dir);
        const char *file = read_text(r);
        mr_read_u64(r, &line);
        const char *what = read_text(r);
        if (r->failed || in_dir > 1 || (int64_t)line < 0) {
            r->failed = 1;
            return;
        }
        if (replay && replay->report) {
            char path[SNAP_DIR_MAX + SNAP_TEXT_MAX + 2];
            const char *name = in_dir ? data_file_path(dir, file, path, sizeof path) : file;
            replay->report(replay->report_ctx, name ? name : file, (long)line, what);
        }
    }
}

/* Checks the image and fills ds from it; *reports_at receives the offset of the kept reports.
 * Returns the state; err says why when not loaded. */
static enum mr_cache_state snapshot_read(const struct mr_file_image *img, const char *path,
                                         uint64_t data_fingerprint, struct mr_dataset *ds,
                                         struct mr_search_index **search, size_t *reports_at,
                                         struct mr_error *err)
{
    struct mr_reader r = {.data = img->data, .size = img->size};
    char magic[8];
    struct snap_header h = {0};
    mr_read(&r, magic, 8);
    mr_read_u32(&r, &h.format);
    mr_read_u32(&r, &h.byte_order);
    if (r.failed || memcmp(magic, SNAP_MAGIC, 8) != 0) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is corrupt: not a movierec snapshot");
        return MR_CACHE_CORRUPT;
    }
    if (h.format != MR_SNAPSHOT_FORMAT || h.byte_order != SNAP_BYTE_ORDER) {
        mr_error_set(err, MR_ECORRUPT, path, 0,
                     "snapshot is stale: written by another version of movierec");
        return MR_CACHE_STALE;
    }
    if (img->size < r.pos + sizeof(uint64_t)) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is corrupt: truncated");
        return MR_CACHE_CORRUPT;
    }
    size_t body = img->size - sizeof(uint64_t);
    uint64_t stored;
    memcpy(&stored, img->data + body, sizeof stored);
    if (mr_checksum(img->data, body) != stored) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is corrupt: checksum mismatch");
        return MR_CACHE_CORRUPT;
    }
    r.size = body;
    header_read(&r, &h);
    if (r.failed || h.layout > MR_LAYOUT_100K || h.n_movies > INT32_MAX || h.n_users > INT32_MAX ||
        h.n_ratings > (uint64_t)INT64_MAX / 8) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is corrupt: bad header");
        return MR_CACHE_CORRUPT;
    }
    if (h.build_fp != build_fingerprint()) {
        mr_error_set(err, MR_ECORRUPT, path, 0,
                     "snapshot is stale: written by another version of movierec");
        return MR_CACHE_STALE;
    }
    if (h.data_fp != data_fingerprint) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is stale: made for other data");
        return MR_CACHE_STALE;
    }
    struct snap_views v;
    const char *why = read_sections(&r, &h, &v, &ds->ratings);
    if (!why)
        why = build_catalog(&h, &v, &ds->catalog);
    uint32_t has_search = 0;
    if (!why) {
        mr_read_align(&r, SNAP_ALIGN);
        mr_read_u32(&r, &has_search);
        if (has_search == 1) {
            *search = mr_search_load(&r, &ds->catalog, ds->ratings.item_count);
            if (!*search)
                why = r.failed ? "bad search index" : "";
        }
        if (!why && !r.failed && has_search <= 1) {
            mr_read_align(&r, SNAP_ALIGN);
            *reports_at = r.pos;
            read_reports(&r, NULL, NULL);
        }
        if (!why && (r.failed || has_search > 1 || r.pos != r.size))
            why = "sections do not match the header";
    }
    if (why) {
        if (!*why)
            mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
        else
            mr_error_set(err, MR_ECORRUPT, path, 0, "snapshot is corrupt: %s", why);
        return MR_CACHE_CORRUPT;
    }
    ds->layout = (enum mr_layout)h.layout;
    ds->fingerprint = h.data_fp;
    ds->stats.lines_read = h.lines_read;
    ds->stats.lines_skipped = h.lines_skipped;
    return MR_CACHE_LOADED;
}

/* mr_snapshot_load() that also passes the kept bad-line reports to replay->report once the
 * whole snapshot is known to be sound (replay may be NULL). */
static int snapshot_load(const char *path, const char *dir, uint64_t data_fingerprint,
                         struct mr_dataset *ds, struct mr_search_index **search,
                         enum mr_cache_state *state, const struct mr_load_opts *replay,
                         struct mr_error *err)
{
    struct mr_search_index *ix = NULL;
    enum mr_cache_state dummy;
    if (!state)
        state = &dummy;
    memset(ds, 0, sizeof *ds);
    *state = MR_CACHE_MISSING;
    struct mr_file_image *img = malloc(sizeof *img);
    ds->dir = strdup(dir);
    if (!img || !ds->dir) {
        free(img);
        mr_dataset_free(ds);
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    }
    int rc = mr_file_image_open(path, "snapshot", img, err);
    if (rc != MR_OK) {
        free(img);
        mr_dataset_free(ds);
        if (rc == MR_EIO) {
            *state = MR_CACHE_CORRUPT;
            rc = MR_ECORRUPT;
        }
        return rc;
    }
    ds->snapshot = img; /* from here on, mr_dataset_free() releases it last */
    struct mr_error why;
    mr_error_clear(&why);
    size_t reports_at = 0;
    *state = snapshot_read(img, path, data_fingerprint, ds, &ix, &reports_at, &why);
    if (*state != MR_CACHE_LOADED) {
        mr_search_free(ix);
        mr_dataset_free(ds);
        if (err)
            *err = why;
        return why.status == MR_ENOMEM ? MR_ENOMEM : MR_ECORRUPT;
    }
    if (search)
        *search = ix;
    else
        mr_search_free(ix);
    if (replay && replay->report) {
        struct mr_reader r = {.data = img->data, .size = img->size - sizeof(uint64_t)};
        r.pos = reports_at;
        read_reports(&r, dir, replay);
    }
    return MR_OK;
}

int mr_snapshot_load(const char *path, const char *dir, uint64_t data_fingerprint,
                     struct mr_dataset *ds, struct mr_search_index **search,
                     enum mr_cache_state *state, struct mr_error *err)
{
    return snapshot_load(path, dir, data_fingerprint, ds, search, state, NULL, err);
}

/* Keeps one report (the first MR_SNAPSHOT_REPORTS) and forwards it: the report function of
 * the load that writes a snapshot. */
static void keep_report(void *ctx, const char *file, long line, const char *what)
{
    struct snap_reports *k = ctx;
    if (k->forward && k->forward->report)
        k->forward->report(k->forward->report_ctx, file, line, what);
    if (k->n >= MR_SNAPSHOT_REPORTS)
        return;
    const char *slash = strrchr(file, '/');
    const char *base = slash ? slash + 1 : file;
    char path[SNAP_DIR_MAX + SNAP_TEXT_MAX + 2];
    int in_dir = data_file_path(k->dir, base, path, sizeof path) && strcmp(path, file) == 0;
    struct snap_report *rep = &k->items[k->n];
    /* Cut to what a snapshot may hold (a longer text would make it unreadable). */
    rep->file = strndup(in_dir ? base : file, SNAP_TEXT_MAX - 1);
    rep->what = strndup(what ? what : "", SNAP_TEXT_MAX - 1);
    rep->in_dir = in_dir;
    rep->line = line < 0 ? 0 : line;
    if (!rep->file || !rep->what) {
        free(rep->file);
        free(rep->what);
        k->failed = 1;
        return;
    }
    k->n++;
}

static void free_reports(struct snap_reports *k)
{
    for (uint32_t i = 0; i < k->n; i++) {
        free(k->items[i].file);
        free(k->items[i].what);
    }
    k->n = 0;
}

/* Reports through opts->report, when there is one. */
static void tell(const struct mr_load_opts *opts, const char *file, const char *what)
{
    if (opts && opts->report)
        opts->report(opts->report_ctx, file, 0, what);
}

/* The search index of ds when the caller wants one (search not NULL) and has none yet.
 * Returns MR_OK or MR_ENOMEM. */
static int build_search(const struct mr_dataset *ds, struct mr_search_index **search,
                        struct mr_error *err)
{
    if (!search || *search)
        return MR_OK;
    *search = mr_search_build(&ds->catalog, ds->ratings.item_count);
    return *search ? MR_OK : mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
}

int mr_dataset_open(const char *dir, const char *cache_dir, const struct mr_load_opts *opts,
                    struct mr_dataset *ds, struct mr_search_index **search, struct mr_error *err)
{
    if (search)
        *search = NULL;
    int catalog_only = opts && opts->skip_ratings;
    enum mr_layout layout;
    uint64_t fp;
    char path[4200];
    struct mr_error lerr;
    mr_error_clear(&lerr);
    if (cache_dir && mr_dataset_fingerprint(dir, &layout, &fp, &lerr) == MR_OK &&
        mr_snapshot_path(cache_dir, fp, path, sizeof path)) {
        enum mr_cache_state state;
        if (snapshot_load(path, dir, fp, ds, search, &state, opts, &lerr) == MR_OK) {
            mr_error_clear(err);
            /* A snapshot written without an index: build it (the snapshot stays as it is). */
            int rc = build_search(ds, search, err);
            if (rc != MR_OK)
                mr_dataset_free(ds);
            return rc;
        }
        /* A catalog-only load does not rebuild a snapshot: it says nothing of a bad one. */
        if (!catalog_only && (state == MR_CACHE_STALE || state == MR_CACHE_CORRUPT)) {
            char what[700];
            snprintf(what, sizeof what, "%s; reading the data files", lerr.msg);
            tell(opts, path, what);
        }
    }
    if (!cache_dir || catalog_only) {
        int rc = mr_dataset_load(dir, opts, ds, err);
        if (rc == MR_OK && (rc = build_search(ds, search, err)) != MR_OK)
            mr_dataset_free(ds);
        return rc;
    }
    struct snap_reports kept = {.forward = opts, .dir = dir};
    struct mr_load_opts keep = opts ? *opts : (struct mr_load_opts){0};
    keep.report = keep_report;
    keep.report_ctx = &kept;
    int rc = mr_dataset_load(dir, &keep, ds, err);
    if (rc == MR_OK && (rc = build_search(ds, search, err)) != MR_OK)
        mr_dataset_free(ds);
    if (rc != MR_OK) {
        free_reports(&kept);
        return rc;
    }
    mr_error_clear(&lerr);
    if (!kept.failed && mr_snapshot_path(cache_dir, ds->fingerprint, path, sizeof path) &&
        snapshot_save(ds, search ? *search : NULL, &kept, path, &lerr) != MR_OK) {
        char what[700];
        snprintf(what, sizeof what, "cannot save the data snapshot (%s); continuing", lerr.msg);
        tell(opts, path, what);
    }
    free_reports(&kept);
    return MR_OK;
}
