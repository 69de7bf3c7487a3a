/* dataset.c — one MovieLens directory: detecting its layout and loading it whole. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/serial.h"
#include "file_image.h"
#include "loaders.h"

/* The files of one layout; NULL where the layout has none. */
struct layout_files {
    const char *movies;  /* required */
    const char *ratings; /* required unless opts->skip_ratings */
    const char *tags;    /* optional */
    const char *links;   /* optional */
};

static const struct layout_files layout_files[] = {
    [MR_LAYOUT_CSV] = {"movies.csv", "ratings.csv", "tags.csv", "links.csv"},
    [MR_LAYOUT_DAT] = {"movies.dat", "ratings.dat", "tags.dat", NULL},
    [MR_LAYOUT_100K] = {"u.item", "u.data", NULL, NULL},
};

const char *mr_layout_name(enum mr_layout layout)
{
    switch (layout) {
    case MR_LAYOUT_CSV:
        return "ml-latest (CSV)";
    case MR_LAYOUT_DAT:
        return "ml-1m/ml-10m (::)";
    case MR_LAYOUT_100K:
        return "ml-100k";
    }
    return "unknown";
}

/* "dir/name" in a new string, or NULL without memory. */
static char *join_path(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    int slash = n > 0 && dir[n - 1] == '/';
    size_t size = n + strlen(name) + 2;
    char *path = malloc(size);
    if (path)
        snprintf(path, size, "%s%s%s", dir, slash ? "" : "/", name);
    return path;
}

/* 1 when dir/name exists (whatever it is), else 0; -1 without memory. */
static int file_exists(const char *dir, const char *name)
{
    char *path = join_path(dir, name);
    if (!path)
        return -1;
    struct stat st;
    int found = stat(path, &st) == 0;
    free(path);
    return found;
}

int mr_dataset_detect(const char *dir, enum mr_layout *layout, struct mr_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return mr_error_set(err, MR_EDATA, dir, 0, "cannot open the data directory: %s",
                            strerror(errno));
    closedir(d);
    /* The first layout whose movie or rating file is present wins. */
    static const enum mr_layout order[] = {MR_LAYOUT_CSV, MR_LAYOUT_DAT, MR_LAYOUT_100K};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        const struct layout_files *f = &layout_files[order[i]];
        int movies = file_exists(dir, f->movies);
        int ratings = file_exists(dir, f->ratings);
        if (movies < 0 || ratings < 0)
            return mr_error_set(err, MR_ENOMEM, dir, 0, "out of memory");
        if (movies || ratings) {
            *layout = order[i];
            return MR_OK;
        }
    }
    return mr_error_set(err, MR_EDATA, dir, 0,
                        "no MovieLens data here (expected movies.csv and ratings.csv, "
                        "movies.dat and ratings.dat, or u.item and u.data)");
}

/* The loaders of one layout. */
struct layout_ops {
    int (*movies)(struct mr_load *, const char *, struct mr_catalog *);
    int (*ratings)(struct mr_load *, const char *, const struct mr_catalog *,
                   struct mr_ratings_builder *);
    int (*tags)(struct mr_load *, const char *, struct mr_catalog *);
    int (*links)(struct mr_load *, const char *, struct mr_catalog *);
};

static const struct layout_ops layout_ops[] = {
    [MR_LAYOUT_CSV] = {mr_load_csv_movies, mr_load_csv_ratings, mr_load_csv_tags,
                       mr_load_csv_links},
    [MR_LAYOUT_DAT] = {mr_load_dat_movies, mr_load_dat_ratings, mr_load_dat_tags, NULL},
    [MR_LAYOUT_100K] = {mr_load_100k_items, mr_load_100k_ratings, NULL, NULL},
};

/* Path of a file the layout requires: MR_OK with *path set, or MR_EDATA naming it. */
static int required_file(const char *dir, const char *name, enum mr_layout layout, char **path,
                         struct mr_error *err)
{
    *path = join_path(dir, name);
    if (!*path)
        return mr_error_set(err, MR_ENOMEM, dir, 0, "out of memory");
    struct stat st;
    if (stat(*path, &st) != 0) {
        /* Absent, or there but unusable (a symlink loop): say which. */
        int rc =
            errno == ENOENT
                ? mr_error_set(err, MR_EDATA, *path, 0, "missing: the %s layout needs this file",
                               mr_layout_name(layout))
                : mr_error_set(err, MR_EDATA, *path, 0, "cannot open: %s", strerror(errno));
        free(*path);
        *path = NULL;
        return rc;
    }
    return MR_OK;
}

/* Loads an optional file with fn when it exists. */
static int optional_file(struct mr_load *ld, const char *dir, const char *name,
                         int (*fn)(struct mr_load *, const char *, struct mr_catalog *),
                         struct mr_catalog *c)
{
    if (!name || !fn)
        return MR_OK;
    char *path = join_path(dir, name);
    if (!path)
        return mr_error_set(ld->err, MR_ENOMEM, dir, 0, "out of memory");
    /* Only a file that is not there at all (a dangling link included) is skipped; one that
     * is there but cannot be opened (a symlink loop) is an error, as it would be if read. */
    struct stat st;
    int rc = MR_OK;
    if (stat(path, &st) == 0)
        rc = fn(ld, path, c);
    else if (errno != ENOENT)
        rc = mr_error_set(ld->err, MR_EDATA, path, 0, "cannot open: %s", strerror(errno));
    free(path);
    return rc;
}

