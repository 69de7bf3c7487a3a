/* eval.h — the evaluation protocols of EVAL_PROTOCOL.md: splits, metrics and the runner.
 *
 * A split spec names how a data set is cut into training and test data:
 *   ml100k      the five canonical GroupLens folds u1..u5 (.base / .test) of an ml-100k directory
 *   kfold:K     the ratings shuffled with the seed and cut into K near-equal folds
 *   holdout:F   per user, a seeded fraction F of the ratings is held out (the top-N protocol)
 *   users:F     a seeded fraction F of the users is removed from training; each removed user's
 *               ratings are split with the holdout rule, the known part folded in incrementally
 * Every split is deterministic for a seed.  The training part of a fold is a struct mr_ratings
 * over the SAME catalog as the data set, so item indices are shared with it.
 *
 * Rating prediction (ml100k, kfold) reports RMSE and MAE; top-N (holdout, users) reports P@5,
 * P@10, R@10, NDCG@10, HR@10 and cov@10.  `movierec eval` is a thin layer over mr_eval_run(). */
#ifndef MOVIEREC_EVAL_H
#define MOVIEREC_EVAL_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/error.h"
#include "movierec/dataset.h"
#include "movierec/model.h"
#include "movierec/ratings.h"
#include "movierec/user.h"

/* ---- The protocol's pseudo-random generator (split.c) -------------------------------------- */

/* SplitMix64: a 64-bit state; every draw advances it (EVAL_PROTOCOL.md, holdout step 2). */
struct mr_splitmix {
    uint64_t state;
};

/* Sets the generator's state to seed. */
void mr_splitmix_seed(struct mr_splitmix *g, uint64_t seed);

/* The next 64-bit output of the stream. */
uint64_t mr_splitmix_next(struct mr_splitmix *g);

/* ---- Split specs (split.c) ----------------------------------------------------------------- */

enum mr_split_kind { MR_SPLIT_ML100K, MR_SPLIT_KFOLD, MR_SPLIT_HOLDOUT, MR_SPLIT_USERS };

struct mr_split_spec {
    enum mr_split_kind kind;
    int k;           /* kfold: number of folds (2..1000); ml100k: 5; otherwise 1 */
    double fraction; /* holdout, users: F in (0, 1); otherwise 0 */
};

/* Parses "ml100k", "kfold:K", "holdout:F" or "users:F" (bare "kfold", "holdout" and "users"
 * mean kfold:5, holdout:0.2 and users:0.1).  Returns MR_OK, or MR_EUSAGE with err saying what
 * is accepted, e.g. "unknown split 'foo': use ml100k, kfold:K, holdout:F, users:F". */
int mr_split_parse(const char *text, struct mr_split_spec *spec, struct mr_error *err);

/* Writes the canonical text of spec ("kfold:5", "holdout:0.2") into buf.  Returns buf. */
char *mr_split_format(const struct mr_split_spec *spec, char *buf, size_t len);

/* How many folds the split has: 5 for ml100k, K for kfold, 1 otherwise. */
int mr_split_n_folds(const struct mr_split_spec *spec);

/* The holdout rule: how many of a user's n ratings go to test for fraction F.
 * 0 when n < 5; (n + 2) / 5 for F = 0.2; else max(1, round(F * n)), at most n - 1. */
int32_t mr_holdout_n_test(int32_t n, double fraction);

/* Rating triples, sorted by ascending MovieLens userId, then ascending item index. */
struct mr_triples {
    int64_t n;
    int32_t *user_ids; /* MovieLens userIds */
    int32_t *items;    /* catalog item indices */
    uint8_t *vals;     /* half stars 1..10 */
};

/* One training / test cut of a data set. */
struct mr_fold {
    struct mr_ratings train;  /* what models are fitted on; n_items = catalog size */
    struct mr_triples test;   /* the pairs to predict / the held-out ratings */
    struct mr_triples foldin; /* users:F only: the removed users' known ratings (empty otherwise) */
    int32_t n_users;          /* users to evaluate, ascending MovieLens userId: */
    int32_t *user_ids;        /*   holdout: every user of the data set; users:F: the removed
                               *   users; ml100k, kfold: the users with a test rating */
};

/* Builds fold `index` (0-based, < mr_split_n_folds(spec)) of spec over ds with seed.  Folds of
 * one (ds, spec, seed) are computed independently, so only one needs to be in memory at a time.
 * kfold: the CSR order of ds->ratings (user, then movie ascending) is shuffled by Fisher-Yates
 * (k = n-1..1, j = next() mod (k+1)) from mr_splitmix_seed(seed); fold i is the slice
 * [i*n/K, (i+1)*n/K) of the shuffled order.
 * holdout: exactly EVAL_PROTOCOL.md (users ascending, ratings by movie id, one stream).
 * users:F: one stream; first the user indices are shuffled by Fisher-Yates and the first
 * max(1, round(F * n_users)) (at most n_users - 1) are removed; then the same stream continues
 * with the holdout rule over the removed users in ascending id (a removed user with fewer than
 * 5 ratings keeps them all in foldin).
 * ml100k: reads DIR/u{index+1}.base and .test of ds->dir through mr_ratings_load_100k_file; a
 * malformed line or an item missing from ds's catalog refuses the fold.
 * Returns MR_OK; MR_EUSAGE (bad index); MR_EDATA (ml100k files missing or unreadable, or a bad
 * line: err names the file and the first bad line); MR_ENOMEM.  On failure out is freed and zeroed.
 */
