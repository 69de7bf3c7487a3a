/* profile.h — the person's own ratings on disk, never losing an acknowledged one.
 *
 * A profile is a file in MovieLens ratings.csv columns (userId,movieId,rating,timestamp)
 * used as an append-only journal: every change is one line appended and fsync'd before
 * mr_profile_set() returns.  A removal is a line whose rating is 0.  On open the journal is
 * replayed (the last line for a movie wins); a file with superseded lines is compacted by
 * writing a temporary file, fsync, rename, fsync of the directory.  The profile holds an
 * advisory lock (flock) for as long as it is open. */
#ifndef MOVIEREC_PROFILE_H
#define MOVIEREC_PROFILE_H

#include <stdint.h>
#include "movierec/error.h"

struct mr_profile_rating {
    int32_t movie_id;
    uint8_t half;      /* 1..10 */
    int64_t timestamp; /* seconds since the epoch */
};

struct mr_profile {
    char *path;
    int fd;                            /* open, locked journal */
    struct mr_profile_rating *ratings; /* current ratings, in the order first rated */
    int32_t n;
    int32_t cap;
    int64_t journal_lines; /* lines in the file, for deciding on compaction */
};

/* Opens (creating when absent, with its directory) and locks the profile at path, replaying
 * it.  Malformed lines are reported through report (FILE:LINE) and skipped; when any were
 * found the original is kept as PATH.bak before compaction.  Returns MR_OK, MR_EBUSY when
 * another process holds the lock, MR_EIO when the file cannot be created or read, or is not
 * a regular file (a FIFO, a directory, a device, a symbolic link loop: err->msg begins "not a
 * regular file"; a FIFO is never waited on). */
int mr_profile_open(const char *path, mr_report_fn report, void *ctx, struct mr_profile *p,
                    struct mr_error *err);

/* Sets movie_id's rating to half (0 = remove), durably: the journal line is written and
 * fsync'd before this returns MR_OK.  On MR_EIO the in-memory state is unchanged. */
int mr_profile_set(struct mr_profile *p, int32_t movie_id, int half, int64_t timestamp,
                   struct mr_error *err);

/* Half-star rating of movie_id, or 0. */
int mr_profile_get(const struct mr_profile *p, int32_t movie_id);

/* Writes the current ratings as a MovieLens ratings.csv (with header; userId column = user_id)
 * to path, crash-safely (temporary file + fsync + rename). */
int mr_profile_export(const struct mr_profile *p, const char *path, int32_t user_id,
                      struct mr_error *err);

/* Unlocks, closes and frees (NULL-safe fields). */
void mr_profile_close(struct mr_profile *p);

#endif