int mr_dataset_load(const char *dir, const struct mr_load_opts *opts, struct mr_dataset *ds,
                    struct mr_error *err)
{
    memset(ds, 0, sizeof *ds);
    mr_error_clear(err);
    struct mr_load ld;
    mr_load_init(&ld, opts, &ds->stats, err);

    enum mr_layout layout;
    int rc = mr_dataset_detect(dir, &layout, err);
    if (rc != MR_OK)
        return rc;
    ds->layout = layout;
    ds->dir = strdup(dir);
    if (!ds->dir)
        return mr_error_set(err, MR_ENOMEM, dir, 0, "out of memory");
    const struct layout_files *files = &layout_files[layout];
    const struct layout_ops *ops = &layout_ops[layout];
    struct mr_ratings_builder builder = {0};
    char *movies_path = NULL, *ratings_path = NULL;

    rc = required_file(dir, files->movies, layout, &movies_path, err);
    if (rc == MR_OK && !ld.opts->skip_ratings)
        rc = required_file(dir, files->ratings, layout, &ratings_path, err);
    if (rc == MR_OK)
        rc = ops->movies(&ld, movies_path, &ds->catalog);
    if (rc == MR_OK)
        rc = optional_file(&ld, dir, files->links, ops->links, &ds->catalog);
    if (rc == MR_OK)
        rc = optional_file(&ld, dir, files->tags, ops->tags, &ds->catalog);
    if (rc == MR_OK)
        mr_catalog_finish_tags(&ds->catalog);
    if (rc == MR_OK && ratings_path)
        rc = ops->ratings(&ld, ratings_path, &ds->catalog, &builder);
    if (rc == MR_OK) {
        if (ld.opts->progress)
            ld.opts->progress(ld.opts->progress_ctx, "matrix", 0.0);
        rc = mr_ratings_build(&builder, ds->catalog.n_movies, &ds->ratings);
        if (rc != MR_OK)
            mr_error_set(err, rc, dir, 0, "out of memory building the rating matrix");
        else if (ld.opts->progress)
            ld.opts->progress(ld.opts->progress_ctx, "matrix", 1.0);
    }
    free(movies_path);
    free(ratings_path);
    mr_ratings_builder_free(&builder);
    if (rc != MR_OK) {
        mr_dataset_free(ds);
        return rc;
    }
    ds->fingerprint = ld.fingerprint;
    return MR_OK;
}

/* Folds one file into a fingerprint as the loaders do (load_lines.c): its base name with its
 * NUL, then its size and modification time (seconds, nanoseconds) as three int64. */
static uint64_t fingerprint_fold(uint64_t h, const char *name, const struct stat *st)
{
    h = mr_fnv1a(h, name, strlen(name) + 1);
    int64_t fields[3] = {(int64_t)st->st_size, (int64_t)st->st_mtim.tv_sec,
                         (int64_t)st->st_mtim.tv_nsec};
    return mr_fnv1a(h, fields, sizeof fields);
}

/* Folds dir/name into *h when it exists (required: it must).  Returns MR_OK, MR_ENOTFOUND
 * for an absent optional file, MR_EDATA or MR_ENOMEM. */
static int fingerprint_file(const char *dir, const char *name, int required, uint64_t *h,
                            struct mr_error *err)
{
    char *path = join_path(dir, name);
    if (!path)
        return mr_error_set(err, MR_ENOMEM, dir, 0, "out of memory");
    struct stat st;
    int rc = MR_OK;
    if (stat(path, &st) != 0)
        rc = errno == ENOENT && !required
                 ? MR_ENOTFOUND
                 : mr_error_set(err, MR_EDATA, path, 0, "cannot open: %s", strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = mr_error_set(err, MR_EDATA, path, 0, "not a regular file");
    else
        *h = fingerprint_fold(*h, name, &st);
    free(path);
    return rc;
}

int mr_dataset_fingerprint(const char *dir, enum mr_layout *layout, uint64_t *fingerprint,
                           struct mr_error *err)
{
    int rc = mr_dataset_detect(dir, layout, err);
    if (rc != MR_OK)
        return rc;
    /* The order of mr_dataset_load: movies, links, tags, ratings. */
    const struct layout_files *f = &layout_files[*layout];
    const struct layout_ops *ops = &layout_ops[*layout];
    uint64_t h = MR_FNV_INIT;
    rc = fingerprint_file(dir, f->movies, 1, &h, err);
    if (rc == MR_OK && f->links && ops->links)
        rc = fingerprint_file(dir, f->links, 0, &h, err);
    if ((rc == MR_OK || rc == MR_ENOTFOUND) && f->tags && ops->tags)
        rc = fingerprint_file(dir, f->tags, 0, &h, err);
    if (rc == MR_OK || rc == MR_ENOTFOUND)
        rc = fingerprint_file(dir, f->ratings, 1, &h, err);
    if (rc == MR_OK)
        *fingerprint = h;
    return rc;
}

void mr_dataset_free(struct mr_dataset *ds)
{
    free(ds->dir);
    mr_catalog_free(&ds->catalog);
    mr_ratings_free(&ds->ratings);
    /* Last: the catalog's strings and the ratings pointed into it. */
    mr_file_image_release(ds->snapshot);
    memset(ds, 0, sizeof *ds);
}
