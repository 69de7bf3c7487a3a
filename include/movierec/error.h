/* error.h — how the engine reports failure.
 *
 * The engine never exits and never prints to stdout.  A function that can fail
 * returns an enum mr_status and fills a struct mr_error supplied by the caller;
 * the frontends decide how to show it.  Data errors carry the file and line. */
#ifndef MOVIEREC_ERROR_H
#define MOVIEREC_ERROR_H

#include <stddef.h>

/* Status codes double as the CLI's exit codes where that makes sense. */
enum mr_status {
    MR_OK = 0,
    MR_ENOTFOUND = 1, /* nothing matched */
    MR_EUSAGE = 2,    /* bad argument from the caller */
    MR_EDATA = 3,     /* missing, unreadable or unusable data */
    MR_EIO = 4,       /* write failed, disk full, permission */
    MR_ENOMEM = 5,
    MR_ECORRUPT = 6, /* a cache or profile file failed its checks */
    MR_EBUSY = 7     /* locked by another process */
};

struct mr_error {
    int status;     /* enum mr_status */
    char file[512]; /* file the error is about, "" if none */
    long line;      /* 1-based line in file, 0 if none */
    char msg[512];  /* one human sentence, no trailing newline */
};

/* Fills err (when not NULL) and returns status.  file may be NULL, line 0. */
int mr_error_set(struct mr_error *err, int status, const char *file, long line, const char *fmt,
                 ...) __attribute__((format(printf, 5, 6)));

/* Resets err to MR_OK with empty strings. */
void mr_error_clear(struct mr_error *err);

/* Formats err as "FILE:LINE: msg", "FILE: msg" or "msg" into buf. */
void mr_error_format(const struct mr_error *err, char *buf, size_t len);

/* Called for every malformed input line that is skipped: file, 1-based line, what is wrong.
 * ctx is the caller's pointer. */
typedef void (*mr_report_fn)(void *ctx, const char *file, long line, const char *what);

/* Called during long work (loading, training): stage names the work, fraction is 0..1. */
typedef void (*mr_progress_fn)(void *ctx, const char *stage, double fraction);

#endif
