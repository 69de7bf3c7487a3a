/* snapshot.h — a loaded data set on disk, so that a start-up need not parse the data files.
 *
 * After a load from the data files, the data set is written to
 * CACHE_DIR/data-<data fingerprint as 16 hex digits>.snapshot, laid out as
 *   header   "MRSNAPSH", format version (u32), byte-order mark (u32 0x01020304), build
 *            fingerprint (u64: the program's version), data fingerprint (u64, as
 *            mr_dataset.fingerprint), layout, n_movies, n_users (u32 each), n_ratings,
 *            n_tags, string bytes (u64 each), load stats lines_read, lines_skipped (i64),
 *            global mean (f64), the data directory (u32 length + bytes; used to remove this
 *            directory's older snapshots)
 *   sections each starting on a 64-byte boundary of the file: movies (56-byte records: id,
 *            year, genres, tag count, IMDb and TMDb ids, offsets of title and display title
 *            in the strings, first tag), tags (16-byte records: text offset, count), strings
 *            (NUL-terminated UTF-8), then the rating arrays of ratings.h in their order:
 *            user_ids, user_ptr, user_items, user_vals, item_ptr, item_users, item_vals,
 *            item_count, item_mean; then a u32 1 and the title search index (mr_search_save),
 *            or 0 when the snapshot was written without one; then the bad-line reports of
 *            the load that wrote it, at most MR_SNAPSHOT_REPORTS: a u32 count, and for each
 *            u32 in_dir (1: the file is named by its base name, a file of the data
 *            directory), u32 length + file name with its NUL, line (u64), u32 length +
 *            message with its NUL
 *   checksum u64 over every byte before it (mr_checksum of serial.h)
 * It is written like a model file (temporary name, fsync, rename).  Loading maps the file,
 * checks the header and the checksum, then the structure (sizes, pointer arrays monotonic and
 * ending at n_ratings, ids ascending, string and tag offsets in range) and what the loaders
 * promise of the contents (item and user indexes in range and ascending within each user and
 * item, half stars 1-10, item counts and means, both sides holding the same ratings, years,
 * genre bits, tag counts), and uses the rating
 * arrays and strings in place: the mapping becomes mr_dataset.snapshot.  A stale, truncated
 * or corrupt snapshot is reported and the data files are read again, never trusted. */
#ifndef MOVIEREC_SNAPSHOT_H
#define MOVIEREC_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/cache.h" /* enum mr_cache_state */
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/search.h"

/* Bump when the layout or what a load computes changes.  2: the search index.  3: the
 * bad-line reports.  4: a lone CR ends a line in the data files. */
#define MR_SNAPSHOT_FORMAT 4

/* How many bad-line reports a snapshot keeps (the first ones of its load, in order). */
#define MR_SNAPSHOT_REPORTS 100

/* Writes CACHE_DIR/data-<16 hex digits>.snapshot into buf.  Returns buf, or NULL when it does
 * not fit. */
char *mr_snapshot_path(const char *cache_dir, uint64_t data_fingerprint, char *buf, size_t len);

/* Writes ds (a full load: the fingerprint of a catalog-only load never matches a lookup) and
 * search (its title index, built over ds; may be NULL) to path crash-safely, then removes the other
 * snapshots of the same data directory in path's directory (they were made for older versions of
 * its files).  Returns MR_OK, MR_EUSAGE (the ratings do not cover the catalog), MR_EIO or
 * MR_ENOMEM; on failure no file is left under path's name that was not there before. */
int mr_snapshot_save(const struct mr_dataset *ds, const struct mr_search_index *search,
                     const char *path, struct mr_error *err);

/* Loads the snapshot at path into ds (overwritten) for the data in dir whose fingerprint is
 * data_fingerprint, and its search index into *search (NULL when the snapshot has none; the
 * index points into ds's mapping: free it before ds); search may be NULL.  *state says what was
 * found (MR_CACHE_LOADED, _MISSING, _STALE: another format or program version or other data,
 * _CORRUPT).  Returns MR_OK; MR_ENOTFOUND (no file); MR_ECORRUPT for a stale or corrupt file,
 * err->msg saying which ("snapshot is corrupt: checksum mismatch"); MR_ENOMEM.  On failure ds is
 * zeroed. */
int mr_snapshot_load(const char *path, const char *dir, uint64_t data_fingerprint,
                     struct mr_dataset *ds, struct mr_search_index **search,
                     enum mr_cache_state *state, struct mr_error *err);

/* mr_dataset_load() through a snapshot: when cache_dir holds a valid snapshot of dir's
 * current files it is loaded, and the first MR_SNAPSHOT_REPORTS bad-line reports of the load
 * that wrote it are passed to opts->report again, as that load passed them (files of the data
 * directory named under dir); ds->stats are that load's.  Else the files are loaded (bad lines
 * reported through opts->report) and the snapshot written.  A stale or corrupt snapshot, and a
 * failure to save one, are reported through opts->report ("FILE: snapshot is corrupt: ...;
 * reading the data files") and are not errors.  opts->skip_ratings: a valid snapshot is used
 * as above (ds then holds the ratings too, and the full load's reports and stats); without
 * one, a plain catalog-only mr_dataset_load() that writes no snapshot.  cache_dir NULL: a plain
 * mr_dataset_load().  search (may be NULL) receives the title index over ds (popularity:
 * ratings.item_count), read from the snapshot or built (and saved with it); free it with
 * mr_search_free() before ds.  Returns what mr_dataset_load() returns, or MR_ENOMEM. */
int mr_dataset_open(const char *dir, const char *cache_dir, const struct mr_load_opts *opts,
                    struct mr_dataset *ds, struct mr_search_index **search, struct mr_error *err);

#endif
