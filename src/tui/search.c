/* search.c — title search: `/` opens a prompt and the list follows the text as it is typed;
 * Enter keeps the results, Esc goes back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movierec/search.h"
#include "prompt.h"
#include "view.h"

#define MAX_HITS 200

struct search {
    struct tui_list list;
    char query[256];
    struct mr_search_hit hits[MAX_HITS];
};

static void *search_create(struct tui *t)
{
    (void)t;
    return calloc(1, sizeof(struct search));
}

static void search_destroy(void *priv)
{
    struct search *q = priv;
    if (!q)
        return;
    tui_list_free(&q->list);
    free(q);
}

/* Runs the query and refills the list (best match first). */
static void run_query(struct tui *t, struct search *q, const char *text)
{
    snprintf(q->query, sizeof q->query, "%s", text);
    tui_list_clear(&q->list);
    int n = mr_search(mr_session_search(t->s), q->query, q->hits, MAX_HITS);
    for (int i = 0; i < n; i++)
        if (tui_list_push(&q->list, q->hits[i].item) < 0)
            break;
    t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
}

static void on_change(struct tui *t, const char *text)
{
    run_query(t, tui_view_priv(t, TUI_VIEW_SEARCH), text);
}

static void on_accept(struct tui *t, const char *text)
{
    struct search *q = tui_view_priv(t, TUI_VIEW_SEARCH);
    run_query(t, q, text);
    if (q->list.n == 0)
        tui_status(t, 0, "No film matches \"%s\"", q->query);
    else
        tui_status(t, 0, "%d film%s \"%s\": move with Up/Down, rate with 1-5", q->list.n,
                   q->list.n == 1 ? " matches" : "s match", q->query);
}

static void on_cancel(struct tui *t, const char *text)
{
    (void)text;
    tui_go_back(t);
}

void tui_search_start(struct tui *t)
{
    struct search *q = tui_view_priv(t, TUI_VIEW_SEARCH);
    int again = t->current == TUI_VIEW_SEARCH;
    if (!again) {
        tui_switch(t, TUI_VIEW_SEARCH);
        q->query[0] = '\0';
        tui_list_clear(&q->list);
    }
    struct tui_prompt_spec spec = {
        .label = "Search: ",
        .initial = again ? q->query : NULL,
        .on_change = on_change,
        .on_accept = on_accept,
        .on_cancel = on_cancel,
    };
    tui_prompt_open(t, &spec);
    tui_status(t, 0, "Type part of a title; Enter keeps the results, Esc goes back");
}

static void search_row(struct tui *t, void *priv, int i, char *buf, size_t len)
{
    struct search *q = priv;
    const struct mr_ratings *r = &t->ds->ratings;
    int32_t item = q->list.items[i];
    if (r->item_count[item] > 0)
        snprintf(buf, len, "%.1f %5d", r->item_mean[item], r->item_count[item]);
    else
        snprintf(buf, len, "-     0");
}

static void search_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct search *q = priv;
    tui_list_draw(t, w, &q->list, "mean count", 10, search_row, q,
                  q->query[0] ? "No film matches: try fewer or other words."
                              : "Type part of a title below.");
}

static void search_title(struct tui *t, void *priv, char *buf, size_t len)
{
    struct search *q = priv;
    (void)t;
    if (q->query[0])
        snprintf(buf, len, "Search: \"%s\", %d film%s", q->query, q->list.n,
                 q->list.n == 1 ? "" : "s");
    else
        snprintf(buf, len, "Search");
}

static struct tui_list *search_list(void *priv)
{
    return &((struct search *)priv)->list;
}

const struct tui_view_ops tui_search_ops = {
    .name = "search",
    .scope = TUI_SCOPE_GLOBAL,
    .create = search_create,
    .draw = search_draw,
    .title = search_title,
    .list = search_list,
    .destroy = search_destroy,
};
