/* loader.c — the worker thread that opens and prepares the session. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "loader.h"

/* Progress from the worker: recorded under the lock for the main loop to draw. */
static void on_progress(void *ctx, const char *stage, double fraction)
{
    struct tui_loader *l = ctx;
    pthread_mutex_lock(&l->lock);
    snprintf(l->stage, sizeof l->stage, "%s", stage ? stage : "");
    l->fraction = fraction < 0 ? 0 : fraction > 1 ? 1 : fraction;
    pthread_mutex_unlock(&l->lock);
}

/* A warning (a malformed data line, a stale cache): counted (for the status line) and passed on to
 * the caller's report, or else written to stderr as FILE:LINE: what (stderr is kept in a file while
 * the screen is ours and printed after it is given back). */
static void on_report(void *ctx, const char *file, long line, const char *what)
{
    struct tui_loader *l = ctx;
    pthread_mutex_lock(&l->lock);
    l->bad_lines++;
    if (l->caller_report)
        l->caller_report(l->caller_report_ctx, file, line, what);
    else if (line > 0)
        fprintf(stderr, "movierec: %s:%ld: %s\n", file ? file : "?", line, what);
    else
        fprintf(stderr, "movierec: %s: %s\n", file ? file : "?", what);
    pthread_mutex_unlock(&l->lock);
}

static void *run(void *arg)
{
    struct tui_loader *l = arg;
    struct mr_session *s = NULL;
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_session_open(&l->opts, &s, &err);
    if (rc == MR_OK) {
        on_progress(l, "preparing the models", 0);
        rc = mr_session_prepare(s, &err);
        if (rc != MR_OK) {
            mr_session_close(s);
            s = NULL;
        }
    }
    pthread_mutex_lock(&l->lock);
    l->status = rc;
    l->err = err;
    l->session = s;
    l->done = 1;
    pthread_mutex_unlock(&l->lock);
    return NULL;
}

int tui_loader_start(struct tui_loader *l, const struct mr_session_opts *opts)
{
    memset(l, 0, sizeof *l);
    if (pthread_mutex_init(&l->lock, NULL) != 0)
        return -1;
    l->opts = *opts;
    l->caller_report = opts->report;
    l->caller_report_ctx = opts->report_ctx;
    l->opts.report = on_report;
    l->opts.report_ctx = l;
    l->opts.progress = on_progress;
    l->opts.progress_ctx = l;
    snprintf(l->stage, sizeof l->stage, "loading the data set");

    /* The worker inherits this mask: quit signals and SIGWINCH go to the main thread. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    sigaddset(&block, SIGWINCH);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    int rc = pthread_create(&l->thread, NULL, run, l);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&l->lock);
        return -1;
    }
    return 0;
}

int tui_loader_poll(struct tui_loader *l, char *stage, size_t len, double *fraction,
                    long *bad_lines)
{
    pthread_mutex_lock(&l->lock);
    snprintf(stage, len, "%s", l->stage);
    *fraction = l->fraction;
    *bad_lines = l->bad_lines;
    int done = l->done;
    pthread_mutex_unlock(&l->lock);
    return done;
}

int tui_loader_finish(struct tui_loader *l, struct mr_session **out, struct mr_error *err)
{
    pthread_join(l->thread, NULL);
    *out = l->session;
    *err = l->err;
    l->session = NULL;
    return l->status;
}

void tui_loader_free(struct tui_loader *l)
{
    pthread_mutex_destroy(&l->lock);
}
