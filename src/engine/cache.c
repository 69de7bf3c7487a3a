/* cache.c — the model file: header, fingerprints, payload, checksum (see cache.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/cache.h"
#include "movierec/paths.h"
#include "movierec/serial.h"
#include "file_image.h"
#include "train_version.h"

#define CACHE_MAGIC      "MOVIEREC"
#define CACHE_BYTE_ORDER 0x01020304u
#define CACHE_NAME_MAX   64

static void fp_u64(uint64_t *h, uint64_t v)
{
    *h = mr_fnv1a(*h, &v, sizeof v);
}

static void fp_f64(uint64_t *h, double v)
{
    *h = mr_fnv1a(*h, &v, sizeof v);
}

static void fp_str(uint64_t *h, const char *s)
{
    *h = mr_fnv1a(*h, s, strlen(s) + 1);
}

/* Folds every training field of p (not threads) into h, one by one (no struct padding). */
static void fp_params(uint64_t *h, const struct mr_params *p)
{
    fp_u64(h, (uint64_t)(int64_t)p->factors);
    fp_u64(h, (uint64_t)(int64_t)p->epochs);
    fp_f64(h, p->reg);
    fp_f64(h, p->lr);
    fp_u64(h, (uint64_t)(int64_t)p->neighbors);
    fp_f64(h, p->shrink);
    fp_f64(h, p->alpha);
    fp_f64(h, p->beta);
    fp_u64(h, p->seed);
}

/* Bump a number when that model's training changes: see train_version.h. */
const struct mr_train_version mr_train_versions[] = {
    {"pop", 1}, {"baseline", 1}, {"userknn", 1}, {"itemknn", 1}, {"als", 1},
    {"sgd", 1}, {"content", 2},  {"graph", 1},   {"hybrid", 5},  {NULL, 0},
};

uint64_t mr_cache_params_fingerprint_with(const char *name, const struct mr_params *p,
                                          const struct mr_train_version *versions)
{
    uint64_t h = MR_FNV_INIT;
#ifdef MOVIEREC_VERSION
    fp_str(&h, MOVIEREC_VERSION); /* a new release may fit differently with the same params */
#endif
    for (int i = 0; versions[i].model; i++) {
        fp_str(&h, versions[i].model);
        fp_u64(&h, versions[i].version);
    }
    fp_str(&h, name);
    fp_params(&h, p);
    const struct mr_model_ops *const *all = mr_model_ops_all();
    for (int i = 0; all[i]; i++) {
        struct mr_params d;
        mr_params_default(all[i]->name, &d);
        fp_str(&h, all[i]->name);
        fp_params(&h, &d);
    }
    return h;
}

uint64_t mr_cache_params_fingerprint(const char *name, const struct mr_params *p)
{
    return mr_cache_params_fingerprint_with(name, p, mr_train_versions);
}

char *mr_cache_path(const char *cache_dir, const char *name, uint64_t data_fingerprint, char *buf,
                    size_t len)
{
    int n = snprintf(buf, len, "%s/%s-%016" PRIx64 ".model", cache_dir, name, data_fingerprint);
    return n < 0 || (size_t)n >= len ? NULL : buf;
}

/* The header's fields, as written or as read back. */
struct cache_header {
    uint32_t format;
    uint32_t byte_order;
    char name[CACHE_NAME_MAX + 1];
    uint64_t data_fp;
    uint64_t params_fp;
    uint32_t n_items;
    uint32_t n_users;
    uint64_t n_ratings;
};

static void header_of(const struct mr_model *m, uint64_t data_fingerprint, struct cache_header *h)
{
    memset(h, 0, sizeof *h);
    h->format = MR_CACHE_FORMAT;
    h->byte_order = CACHE_BYTE_ORDER;
    snprintf(h->name, sizeof h->name, "%s", m->ops->name);
    h->data_fp = data_fingerprint;
    h->params_fp = mr_cache_params_fingerprint(m->ops->name, &m->params);
    h->n_items = m->ratings ? (uint32_t)m->ratings->n_items : 0;
    h->n_users = m->ratings ? (uint32_t)m->ratings->n_users : 0;
    h->n_ratings = m->ratings ? (uint64_t)m->ratings->n_ratings : 0;
}

static void header_write(struct mr_writer *w, const struct cache_header *h)
{
    mr_write(w, CACHE_MAGIC, 8);
    mr_write_u32(w, h->format);
    mr_write_u32(w, h->byte_order);
    uint32_t len = (uint32_t)strlen(h->name);
    mr_write_u32(w, len);
    mr_write(w, h->name, len);
    mr_write_u64(w, h->data_fp);
    mr_write_u64(w, h->params_fp);
    mr_write_u32(w, h->n_items);
    mr_write_u32(w, h->n_users);
    mr_write_u64(w, h->n_ratings);
}

