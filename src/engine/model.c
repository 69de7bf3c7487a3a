/* model.c — the model registry and the calls shared by every model. */
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "models.h"

/* Every model, in the order of model.h.  Add a model here when its file exists. */
static const struct mr_model_ops *const all_models[] = {
    &mr_model_pop, &mr_model_baseline, &mr_model_userknn, &mr_model_itemknn, &mr_model_als,
    &mr_model_sgd, &mr_model_content,  &mr_model_graph,   &mr_model_hybrid,  NULL,
};

const struct mr_model_ops *const *mr_model_ops_all(void)
{
    return all_models;
}

const struct mr_model_ops *mr_model_ops_find(const char *name)
{
    for (int i = 0; all_models[i]; i++)
        if (strcmp(all_models[i]->name, name) == 0)
            return all_models[i];
    return NULL;
}

static void params_generic(struct mr_params *p)
{
    memset(p, 0, sizeof *p);
    p->factors = 64;
    p->epochs = 15;
    p->reg = 0.05;
    p->lr = 0.005;
    p->neighbors = 50;
    p->shrink = 100;
    p->alpha = 1.0;
    p->beta = 0.5;
    p->threads = 0;
    p->seed = 42;
}

void mr_params_default(const char *name, struct mr_params *p)
{
    params_generic(p);
    const struct mr_model_ops *ops = mr_model_ops_find(name);
    if (ops && ops->defaults)
        ops->defaults(p);
}

struct mr_model *mr_model_new(const char *name, const struct mr_params *params,
                              const struct mr_catalog *c, const struct mr_ratings *r)
{
    const struct mr_model_ops *ops = mr_model_ops_find(name);
    if (!ops)
        return NULL;
    struct mr_model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ops = ops;
    if (params)
        m->params = *params;
    else
        mr_params_default(name, &m->params);
    m->catalog = c;
    m->ratings = r;
    return m;
}

int mr_model_fit(struct mr_model *m, struct mr_error *err)
{
    return m->ops->fit(m, err);
}

void *mr_model_user_from(const struct mr_model *m, const struct mr_user *u)
{
    void *state = m->ops->user_new(m);
    if (!state)
        return NULL;
    /* Replay the ratings one at a time against a growing copy, as a live user would. */
    struct mr_user partial;
    if (mr_user_init(&partial, u->n_items) != MR_OK) {
        m->ops->user_free(m, state);
        return NULL;
    }
    for (int32_t i = 0; i < u->n; i++) {
        if (mr_user_set(&partial, u->items[i], u->vals[i], NULL) != MR_OK) {
            mr_user_free(&partial);
            m->ops->user_free(m, state);
            return NULL;
        }
        m->ops->user_update(m, state, &partial, u->items[i], 0, u->vals[i]);
    }
    mr_user_free(&partial);
    return state;
}

void mr_model_unload(struct mr_model *m)
{
    if (m->ops->destroy)
        m->ops->destroy(m);
    m->impl = NULL;
    /* Only now: the model's arrays may have pointed into the backing until destroy. */
    if (m->backing && m->backing_release)
        m->backing_release(m->backing);
    m->backing = NULL;
    m->backing_release = NULL;
}

void mr_model_free(struct mr_model *m)
{
    if (!m)
        return;
    mr_model_unload(m);
    free(m);
}
