/* import.h — ratings exported from elsewhere, matched to the catalog and written to a profile.
 *
 * Three formats are read (through libcsv), told apart by their header line:
 *   MovieLens   ratings.csv: userId,movieId,rating,timestamp (also what `movierec export`
 *               writes); rows are matched by movieId
 *   IMDb        the ratings export: Const (tt0114709), Your Rating (1-10), Date Rated, Title,
 *               Year and more; matched by IMDb id through links.csv, 7/10 -> 3.5 stars
 *   Letterboxd  ratings.csv: Date,Name,Year,Letterboxd URI,Rating (0.5-5); matched by folded
 *               title (the display title or one of its alternative titles) and year
 * Columns are found by name (case and surrounding spaces ignored), so extra or reordered
 * columns are fine.  Parsing and matching (mr_import_read / mr_import_parse) never touch the
 * profile; mr_import_apply() then writes what changed, each rating durably. */
#ifndef MOVIEREC_IMPORT_H
#define MOVIEREC_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "movierec/profile.h"

/* Records longer than this (all fields together, or one quoted field running over many
 * lines) are reported as bad and skipped. */
#define MR_IMPORT_MAX_RECORD (64 * 1024)

/* Candidates kept for an ambiguous row. */
#define MR_IMPORT_MAX_CANDIDATES 4

enum mr_import_format { MR_IMPORT_MOVIELENS, MR_IMPORT_IMDB, MR_IMPORT_LETTERBOXD };

/* How a row of the file matched the catalog. */
enum mr_import_outcome {
    MR_IMPORT_MATCHED,   /* item is set */
    MR_IMPORT_AMBIGUOUS, /* several films fit equally well: candidates */
    MR_IMPORT_UNKNOWN,   /* no film of the catalog fits */
    MR_IMPORT_BAD,       /* the row itself is unusable: what says why */
};

/* What mr_import_apply() did with a matched row. */
enum mr_import_change {
    MR_IMPORT_NONE,       /* not applied (not matched, or not applied yet) */
    MR_IMPORT_ADDED,      /* the profile had no rating of the film */
    MR_IMPORT_UPDATED,    /* the profile had another rating: old_half */
    MR_IMPORT_SAME,       /* the profile already had this rating */
    MR_IMPORT_SUPERSEDED, /* a later row of the file rates the same film */
};

struct mr_import_row {
    long line; /* physical line of the file where the record starts */
    enum mr_import_outcome outcome;
    enum mr_import_change change;
    int32_t item;      /* catalog item index when matched, else -1 */
    int half;          /* rating in half stars 1..10 (0 for a bad row whose rating failed) */
    int old_half;      /* UPDATED: the profile's rating before */
    int64_t timestamp; /* when it was rated, seconds since the epoch; 0 when the file says not */
    char *title;       /* the film as the file names it (title, or "movieId N"); never NULL */
    int year;          /* year the file gives, 0 when none */
    char *what;        /* BAD: why (never NULL then), else NULL */
    int32_t candidates[MR_IMPORT_MAX_CANDIDATES]; /* AMBIGUOUS: item indexes */
    int n_candidates;
};

struct mr_import {
    enum mr_import_format format;
    struct mr_import_row *rows; /* in file order; rows of other MovieLens users are not kept */
    size_t n_rows;
    size_t cap_rows;
    int64_t other_users_rows; /* MovieLens: rows of users other than user_id, skipped */
    int32_t user_id;          /* MovieLens: whose rows were taken (0 for other formats) */
};

struct mr_import_opts {
    /* MovieLens files: take only this user's rows.  0: the file must hold one user's rows
     * (as an export of a profile does), else MR_EUSAGE names two of its users. */
    int32_t user_id;
};

/* Counts over the rows after mr_import_apply(). */
struct mr_import_summary {
    int64_t rows; /* rows kept (every row of other formats; the chosen user's for MovieLens) */
    int64_t matched, ambiguous, unknown, bad;
    int64_t added, updated, same, superseded;
};

/* Name of a format: "MovieLens ratings.csv", "IMDb ratings export", "Letterboxd ratings.csv". */
const char *mr_import_format_name(enum mr_import_format format);

/* Reads the export at path (a regular file: a FIFO, a directory or a device is refused
 * without blocking) and matches every row against c, filling out (overwritten).  c must be
 * finished; for IMDb rows its imdb_id fields (links.csv) are used.  Returns MR_OK (bad and
 * unmatched rows are in out, not errors); MR_EDATA when the file cannot be read or its header
 * is not one of the three formats (err names the file and line); MR_EUSAGE for a MovieLens
 * file of several users without opts->user_id, or with a user_id it does not hold; MR_ENOMEM.
 * On failure out is left freed and zeroed. */
int mr_import_read(const char *path, const struct mr_catalog *c, const struct mr_import_opts *opts,
                   struct mr_import *out, struct mr_error *err);

/* mr_import_read() on the bytes data[0..len) already in memory; name is used in messages. */
int mr_import_parse(const char *data, size_t len, const char *name, const struct mr_catalog *c,
                    const struct mr_import_opts *opts, struct mr_import *out, struct mr_error *err);

/* Applies the matched rows to p in file order, skipping those a later row supersedes: a film
 * not rated yet is added, one rated differently is updated, one rated the same is left alone
 * (so a second import of the same file changes nothing).  Each change goes through
 * mr_profile_set(), durably; a row without a timestamp gets now.  c must be the catalog the
 * rows were matched with.  With dry_run nothing is written but every row's change is still
 * worked out.  Fills every row's change and *summary (may be NULL).  Returns MR_OK, or the
 * first failing mr_profile_set()'s status (MR_EIO, MR_ENOMEM) with err filled: the changes
 * before it are kept, the rows from it on stay MR_IMPORT_NONE. */
int mr_import_apply(struct mr_import *im, struct mr_profile *p, const struct mr_catalog *c,
                    int64_t now, int dry_run, struct mr_import_summary *summary,
                    struct mr_error *err);

/* Frees everything im owns and zeroes it (a zeroed im is fine). */
void mr_import_free(struct mr_import *im);

#endif
