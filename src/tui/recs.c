/* recs.c — the person's recommendations: the top N unrated films, each with its reason. */
#include <stdio.h>
#include <stdlib.h>

#include "view.h"

#define RECS_N 100

struct recs {
    struct tui_list list;
    struct mr_rec recs[RECS_N];
};

static void *recs_create(struct tui *t)
{
    (void)t;
    return calloc(1, sizeof(struct recs));
}

static void recs_destroy(void *priv)
{
    struct recs *r = priv;
    if (!r)
        return;
    tui_list_free(&r->list);
    free(r);
}

/* Entering (again) recomputes the list from the current ratings. */
static void recs_enter(struct tui *t, void *priv)
{
    struct recs *r = priv;
    int n = mr_session_recommend(t->s, RECS_N, r->recs);
    tui_list_clear(&r->list);
    for (int i = 0; i < n; i++)
        if (tui_list_push(&r->list, r->recs[i].item) < 0)
            break;
}

static void recs_row(struct tui *t, void *priv, int i, char *buf, size_t len)
{
    struct recs *r = priv;
    double p = mr_session_predict(t->s, r->list.items[i]);
    if (p > 0)
        snprintf(buf, len, "%.1f", p);
}

static void recs_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct recs *r = priv;
    tui_list_draw(t, w, &r->list, "predicted", 9, recs_row, r,
                  "No recommendations: every film is rated?");
}

static void recs_title(struct tui *t, void *priv, char *buf, size_t len)
{
    struct recs *r = priv;
    int rated = t->user ? t->user->n : 0;
    snprintf(buf, len, "Recommended for you: top %d from your %d rating%s (r refreshes)", r->list.n,
             rated, rated == 1 ? "" : "s");
}

static struct tui_list *recs_list(void *priv)
{
    return &((struct recs *)priv)->list;
}

static const char *recs_reason(void *priv, int i)
{
    struct recs *r = priv;
    return i >= 0 && i < r->list.n ? r->recs[i].reason : NULL;
}

const struct tui_view_ops tui_recs_ops = {
    .name = "recommendations",
    .scope = TUI_SCOPE_GLOBAL,
    .create = recs_create,
    .enter = recs_enter,
    .draw = recs_draw,
    .title = recs_title,
    .list = recs_list,
    .reason = recs_reason,
    .destroy = recs_destroy,
};
