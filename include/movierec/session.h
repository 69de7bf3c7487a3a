/* session.h — the seam both frontends use: one data set, its fitted models, the search
 * index and one user's live state, kept current rating by rating.
 *
 * Opening is two steps so that a frontend can show progress: mr_session_open() loads the
 * data set and the profile; mr_session_prepare() loads the models from the cache or trains
 * them (call it from a worker thread; it reports through the progress callback). */
#ifndef MOVIEREC_SESSION_H
#define MOVIEREC_SESSION_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/error.h"
#include "movierec/dataset.h"
#include "movierec/search.h"
#include "movierec/user.h"
#include "movierec/model.h"

struct mr_session_opts {
    const char *data_dir;           /* required */
    const char *profile_path;       /* the person's profile file; NULL with user_id set, or none */
    int32_t user_id;                /* > 0: act as this data-set user (read-only, no profile) */
    const char *cache_dir;          /* where model files live; NULL: no cache */
    const char *algo;               /* model used for recommendations; NULL: "hybrid" */
    const struct mr_params *params; /* NULL: defaults of algo */
    mr_report_fn report;            /* bad data lines; may be NULL */
    void *report_ctx;
    mr_progress_fn progress; /* loading and training progress; may be NULL */
    void *progress_ctx;
};

struct mr_rec {
    int32_t item;     /* catalog item index */
    float score;      /* model score, or similarity for similar() */
    char reason[192]; /* one line, UTF-8 */
};

struct mr_session;

/* Loads the data set and the profile.  Returns MR_OK, or MR_EDATA / MR_EBUSY / MR_EIO. */
int mr_session_open(const struct mr_session_opts *opts, struct mr_session **out,
                    struct mr_error *err);

/* Loads the models from the cache, or fits them (and writes the cache), then builds the
 * user's state.  Thread-safe against nothing: call once, before any query. */
int mr_session_prepare(struct mr_session *s, struct mr_error *err);

const struct mr_dataset *mr_session_dataset(const struct mr_session *s);
const struct mr_search_index *mr_session_search(const struct mr_session *s);
const struct mr_user *mr_session_user(const struct mr_session *s);

/* Sets the user's rating of item to half (0 = remove): durable on disk first, then every
 * model's user state is updated incrementally and the recommendations recomputed.
 * Returns MR_OK or MR_EIO (the change is then not applied). */
int mr_session_rate(struct mr_session *s, int32_t item, int half, struct mr_error *err);

/* Reverts the last rating change made through mr_session_rate (MR_ENOTFOUND when none). */
int mr_session_undo(struct mr_session *s, struct mr_error *err);

/* Milliseconds the last mr_session_rate took from disk write to new top list. */
double mr_session_last_update_ms(const struct mr_session *s);

/* Top n recommendations (unrated films), best first, each with a reason. Returns count. */
int mr_session_recommend(struct mr_session *s, int n, struct mr_rec *out);

/* The n films most similar to item, with a reason each. Returns count. */
int mr_session_similar(struct mr_session *s, int32_t item, int n, struct mr_rec *out);

/* Predicted stars for item, clipped to 0.5..5, or 0 when no model can predict. */
double mr_session_predict(struct mr_session *s, int32_t item);

/* Proposes up to n films to ask a new user about (cold start), skipping rated films and
 * those in shown (n_shown items).  Returns count. */
int mr_session_onboard_next(struct mr_session *s, const int32_t *shown, int n_shown, int n,
                            int32_t *out);

/* Timestamp (seconds) of the user's rating of item from the profile, or 0. */
int64_t mr_session_rated_at(const struct mr_session *s, int32_t item);

/* Milliseconds the durable profile write (write + fsync) of the last mr_session_rate took;
 * mr_session_last_update_ms() is the in-memory part that follows it (model update, scores,
 * new top list). */
double mr_session_last_write_ms(const struct mr_session *s);

/* Rating changes that could not be written (MR_EIO) and wait for a retry, oldest first; they
 * are not applied until written.  Every mr_session_rate / undo retries them first.  A change
 * is never dropped: mr_session_rate makes room to keep it before writing, and refuses the
 * rating (MR_ENOMEM, nothing written or changed) when it cannot. */
int mr_session_pending(const struct mr_session *s);

/* The index-th pending change (0: the oldest; index below mr_session_pending()): *item the
 * film (catalog index), *half its rating in half stars (0: the rating removed), *timestamp
 * when it was made (seconds).  Any output may be NULL.  Returns 0, or -1 when index is out
 * of range (outputs untouched). */
int mr_session_pending_at(const struct mr_session *s, int index, int32_t *item, int *half,
                          int64_t *timestamp);

/* Retries the pending writes now (e.g. after the user freed disk space), applying each one
 * written.  Returns MR_OK when none is left, MR_EIO otherwise. */
int mr_session_flush(struct mr_session *s, struct mr_error *err);

/* The model recommendations come from (NULL before mr_session_prepare). */
const struct mr_model *mr_session_model(const struct mr_session *s);

/* Writes the model's current score of every catalog item for the user into out (n_items
 * floats).  Returns 0, or -1 before mr_session_prepare. */
int mr_session_scores(struct mr_session *s, float *out);

/* Frees everything; the profile is closed (and unlocked). NULL is fine. */
void mr_session_close(struct mr_session *s);

#endif