int mr_split_fold(const struct mr_dataset *ds, const struct mr_split_spec *spec, uint64_t seed,
                  int index, struct mr_fold *out, struct mr_error *err);

/* Replaces u's ratings (u initialised over the catalog) with what a model may know about
 * user_id in fold f: the user's foldin ratings when there are any, else the user's training
 * row, else nothing.  Returns MR_OK or MR_ENOMEM. */
int mr_fold_load_user(const struct mr_fold *f, int32_t user_id, struct mr_user *u);

/* Frees everything the fold owns and zeroes it (a zeroed fold is fine). */
void mr_fold_free(struct mr_fold *f);

/* ---- Metrics (metrics.c) ------------------------------------------------------------------- */

#define MR_EVAL_CUTOFF 10 /* length of the top list the top-N metrics look at */

/* A prediction clipped to the rating range [0.5, 5].  NaN stays NaN. */
double mr_clip_stars(double stars);

/* Running sums of rating errors. */
struct mr_rating_acc {
    double sse; /* sum of squared errors */
    double sae; /* sum of absolute errors */
    int64_t n;
};

/* Adds one pair: the true rating and the model's prediction in stars (clipped here). */
void mr_rating_acc_add(struct mr_rating_acc *acc, double truth, double predicted);

/* Adds b's sums to acc. */
void mr_rating_acc_merge(struct mr_rating_acc *acc, const struct mr_rating_acc *b);

/* sqrt(sse / n) and sae / n; NaN when n is 0. */
double mr_rating_acc_rmse(const struct mr_rating_acc *acc);
double mr_rating_acc_mae(const struct mr_rating_acc *acc);

/* One user's top-N metrics. */
struct mr_topn_metrics {
    double p5, p10, r10, ndcg10, hr10;
};

/* Metrics of one user's ranked list top[0..n_top) (best first, n_top <= MR_EVAL_CUTOFF counts; a
 * shorter list still divides P@k by k) against the relevant items relevant[0..n_relevant),
 * sorted ascending.  Binary gains, log2(rank + 1) discounts, IDCG over min(|R|, 10).
 * Returns 0 and fills out; or -1 (out zeroed) when n_relevant is 0: the user is not evaluated. */
int mr_topn_user_metrics(const int32_t *top, int n_top, const int32_t *relevant, int32_t n_relevant,
                         struct mr_topn_metrics *out);

/* Coverage: the number of distinct items among items[0..n) (valid indices < n_items) divided
 * by n_catalog; NaN when n_catalog is 0.  Returns MR_OK or MR_ENOMEM. */
int mr_coverage(const int32_t *items, int64_t n, int32_t n_items, int32_t n_catalog, double *out);

/* ---- The runner (eval.c) ------------------------------------------------------------------- */

enum mr_eval_kind {
    MR_EVAL_AUTO,   /* by the split: rating for ml100k / kfold, top-N for holdout / users */
    MR_EVAL_RATING, /* RMSE and MAE of ops->predict over the test pairs */
    MR_EVAL_TOPN    /* top-10 lists from ops->score + mr_topn */
};

struct mr_tune_result;

struct mr_eval_opts {
    enum mr_eval_kind kind;
    int threads;             /* users evaluated in parallel (0 = 2); results do not depend on it */
    mr_progress_fn progress; /* "fold 2/5: fitting" etc.; may be NULL */
    void *progress_ctx;
    /* --tune: before each fold's fit, the model's hyper-parameters are chosen by
     * mr_tune_params() on the fold's training part only; tuned (may be NULL) hears each fold's
     * choice (fold 0-based).  The hybrid's weights are always tuned in its fit; with tune set,
     * tuned hears them too (mr_tune_describe_fitted). */
    int tune;
    void (*tuned)(void *ctx, int fold, const struct mr_tune_result *choice);
    void *tuned_ctx;
};

/* The result of an evaluation.  Every figure is the mean over the folds; figures of the kind
 * that was not computed are NaN (and so are rmse/mae for a model without ops->predict). */
struct mr_eval_result {
    enum mr_eval_kind kind; /* MR_EVAL_RATING or MR_EVAL_TOPN */
    int n_folds;
    int64_t n_train; /* training ratings, summed over folds */
    int64_t n_test;  /* test ratings, summed over folds */
    double fit_s;    /* wall seconds of mr_model_fit per fold */

    double rmse, mae;
    int64_t n_predictions; /* summed over folds */
    double test_s;         /* wall seconds per fold: user states + predictions */

