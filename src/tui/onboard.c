/* onboard.c — getting started: for a profile with no ratings, films are proposed one at a
 * time (mr_session_onboard_next); the person rates each 1-5 or says they haven't seen it, and
 * watches the top-5 strip fill in.  Esc (or any view key) leaves at any time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movierec/catalog.h"
#include "view.h"

struct onboard {
    struct tui_list list; /* the one proposed film (what the rating keys act on) */
    int32_t *shown;       /* every film proposed so far, rated or skipped */
    int n_shown, cap;
    int rated, skipped;
    int exhausted; /* the session has nothing more to propose */
};

static void *onboard_create(struct tui *t)
{
    (void)t;
    return calloc(1, sizeof(struct onboard));
}

static void onboard_destroy(void *priv)
{
    struct onboard *o = priv;
    if (!o)
        return;
    tui_list_free(&o->list);
    free(o->shown);
    free(o);
}

static int remember(struct onboard *o, int32_t item)
{
    if (o->n_shown == o->cap) {
        int cap = o->cap ? o->cap * 2 : 32;
        int32_t *s = realloc(o->shown, (size_t)cap * sizeof *s);
        if (!s)
            return -1;
        o->shown = s;
        o->cap = cap;
    }
    o->shown[o->n_shown++] = item;
    return 0;
}

/* Asks the session for the next film to propose. */
static void propose_next(struct tui *t, struct onboard *o)
{
    int32_t item;
    tui_list_clear(&o->list);
    int n = mr_session_onboard_next(t->s, o->shown, o->n_shown, 1, &item);
    if (n <= 0 || remember(o, item) < 0 || tui_list_push(&o->list, item) < 0)
        o->exhausted = 1;
    t->dirty |= TUI_DIRTY_MAIN;
}

static void onboard_enter(struct tui *t, void *priv)
{
    struct onboard *o = priv;
    int32_t current = tui_list_selected(&o->list);
    if (current < 0 || (t->user->rated[current] && !o->exhausted))
        propose_next(t, o);
}

static int onboard_key(struct tui *t, void *priv, const struct tui_binding *b, int key)
{
    struct onboard *o = priv;
    int32_t item = tui_list_selected(&o->list);
    switch (b->action) {
    case TUI_ACT_RATE:
        if (item >= 0 && tui_rate(t, item, (key - '0') * 2) == MR_OK) {
            o->rated++;
            propose_next(t, o);
        }
        return 1;
    case TUI_ACT_SKIP:
        if (item >= 0) {
            o->skipped++;
            tui_status(t, 0, "Skipped %s", tui_title(t, item));
            propose_next(t, o);
        }
        return 1;
    case TUI_ACT_UP:
    case TUI_ACT_DOWN:
    case TUI_ACT_PAGE_UP:
    case TUI_ACT_PAGE_DOWN:
    case TUI_ACT_FIRST:
    case TUI_ACT_LAST:
        return 1; /* one film at a time: nothing to move */
    default:
        return 0;
    }
}

/* A key name and what it does, on one line. */
static void key_line(struct tui *t, WINDOW *w, int y, const char *key, const char *what)
{
    const struct tui_screen *scr = &t->scr;
    tui_put(scr, w, y, 4, key, 6, scr->attrs[TUI_S_KEY]);
    tui_put(scr, w, y, 11, what, scr->cols - 12, scr->attrs[TUI_S_NORMAL]);
}

static void onboard_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct onboard *o = priv;
    const struct tui_screen *scr = &t->scr;
    int h = scr->main_h, width = scr->cols;
    char buf[512];
    int y = 0;
    werase(w);
    tui_put(scr, w, y++, 2, "Getting started", width - 4, scr->attrs[TUI_S_HEADING]);
    y += tui_put_wrapped(scr, w, y, 2,
                         "Tell movierec about films you have seen: each rating updates the "
                         "top 5 below at once.",
                         width - 4, 2, scr->attrs[TUI_S_NORMAL]);
    int32_t item = tui_list_selected(&o->list);
    if (o->exhausted || item < 0) {
        y++;
        tui_put_wrapped(scr, w, y, 2,
                        "No more films to propose. Press r for your recommendations or b to "
                        "browse the catalog.",
                        width - 4, 2, scr->attrs[TUI_S_NORMAL]);
        return;
    }
    const struct mr_movie *m = &t->ds->catalog.movies[item];
    const struct mr_ratings *r = &t->ds->ratings;
    if (h >= 14)
        y++;
    tui_put(scr, w, y++, 2, "Have you seen this film?", width - 4, A_BOLD);
    tui_put(scr, w, y++, 4, tui_title(t, item), width - 6, scr->attrs[TUI_S_HEADING]);
    char genres[256];
    mr_genres_format(m->genres, genres, sizeof genres);
    for (char *p = genres; *p; p++)
        if (*p == '|')
            *p = '/';
    if (y < h) {
        snprintf(buf, sizeof buf, "%s; rated by %d people here, mean %.1f", genres,
                 r->item_count[item], r->item_mean[item]);
        tui_put(scr, w, y++, 4, buf, width - 6, scr->attrs[TUI_S_NORMAL]);
    }
    if (m->n_tags > 0 && y < h) {
        size_t n = (size_t)snprintf(buf, sizeof buf, "Tags: ");
        for (int i = 0; i < m->n_tags && i < 5 && n < sizeof buf; i++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", i ? ", " : "", m->tags[i].text);
        tui_put(scr, w, y++, 4, buf, width - 6, scr->attrs[TUI_S_DIM]);
    }
    if (h >= 14)
        y++;
    if (y < h)
        key_line(t, w, y++, "1-5", "yes: rate it that many stars");
    if (y < h)
        key_line(t, w, y++, "n", "haven't seen it: ask me about another film");
    if (y < h)
        key_line(t, w, y++, "Esc", "done: go to the catalog (a comes back here)");
    if (y + 1 < h) {
        snprintf(buf, sizeof buf, "Rated here: %d, skipped: %d, your ratings in all: %d.", o->rated,
                 o->skipped, t->user->n);
        tui_put(scr, w, y + 1, 2, buf, width - 4, scr->attrs[TUI_S_DIM]);
    }
}

static void onboard_title(struct tui *t, void *priv, char *buf, size_t len)
{
    (void)t, (void)priv;
    snprintf(buf, len, "Getting started: rate a few films you know");
}

static struct tui_list *onboard_list(void *priv)
{
    return &((struct onboard *)priv)->list;
}

const struct tui_view_ops tui_onboard_ops = {
    .name = "getting started",
    .scope = TUI_SCOPE_ONBOARD,
    .wide = 1,
    .create = onboard_create,
    .enter = onboard_enter,
    .key = onboard_key,
    .draw = onboard_draw,
    .title = onboard_title,
    .list = onboard_list,
    .destroy = onboard_destroy,
};
