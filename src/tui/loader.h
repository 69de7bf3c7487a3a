/* loader.h — opening and preparing the session in a worker thread, so the screen can show
 * progress (and keep answering q) while the data loads and the models train. */
#ifndef MOVIEREC_TUI_LOADER_H
#define MOVIEREC_TUI_LOADER_H

#include <pthread.h>

#include "movierec/session.h"

struct tui_loader {
    pthread_t thread;
    pthread_mutex_t lock; /* guards everything below */
    struct mr_session_opts opts;
    mr_report_fn caller_report;
    void *caller_report_ctx;
    char stage[96];
    double fraction;
    long bad_lines;
    int done; /* 1 once the worker has finished (successfully or not) */
    int status;
    struct mr_error err;
    struct mr_session *session;
};

/* Starts the worker: mr_session_open then mr_session_prepare with opts (copied; the strings
 * it points to must outlive the loader).  Quit signals are blocked in the worker.
 * Returns 0, or -1 when the thread cannot be created. */
int tui_loader_start(struct tui_loader *l, const struct mr_session_opts *opts);

/* Copies the current progress; returns 1 when the worker has finished. */
int tui_loader_poll(struct tui_loader *l, char *stage, size_t len, double *fraction,
                    long *bad_lines);

/* Joins the finished worker.  Returns MR_OK with *out set (the caller owns the session), or
 * the error status with err filled (*out = NULL).  Call only after poll returned 1. */
int tui_loader_finish(struct tui_loader *l, struct mr_session **out, struct mr_error *err);

/* Releases the loader.  The session keeps pointers to the loader's callbacks, so call this only
 * after the session is closed. */
void tui_loader_free(struct tui_loader *l);

#endif
