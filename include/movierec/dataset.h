/* dataset.h — one MovieLens data set loaded from a directory.
 *
 * mr_dataset_load() detects the layout of the directory:
 *   MR_LAYOUT_CSV   ml-latest, ml-latest-small, ml-20m, ml-25m: movies.csv, ratings.csv,
 *                   optional tags.csv and links.csv (all read through libcsv)
 *   MR_LAYOUT_DAT   ml-1m, ml-10m: movies.dat, ratings.dat, optional tags.dat ("::" separated;
 *                   ml-1m titles are Latin-1 and converted to UTF-8)
 *   MR_LAYOUT_100K  ml-100k: u.item ('|' separated, Latin-1, 19 genre flags) and u.data (tabs)
 * Malformed lines are reported through opts->report as FILE:LINE: what, skipped and counted. */
#ifndef MOVIEREC_DATASET_H
#define MOVIEREC_DATASET_H

#include <stdint.h>
#include "movierec/error.h"
#include "movierec/catalog.h"
#include "movierec/ratings.h"

enum mr_layout { MR_LAYOUT_CSV, MR_LAYOUT_DAT, MR_LAYOUT_100K };

struct mr_load_opts {
    mr_report_fn report; /* NULL: bad lines are only counted */
    void *report_ctx;
    mr_progress_fn progress; /* NULL: no progress */
    void *progress_ctx;
    int skip_ratings; /* 1: load the catalog (and tags, links) only */
};

struct mr_load_stats {
    int64_t lines_read;    /* data lines, headers excluded, over all files */
    int64_t lines_skipped; /* malformed lines reported and skipped */
};

struct mr_dataset {
    char *dir;
    enum mr_layout layout;
    struct mr_catalog catalog;
    struct mr_ratings ratings;
    struct mr_load_stats stats;
    uint64_t fingerprint; /* of the data files (names, sizes, mtimes): keys the model cache */
    /* Owned: the mapped snapshot the catalog's strings and the ratings point into when the
     * data set was read from one (snapshot.h), else NULL.  Released by mr_dataset_free() after
     * the catalog and the ratings. */
    void *snapshot;
};

/* Loads the data set in dir into ds (which is overwritten).  opts may be NULL.
 * Returns MR_OK; or MR_EDATA when dir is not readable, has no known layout or misses a
 * required file (err says which); MR_ENOMEM.  On failure ds is left freed and zeroed. */
int mr_dataset_load(const char *dir, const struct mr_load_opts *opts, struct mr_dataset *ds,
                    struct mr_error *err);

/* The fingerprint mr_dataset_load() would give dir's files (base names, sizes and
 * modification times of the files a full load opens, in the same order), from their metadata
 * alone, and the layout.  Returns MR_OK, or MR_EDATA when a required file is missing or not a
 * regular file (a load would fail too), MR_ENOMEM. */
int mr_dataset_fingerprint(const char *dir, enum mr_layout *layout, uint64_t *fingerprint,
                           struct mr_error *err);

/* Layout of dir without loading it; MR_EDATA in err when none is recognised. */
int mr_dataset_detect(const char *dir, enum mr_layout *layout, struct mr_error *err);

/* Name of a layout: "ml-latest (CSV)", "ml-1m/ml-10m (::)", "ml-100k". */
const char *mr_layout_name(enum mr_layout layout);

/* Loads a movies.csv-format file alone into c (finished and sorted); used by `gen`. */
int mr_catalog_load_csv(const char *path, const struct mr_load_opts *opts, struct mr_catalog *c,
                        struct mr_load_stats *stats, struct mr_error *err);

/* Reads a ratings file in ml-100k u.data layout (user item rating timestamp, tab separated),
 * e.g. u1.base, appending to b; movie ids are mapped through c.  Used by the ml100k split. */
int mr_ratings_load_100k_file(const char *path, const struct mr_catalog *c,
                              const struct mr_load_opts *opts, struct mr_ratings_builder *b,
                              struct mr_load_stats *stats, struct mr_error *err);

/* Frees everything the data set owns and zeroes it. */
void mr_dataset_free(struct mr_dataset *ds);

#endif