    double p5, p10, r10, ndcg10, hr10, cov10;
    int64_t n_users; /* evaluated users (non-empty relevant set), summed over folds */
    double rank_s;   /* wall seconds per fold: user states + scores + top-10 lists */
};

/* Sets every figure of r to NaN and the counts to 0. */
void mr_eval_result_clear(struct mr_eval_result *r);

/* Fills r's rating figures (rmse, mae, n_predictions, test_s) for the fitted model m on fold f.
 * Each test user's state is mr_model_user_from() over mr_fold_load_user(); every test pair is
 * predicted, clipped and counted, also when its user or item is unknown in train.
 * rmse and mae are NaN when m->ops->predict is NULL.  threads <= 1 runs in the caller's thread.
 * Returns MR_OK or MR_ENOMEM (err set). */
int mr_eval_fold_rating(const struct mr_model *m, const struct mr_fold *f, int threads,
                        struct mr_eval_result *r, struct mr_error *err);

/* Fills r's top-N figures (p5 .. cov10, n_users, rank_s) for the fitted model m on fold f.
 * For every user of f->user_ids: the state is built from mr_fold_load_user(), all items are
 * scored, and mr_topn() picks a top-10 among C minus the user's known items, C being the items
 * with at least one rating in f->train.  Users whose test ratings hold none >= 4 stars are not
 * evaluated but their lists count for cov@10.  Returns MR_OK or MR_ENOMEM (err set). */
int mr_eval_fold_topn(const struct mr_model *m, const struct mr_fold *f, int threads,
                      struct mr_eval_result *r, struct mr_error *err);

/* Evaluates model algo (params NULL = its defaults) on data set ds with split spec text and
 * seed: for each fold, mr_split_fold, mr_model_new + mr_model_fit on the fold's train part,
 * then mr_eval_fold_rating or mr_eval_fold_topn; out receives the means over the folds.
 * opts may be NULL (automatic kind, 2 threads, no progress).
 * Returns MR_OK; MR_EUSAGE (bad split text, unknown model); MR_EDATA;
 * MR_ENOMEM; or the model's fit error.  On failure out is cleared. */
int mr_eval_run_opts(const struct mr_dataset *ds, const char *split, uint64_t seed,
                     const char *algo, const struct mr_params *params,
                     const struct mr_eval_opts *opts, struct mr_eval_result *out,
                     struct mr_error *err);

/* mr_eval_run_opts() with opts NULL. */
int mr_eval_run(const struct mr_dataset *ds, const char *split, uint64_t seed, const char *algo,
                const struct mr_params *params, struct mr_eval_result *out, struct mr_error *err);

/* ---- Tuning hyper-parameters on validation data (tune.c) ------------------------------------ */

/* What tuning chose for one model (on one training part). */
struct mr_tune_result {
    char algo[32];
    struct mr_params params; /* the chosen parameters (all fields; the defaults when untuned) */
    char chosen[512];        /* "factors=64 reg=0.12", or for the hybrid its weights per bucket
                              * ("bucket0=als:0.60,baseline:0.40 bucket1=..."), or
                              * "defaults (nothing to tune)" */
    const char *metric_name; /* "rmse" or "ndcg@10" */
    double metric;           /* the choice's validation figure (NaN when nothing was measured) */
    int lower_is_better;
    int n_tried; /* settings fitted and measured */
};

/* Carves a validation fold out of train alone: for MR_EVAL_RATING a seeded fifth of the ratings
 * (Fisher-Yates over the CSR order, the first n/5 held out; user_ids: the users with a held-out
 * rating); otherwise the holdout rule with fraction 0.2 over the users in ascending id from one
 * SplitMix64 stream (user_ids: every user).  out->train holds the rest over the same items.
 * Returns MR_OK or MR_ENOMEM (out freed and zeroed). */
int mr_tune_carve(const struct mr_ratings *train, enum mr_eval_kind kind, uint64_t seed,
                  struct mr_fold *out, struct mr_error *err);

/* Chooses algo's hyper-parameters on a validation fold carved from train (mr_tune_carve with
 * seed): every setting of the model's small grid (als, sgd: factors, reg, lr; itemknn,
 * userknn: neighbors, shrink; graph: alpha, beta; pop, baseline: shrink, reg) is fitted on
 * the rest and measured (RMSE for MR_EVAL_RATING, else NDCG@10); the best wins, ties going to
 * the defaults.  Models without a grid (content, hybrid) or, for rating kinds, without
 * predictions keep their defaults.  Nothing outside train is read.  Returns MR_OK, MR_EUSAGE
 * (unknown model), MR_ENOMEM or a fit error; out always names algo. */
int mr_tune_params(const struct mr_catalog *c, const struct mr_ratings *train, const char *algo,
                   enum mr_eval_kind kind, uint64_t seed, int threads, struct mr_tune_result *out,
                   struct mr_error *err);

/* For a fitted hybrid: fills out->chosen, metric and metric_name with the blend weights its
 * fit chose (and their validation NDCG@10 for 20+ ratings).  Other models: out unchanged. */
void mr_tune_describe_fitted(const struct mr_model *m, struct mr_tune_result *out);

#endif