/* Writes all of buf to fd.  Returns 0 or -1 (errno set). */
static int write_all(int fd, const unsigned char *buf, size_t len)
{
    while (len) {
        ssize_t w = write(fd, buf, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

int mr_cache_save(const struct mr_model *m, const char *path, uint64_t data_fingerprint,
                  struct mr_error *err)
{
    if (!m->ops->save)
        return mr_error_set(err, MR_EUSAGE, path, 0, "model %s cannot be cached", m->ops->name);
    /* The file is assembled in memory, so that it is checksummed in one pass and written
     * with few system calls. */
    char *buf = NULL;
    size_t size = 0;
    FILE *mem = open_memstream(&buf, &size);
    if (!mem)
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    struct mr_writer w = {.f = mem, .checksum = MR_FNV_INIT};
    struct cache_header h;
    header_of(m, data_fingerprint, &h);
    header_write(&w, &h);
    int saved = w.failed ? -1 : m->ops->save(m, &w);
    if (fclose(mem) != 0 || saved != 0 || w.failed) {
        free(buf);
        return mr_error_set(err, MR_ENOMEM, path, 0, "cannot serialise model %s", m->ops->name);
    }
    uint64_t sum = mr_checksum(buf, size);

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    if (mr_file_make_parent(path) != 0) {
        int e = errno;
        free(buf);
        return mr_error_set(err, MR_EIO, path, 0, "cannot create the cache directory: %s",
                            strerror(e));
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        int e = errno;
        free(buf);
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create: %s", strerror(e));
    }
    int failed = write_all(fd, (const unsigned char *)buf, size) != 0 ||
                 write_all(fd, (const unsigned char *)&sum, sizeof sum) != 0 || fsync(fd) != 0;
    int e = errno;
    free(buf);
    if (close(fd) != 0 && !failed) {
        failed = 1;
        e = errno;
    }
    if (!failed && rename(tmp, path) != 0) {
        failed = 1;
        e = errno;
    }
    if (failed) {
        unlink(tmp);
        return mr_error_set(err, MR_EIO, path, 0, "cannot write the cache: %s", strerror(e));
    }
    mr_file_sync_parent(path);
    return MR_OK;
}

/* Checks the file's header and checksum against what m expects.  On success *payload is a
 * reader over the model's bytes.  Returns the state. */
static enum mr_cache_state check_image(const struct mr_model *m, const struct mr_file_image *img,
                                       uint64_t data_fingerprint, const char *path,
                                       struct mr_reader *payload, struct mr_error *err)
{
    struct mr_reader r = {.data = img->data, .size = img->size};
    char magic[8];
    struct cache_header got = {0};
    uint32_t name_len = 0;
    mr_read(&r, magic, 8);
    mr_read_u32(&r, &got.format);
    mr_read_u32(&r, &got.byte_order);
    if (r.failed || memcmp(magic, CACHE_MAGIC, 8) != 0) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "cache is corrupt: not a movierec model file");
        return MR_CACHE_CORRUPT;
    }
    if (got.format != MR_CACHE_FORMAT || got.byte_order != CACHE_BYTE_ORDER) {
        mr_error_set(err, MR_ECORRUPT, path, 0,
                     "cache is stale: written by another version of movierec");
        return MR_CACHE_STALE;
    }
    if (img->size < r.pos + sizeof(uint64_t)) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "cache is corrupt: truncated");
        return MR_CACHE_CORRUPT;
    }
    size_t body = img->size - sizeof(uint64_t);
    uint64_t stored;
    memcpy(&stored, img->data + body, sizeof stored);
    if (mr_checksum(img->data, body) != stored) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "cache is corrupt: checksum mismatch");
        return MR_CACHE_CORRUPT;
    }
    r.size = body;
    mr_read_count(&r, CACHE_NAME_MAX, &name_len);
    mr_read(&r, got.name, name_len);
    mr_read_u64(&r, &got.data_fp);
    mr_read_u64(&r, &got.params_fp);
    mr_read_u32(&r, &got.n_items);
    mr_read_u32(&r, &got.n_users);
    mr_read_u64(&r, &got.n_ratings);
    if (r.failed) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "cache is corrupt: bad header");
        return MR_CACHE_CORRUPT;
    }
    struct cache_header want;
    header_of(m, data_fingerprint, &want);
    const char *why = NULL;
    if (strcmp(got.name, want.name) != 0)
        why = "made for another model";
    else if (got.data_fp != want.data_fp || got.n_items != want.n_items ||
             got.n_users != want.n_users || got.n_ratings != want.n_ratings)
        why = "made for other data";
    else if (got.params_fp != want.params_fp)
        why = "made with other parameters";
    if (why) {
        mr_error_set(err, MR_ECORRUPT, path, 0, "cache is stale: %s", why);
        return MR_CACHE_STALE;
    }
    /* The payload reader starts at the file's first byte so that mr_read_align() counts
     * from there, as mr_write_align() did. */
    *payload = (struct mr_reader){.data = img->data, .size = body, .pos = r.pos};
    return MR_CACHE_LOADED;
}

