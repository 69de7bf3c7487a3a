/* ratings.c — "My ratings": the profile's ratings, newest first, changed in place with the
 * rating keys (a removed rating stays listed, unrated, until the list is entered again). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "view.h"

struct ratings_view {
    struct tui *t;
    struct tui_list list;
};

static void *ratings_create(struct tui *t)
{
    struct ratings_view *v = calloc(1, sizeof *v);
    if (v)
        v->t = t;
    return v;
}

static void ratings_destroy(void *priv)
{
    struct ratings_view *v = priv;
    if (!v)
        return;
    tui_list_free(&v->list);
    free(v);
}

/* qsort_r: newest rating first; equal times keep the later-rated film first. */
static int newest_first(const void *pa, const void *pb, void *ctx)
{
    const struct ratings_view *v = ctx;
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    int64_t ta = mr_session_rated_at(v->t->s, a), tb = mr_session_rated_at(v->t->s, b);
    if (ta != tb)
        return ta > tb ? -1 : 1;
    return 0;
}

static void ratings_enter(struct tui *t, void *priv)
{
    struct ratings_view *v = priv;
    tui_list_clear(&v->list);
    /* user->items is in the order first rated: push newest first so ties keep that order. */
    for (int32_t i = t->user->n - 1; i >= 0; i--)
        if (tui_list_push(&v->list, t->user->items[i]) < 0)
            break;
    qsort_r(v->list.items, (size_t)v->list.n, sizeof v->list.items[0], newest_first, v);
}

static void ratings_row(struct tui *t, void *priv, int i, char *buf, size_t len)
{
    struct ratings_view *v = priv;
    int32_t item = v->list.items[i];
    time_t when = (time_t)mr_session_rated_at(t->s, item);
    struct tm tm;
    if (!t->user->rated[item])
        snprintf(buf, len, "removed");
    else if (when > 0 && localtime_r(&when, &tm))
        strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
}

static void ratings_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct ratings_view *v = priv;
    tui_list_draw(t, w, &v->list, "rated on", 16, ratings_row, v,
                  "You have not rated any film yet: press 1-5 on any film.");
}

static void ratings_title(struct tui *t, void *priv, char *buf, size_t len)
{
    (void)priv;
    snprintf(buf, len, "My ratings: %d film%s, newest first", t->user->n,
             t->user->n == 1 ? "" : "s");
}

static struct tui_list *ratings_list(void *priv)
{
    return &((struct ratings_view *)priv)->list;
}

const struct tui_view_ops tui_ratings_ops = {
    .name = "my ratings",
    .scope = TUI_SCOPE_GLOBAL,
    .create = ratings_create,
    .enter = ratings_enter,
    .draw = ratings_draw,
    .title = ratings_title,
    .list = ratings_list,
    .destroy = ratings_destroy,
};
