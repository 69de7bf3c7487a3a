/* synth.h — a synthetic MovieLens-like data set for scale tests (`movierec gen`).
 *
 * Ratings follow a latent-factor model: each user u and movie i get factors p_u, q_i ~ N(0, σ)
 * and biases b_u, b_i; a rating is mu + b_u + b_i + p_u·q_i + noise, rounded to the half star
 * (or, for a share of users, to the whole star, as early MovieLens allowed) and clipped to
 * 0.5..5.  The data has MovieLens's skew: user activity is lognormal above a minimum of 20
 * ratings, and each user's movies are drawn without replacement with Zipf-like popularity
 * weights.  The output depends only on the catalog, the options and the seed. */
#ifndef MOVIEREC_SYNTH_H
#define MOVIEREC_SYNTH_H

#include <stdint.h>
#include "movierec/error.h"
#include "movierec/catalog.h"

struct mr_synth_opts {
    int32_t n_users;          /* >= 1 */
    int64_t n_ratings;        /* n_users .. n_users * catalog size */
    uint64_t seed;            /* same seed, catalog and options: same bytes */
    int32_t min_per_user;     /* 20; lowered to n_ratings / n_users when that is smaller */
    double activity_sigma;    /* lognormal σ of each user's ratings above the minimum */
    double popularity_zipf;   /* exponent s: the movie of popularity rank r (from 1) has */
    double popularity_offset; /* weight (r + offset)^-s */
    int factors;              /* latent dimensions (1..64) */
    double factor_sd;         /* σ of every user and movie factor */
    double mean;              /* mu */
    double user_bias_sd;      /* σ of b_u */
    double item_bias_sd;      /* σ of b_i */
    double popularity_bias;   /* added to b_i per standard deviation of log popularity */
    double noise_sd;          /* σ of the per-rating noise */
    double whole_star_share;  /* share of users who rate in whole stars only */
    int64_t first_timestamp;  /* ratings fall in [first_timestamp, last_timestamp] */
    int64_t last_timestamp;
    int replace; /* 1: an existing output data set (only data files) is replaced */
};

struct mr_synth_stats {
    int32_t n_users;
    int64_t n_ratings;
    int32_t min_user_ratings; /* fewest ratings of one user */
    int32_t max_user_ratings; /* most ratings of one user */
    int32_t n_items_rated;    /* movies with at least one rating */
    int64_t bytes;            /* size of ratings.csv */
};

/* Fills o with defaults that resemble MovieLens (the counts and seed are left 0). */
void mr_synth_defaults(struct mr_synth_opts *o);

/* Writes a data set in ml-latest layout into dir: movies.csv (rewritten from c, quoted through
 * libcsv), ratings.csv (userId,movieId,rating,timestamp; users 1..n_users, each user's rows by
 * movieId), and tags.csv and links.csv (links from c when it has any; tags header only).
 * Everything is written into "DIR.tmp", synced, and renamed to dir, so an interrupted run
 * leaves no partial data set under dir.  dir's parent directories are created.
 * progress (may be NULL) is called with stage "ratings" as users are written.
 * Returns MR_OK (stats filled when not NULL); MR_EUSAGE for impossible options or an existing
 * dir (without o->replace, or holding other files); MR_EIO when writing fails (DIR.tmp is
 * removed); MR_ENOMEM. */
int mr_synth_write(const struct mr_catalog *c, const struct mr_synth_opts *o, const char *dir,
                   mr_progress_fn progress, void *progress_ctx, struct mr_synth_stats *stats,
                   struct mr_error *err);

#endif
