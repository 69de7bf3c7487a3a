/* similar.c — films similar to one film: the selected one (`s`) or a title typed with Tab
 * completion (`S`). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movierec/search.h"
#include "prompt.h"
#include "view.h"

#define SIMILAR_N 50

struct similar {
    struct tui_list list;
    int32_t source;
    struct mr_rec recs[SIMILAR_N];
};

static void *similar_create(struct tui *t)
{
    (void)t;
    struct similar *v = calloc(1, sizeof *v);
    if (v)
        v->source = -1;
    return v;
}

static void similar_destroy(void *priv)
{
    struct similar *v = priv;
    if (!v)
        return;
    tui_list_free(&v->list);
    free(v);
}

void tui_similar_show(struct tui *t, int32_t item)
{
    struct similar *v = tui_view_priv(t, TUI_VIEW_SIMILAR);
    if (item < 0) {
        tui_status(t, 0, "Select a film first (or press S to type a title)");
        return;
    }
    int n = mr_session_similar(t->s, item, SIMILAR_N, v->recs);
    v->source = item;
    tui_list_clear(&v->list);
    for (int i = 0; i < n; i++)
        if (tui_list_push(&v->list, v->recs[i].item) < 0)
            break;
    tui_switch(t, TUI_VIEW_SIMILAR);
    if (n == 0)
        tui_status(t, 0, "No similar films known for %s", tui_title(t, item));
    else
        tui_status(t, 0, "%d films similar to %s (Esc goes back)", n, tui_title(t, item));
}

static void on_cancel(struct tui *t, const char *text)
{
    (void)text;
    tui_status(t, 0, "Cancelled");
}

static void on_accept(struct tui *t, const char *text)
{
    struct mr_search_hit cands[8];
    int n_cands = 0;
    int32_t item = -1;
    const char *p = text;
    while (*p == ' ')
        p++;
    if (!*p)
        return;
    enum mr_resolve_result r =
        mr_resolve_movie(mr_session_search(t->s), &t->ds->catalog, p, &item, cands, 8, &n_cands);
    if (r == MR_RESOLVE_NONE || (r == MR_RESOLVE_AMBIGUOUS && n_cands == 0)) {
        tui_status(t, 1, "No film matches \"%s\"", p);
        return;
    }
    if (r == MR_RESOLVE_AMBIGUOUS)
        item = cands[0].item;
    tui_similar_show(t, item);
    if (r == MR_RESOLVE_AMBIGUOUS)
        tui_status(t, 0, "\"%s\" matches %d titles; showing films similar to the best match, %s", p,
                   n_cands, tui_title(t, item));
}

void tui_similar_prompt(struct tui *t)
{
    struct tui_prompt_spec spec = {
        .label = "Similar to: ",
        .complete_titles = 1,
        .on_accept = on_accept,
        .on_cancel = on_cancel,
    };
    tui_prompt_open(t, &spec);
    tui_status(t, 0,
               "Type a title; Tab completes it (twice lists matches); Enter shows similar "
               "films; Esc cancels");
}

static void similar_row(struct tui *t, void *priv, int i, char *buf, size_t len)
{
    struct similar *v = priv;
    (void)t;
    snprintf(buf, len, "%.2f", v->recs[i].score);
}

static void similar_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct similar *v = priv;
    tui_list_draw(t, w, &v->list, "similarity", 10, similar_row, v,
                  "No similar films: select a film and press s.");
}

static void similar_title(struct tui *t, void *priv, char *buf, size_t len)
{
    struct similar *v = priv;
    if (v->source >= 0)
        snprintf(buf, len, "Similar to %s", tui_title(t, v->source));
    else
        snprintf(buf, len, "Similar films");
}

static struct tui_list *similar_list(void *priv)
{
    return &((struct similar *)priv)->list;
}

static const char *similar_reason(void *priv, int i)
{
    struct similar *v = priv;
    return i >= 0 && i < v->list.n ? v->recs[i].reason : NULL;
}

const struct tui_view_ops tui_similar_ops = {
    .name = "similar",
    .scope = TUI_SCOPE_GLOBAL,
    .create = similar_create,
    .draw = similar_draw,
    .title = similar_title,
    .list = similar_list,
    .reason = similar_reason,
    .destroy = similar_destroy,
};