int mr_cache_load(struct mr_model *m, const char *path, uint64_t data_fingerprint,
                  enum mr_cache_state *state, struct mr_error *err)
{
    enum mr_cache_state dummy;
    if (!state)
        state = &dummy;
    *state = MR_CACHE_MISSING;
    struct mr_file_image *img = malloc(sizeof *img);
    if (!img)
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    int rc = mr_file_image_open(path, "cache", img, err);
    if (rc != MR_OK) {
        free(img);
        if (rc == MR_EIO) {
            *state = MR_CACHE_CORRUPT;
            rc = MR_ECORRUPT;
        }
        return rc;
    }
    struct mr_reader payload;
    *state = check_image(m, img, data_fingerprint, path, &payload, err);
    if (*state != MR_CACHE_LOADED) {
        mr_file_image_release(img);
        return MR_ECORRUPT;
    }
    if (!m->ops->load) {
        mr_file_image_release(img);
        *state = MR_CACHE_STALE;
        return mr_error_set(err, MR_ECORRUPT, path, 0, "cache is stale: model %s has no loader",
                            m->ops->name);
    }
    /* The model may keep pointers into the image (mr_read_view): it lives as long as the
     * model, also after a failed load, until mr_model_unload() or mr_model_free(). */
    if (m->backing && m->backing_release)
        m->backing_release(m->backing);
    m->backing = img;
    m->backing_release = mr_file_image_release;
    struct mr_error lerr;
    mr_error_clear(&lerr);
    rc = m->ops->load(m, &payload, &lerr);
    int complete = !payload.failed && payload.pos == payload.size;
    if (rc == MR_ENOMEM) {
        *state = MR_CACHE_CORRUPT;
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory loading the cache");
    }
    if (rc != MR_OK || !complete) {
        *state = MR_CACHE_CORRUPT;
        return mr_error_set(err, MR_ECORRUPT, path, 0, "cache is corrupt: %s",
                            rc != MR_OK && lerr.msg[0] ? lerr.msg : "the model data is invalid");
    }
    return MR_OK;
}

int mr_cache_fit_or_load(struct mr_model **mp, const char *cache_dir, uint64_t data_fingerprint,
                         mr_report_fn report, void *report_ctx, enum mr_cache_state *state,
                         struct mr_error *err)
{
    struct mr_model *m = *mp;
    enum mr_cache_state found = MR_CACHE_MISSING;
    char path[4096];
    int have_path =
        cache_dir && mr_cache_path(cache_dir, m->ops->name, data_fingerprint, path, sizeof path);
    if (have_path && m->ops->load) {
        struct mr_error lerr;
        mr_error_clear(&lerr);
        int rc = mr_cache_load(m, path, data_fingerprint, &found, &lerr);
        if (rc == MR_OK) {
            if (state)
                *state = found;
            return MR_OK;
        }
        if (found == MR_CACHE_STALE || found == MR_CACHE_CORRUPT || rc == MR_ENOMEM) {
            if (report) {
                char what[700];
                snprintf(what, sizeof what, "%s; retraining", lerr.msg);
                report(report_ctx, path, 0, what);
            }
            /* Whatever the failed load built is dropped: the model starts fresh. */
            mr_model_unload(m);
        }
    }
    if (state)
        *state = found;
    int rc = mr_model_fit(m, err);
    if (rc != MR_OK)
        return rc;
    if (have_path && m->ops->save) {
        struct mr_error serr;
        mr_error_clear(&serr);
        if (mr_cache_save(m, path, data_fingerprint, &serr) != MR_OK && report) {
            char what[700];
            snprintf(what, sizeof what, "cannot save the model cache (%s); continuing", serr.msg);
            report(report_ctx, path, 0, what);
        }
    }
    return MR_OK;
}
