/* model.h — the one interface every recommender model implements.
 *
 * A model is fitted once on the item side (offline, or at first start), then serves any
 * number of users.  A user's model state is built and kept current incrementally: each
 * rating added, changed or removed is one user_update call, never a refit.
 *
 * Models: pop, baseline, userknn, itemknn, als, sgd, content, graph, hybrid
 * (one file each: src/engine/model_NAME.c). */
#ifndef MOVIEREC_MODEL_H
#define MOVIEREC_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/error.h"
#include "movierec/catalog.h"
#include "movierec/ratings.h"
#include "movierec/user.h"
#include "movierec/serial.h"

/* Training parameters.  mr_params_default() fills the defaults for a model; a field a model
 * does not use is ignored (and not part of its cache fingerprint). */
struct mr_params {
    int factors;   /* als, sgd: latent dimensions k */
    int epochs;    /* als, sgd: passes over the data */
    double reg;    /* als: lambda (weighted by counts); sgd: L2 on factors and biases */
    double lr;     /* sgd: learning rate */
    int neighbors; /* itemknn, userknn, graph, content: top-K kept per item / user */
    double shrink; /* itemknn: similarity shrinkage; pop: prior count of the shrunk mean */
    double alpha;  /* graph: exponent on transition probabilities; content: taste tilt */
    double beta;   /* graph: popularity penalty exponent */
    int threads;   /* worker threads for fitting (0 = number of cores) */
    uint64_t seed; /* random initialisation */
};

struct mr_model;

struct mr_model_ops {
    const char *name;        /* "als" */
    const char *description; /* one line for --help */

    /* Fills p with this model's defaults. */
    void (*defaults)(struct mr_params *p);

    /* Fits the model on r (catalog c gives genres/tags/years).  Both stay borrowed by the
     * model and must outlive it.  Reports progress through m->progress when set.  A change
     * that makes it give other results bumps the model's number in src/engine/train_version.h
     * (cached files of older training code are then retrained). */
    int (*fit)(struct mr_model *m, struct mr_error *err);

    /* A fresh per-user state for a user with no ratings; NULL when out of memory. */
    void *(*user_new)(const struct mr_model *m);
    void (*user_free)(const struct mr_model *m, void *state);

    /* Applies one change to the state: item went from old_half to new_half (0 = unrated /
     * removed).  u already holds the new ratings.  No item-side parameter changes. */
    void (*user_update)(const struct mr_model *m, void *state, const struct mr_user *u,
                        int32_t item, int old_half, int new_half);

    /* Writes one score per catalog item (higher = better) for the user. */
    void (*score)(const struct mr_model *m, const void *state, const struct mr_user *u,
                  float *scores);

    /* Predicted rating in stars (unclipped) or NULL for ranking-only models. */
    double (*predict)(const struct mr_model *m, const void *state, const struct mr_user *u,
                      int32_t item);

    /* Writes one line saying why item suits the user, from real model data; returns 1, or 0
     * (buf = "") when the model has nothing to say.  May be NULL. */
    int (*explain)(const struct mr_model *m, const void *state, const struct mr_user *u,
                   int32_t item, char *buf, size_t len);

    /* Writes the similarity of every item to item into sims (higher = more similar;
     * sims[item] itself is ignored).  Returns 0, or -1 when the model has no item-item notion.
     * May be NULL. */
    int (*similar)(const struct mr_model *m, int32_t item, float *sims);

    /* Cache: write the fitted parameters / read them back (validating every size). */
    int (*save)(const struct mr_model *m, struct mr_writer *w);
    int (*load)(struct mr_model *m, struct mr_reader *r, struct mr_error *err);

    /* Frees m->impl. */
    void (*destroy)(struct mr_model *m);
};

struct mr_model {
    const struct mr_model_ops *ops;
    struct mr_params params;
    const struct mr_catalog *catalog; /* borrowed */
    const struct mr_ratings *ratings; /* borrowed: the training ratings */
    mr_progress_fn progress;          /* may be NULL */
    void *progress_ctx;
    void *impl;
    /* Owned: the loaded cache file that impl's arrays may point into (mr_read_view), or NULL
     * for a fitted model.  Released by backing_release after ops->destroy, by mr_model_free()
     * and mr_model_unload(); a hybrid's components point into their hybrid's backing. */
    void *backing;
    void (*backing_release)(void *backing);
};

/* The ops of model name, or NULL. */
const struct mr_model_ops *mr_model_ops_find(const char *name);

/* NULL-terminated list of all model ops, in the order listed above. */
const struct mr_model_ops *const *mr_model_ops_all(void);

/* Fills p with the defaults of model name (all fields; unknown name: generic defaults). */
void mr_params_default(const char *name, struct mr_params *p);

/* Creates an unfitted model.  params NULL = defaults.  Returns NULL for an unknown name
 * or out of memory. */
struct mr_model *mr_model_new(const char *name, const struct mr_params *params,
                              const struct mr_catalog *c, const struct mr_ratings *r);

/* Fits m. Returns MR_OK or an error in err. */
int mr_model_fit(struct mr_model *m, struct mr_error *err);

/* Builds a user state from all of u's ratings (one user_update per rating). */
void *mr_model_user_from(const struct mr_model *m, const struct mr_user *u);

/* Drops what was fitted or loaded: ops->destroy, then the backing.  m is unfitted again
 * (impl and backing NULL) and may be fitted or loaded afresh. */
void mr_model_unload(struct mr_model *m);

/* Frees the model and everything it owns (NULL is fine). */
void mr_model_free(struct mr_model *m);

#endif
