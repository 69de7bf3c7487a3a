/* browse.c — the whole catalog, sorted by popularity, mean rating, year or title, filtered by
 * genre and decade. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "movierec/catalog.h"
#include "movierec/search.h"
#include "menu.h"
#include "view.h"

/* Films with fewer ratings than this come after the others when sorting by mean rating, so a
 * single 5-star rating does not top the list. */
#define MEAN_MIN_RATINGS 10
#define ALL              (-1)

enum browse_order { BY_POPULARITY, BY_MEAN, BY_YEAR, BY_TITLE, ORDER_COUNT };

static const char *const order_names[ORDER_COUNT] = {
    "by popularity",
    "by mean rating (films with 10+ ratings first)",
    "by year, newest first",
    "by title",
};

struct browse {
    struct tui *t;
    struct tui_list list;
    enum browse_order order;
    int genre;     /* enum mr_genre, or ALL */
    int decade;    /* 1990 for the 1990s, or ALL */
    char **folded; /* folded titles for sorting by title, made on first use */
    int built;
};

static void *browse_create(struct tui *t)
{
    struct browse *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->t = t;
    b->genre = ALL;
    b->decade = ALL;
    return b;
}

static void browse_destroy(void *priv)
{
    struct browse *b = priv;
    if (!b)
        return;
    if (b->folded) {
        for (int32_t i = 0; i < b->t->ds->catalog.n_movies; i++)
            free(b->folded[i]);
        free(b->folded);
    }
    tui_list_free(&b->list);
    free(b);
}

static int cmp_int_desc(double a, double b)
{
    return a > b ? -1 : a < b ? 1 : 0;
}

/* qsort_r comparison for the current order; ties go to the more popular film, then the
 * lower item index, so the order is total and stable across rebuilds. */
static int compare_items(const void *pa, const void *pb, void *ctx)
{
    const struct browse *b = ctx;
    const struct mr_ratings *r = &b->t->ds->ratings;
    const struct mr_movie *movies = b->t->ds->catalog.movies;
    int32_t x = *(const int32_t *)pa, y = *(const int32_t *)pb;
    int c = 0;
    switch (b->order) {
    case BY_MEAN: {
        int xe = r->item_count[x] >= MEAN_MIN_RATINGS, ye = r->item_count[y] >= MEAN_MIN_RATINGS;
        c = ye - xe;
        if (!c)
            c = cmp_int_desc(r->item_mean[x], r->item_mean[y]);
        break;
    }
    case BY_YEAR:
        c = cmp_int_desc(movies[x].year, movies[y].year);
        break;
    case BY_TITLE:
        c = strcmp(b->folded[x], b->folded[y]);
        break;
    default:
        break;
    }
    if (!c)
        c = cmp_int_desc(r->item_count[x], r->item_count[y]);
    if (!c)
        c = x < y ? -1 : x > y;
    return c;
}

/* Folds every title once ("Matrix, The (1999)" -> "matrix the 1999").  Returns 0 or -1. */
static int fold_titles(struct browse *b)
{
    const struct mr_catalog *c = &b->t->ds->catalog;
    if (b->folded)
        return 0;
    b->folded = calloc((size_t)c->n_movies, sizeof *b->folded);
    if (!b->folded)
        return -1;
    for (int32_t i = 0; i < c->n_movies; i++) {
        char buf[512];
        mr_text_fold(c->movies[i].title, buf, sizeof buf);
        b->folded[i] = strdup(buf);
        if (!b->folded[i]) {
            for (int32_t j = 0; j < i; j++)
                free(b->folded[j]);
            free(b->folded);
            b->folded = NULL;
            return -1;
        }
    }
    return 0;
}

static int matches_filters(const struct browse *b, const struct mr_movie *m)
{
    if (b->genre != ALL && !(m->genres & (1u << b->genre)))
        return 0;
    if (b->decade != ALL && (m->year < b->decade || m->year >= b->decade + 10))
        return 0;
    return 1;
}

/* Rebuilds the list for the current filters and order, keeping the selected film selected
 * when it is still listed. */
static void rebuild(struct browse *b)
{
    const struct mr_catalog *c = &b->t->ds->catalog;
    int32_t keep = tui_list_selected(&b->list);
    if (b->order == BY_TITLE && fold_titles(b) < 0) {
        tui_status(b->t, 1, "Out of memory: cannot sort by title");
        b->order = BY_POPULARITY;
    }
    tui_list_clear(&b->list);
    for (int32_t i = 0; i < c->n_movies; i++)
        if (matches_filters(b, &c->movies[i]) && tui_list_push(&b->list, i) < 0) {
            tui_status(b->t, 1, "Out of memory: the list is incomplete");
            break;
        }
    qsort_r(b->list.items, (size_t)b->list.n, sizeof b->list.items[0], compare_items, b);
    for (int i = 0; keep >= 0 && i < b->list.n; i++)
        if (b->list.items[i] == keep)
            b->list.cursor = i;
    b->built = 1;
    b->t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
}

static void browse_enter(struct tui *t, void *priv)
{
    struct browse *b = priv;
    (void)t;
    if (!b->built)
        rebuild(b);
}

static void browse_row(struct tui *t, void *priv, int i, char *buf, size_t len)
{
    struct browse *b = priv;
    const struct mr_ratings *r = &t->ds->ratings;
    int32_t item = b->list.items[i];
    if (r->item_count[item] > 0)
        snprintf(buf, len, "%.1f %5d", r->item_mean[item], r->item_count[item]);
    else
        snprintf(buf, len, "-     0");
}

static void browse_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct browse *b = priv;
    tui_list_draw(t, w, &b->list, "mean count", 10, browse_row, b,
                  "No film matches these filters: press f or d to change them.");
}

static void browse_title(struct tui *t, void *priv, char *buf, size_t len)
{
    struct browse *b = priv;
    char what[96];
    (void)t;
    snprintf(what, sizeof what, "%s", b->genre == ALL ? "all films" : mr_genre_name(b->genre));
    if (b->decade != ALL) {
        size_t n = strlen(what);
        snprintf(what + n, sizeof what - n, " from the %ds", b->decade);
    }
    snprintf(buf, len, "Browse: %s, %s", what, order_names[b->order]);
}

static struct tui_list *browse_list(void *priv)
{
    return &((struct browse *)priv)->list;
}

/* Makes browse the current view (building it if needed) and returns its state. */
static struct browse *show_browse(struct tui *t)
{
    if (t->current != TUI_VIEW_BROWSE)
        tui_switch(t, TUI_VIEW_BROWSE);
    return tui_view_priv(t, TUI_VIEW_BROWSE);
}

void tui_browse_cycle_sort(struct tui *t)
{
    struct browse *b = show_browse(t);
    b->order = (b->order + 1) % ORDER_COUNT;
    rebuild(b);
    b->list.cursor = 0;
    tui_status(t, 0, "Sorted %s (o changes the order)", order_names[b->order]);
}

static void choose_genre(struct tui *t, int choice)
{
    struct browse *b = show_browse(t);
    b->genre = choice == 0 ? ALL : choice - 1;
    rebuild(b);
    tui_status(t, 0, "%d films%s%s", b->list.n, b->genre == ALL ? "" : " in ",
               b->genre == ALL ? "" : mr_genre_name(b->genre));
}

void tui_browse_genre_menu(struct tui *t)
{
    struct browse *b = show_browse(t);
    const struct mr_catalog *c = &t->ds->catalog;
    char *labels[MR_GENRE_COUNT + 1];
    char text[MR_GENRE_COUNT + 1][64];
    int32_t counts[MR_GENRE_COUNT] = {0};
    for (int32_t i = 0; i < c->n_movies; i++)
        for (int g = 0; g < MR_GENRE_COUNT; g++)
            if (c->movies[i].genres & (1u << g))
                counts[g]++;
    snprintf(text[0], sizeof text[0], "All genres (%d)", c->n_movies);
    labels[0] = text[0];
    for (int g = 0; g < MR_GENRE_COUNT; g++) {
        snprintf(text[g + 1], sizeof text[g + 1], "%s (%d)", mr_genre_name(g), counts[g]);
        labels[g + 1] = text[g + 1];
    }
    if (tui_menu_open(t, "Genre", labels, MR_GENRE_COUNT + 1, b->genre == ALL ? 0 : b->genre + 1,
                      choose_genre) < 0)
        tui_status(t, 1, "Out of memory");
}

/* Decades present in the catalog, newest first, for the decade menu. */
struct decades {
    int first; /* e.g. 1900 */
    int n;
    int32_t counts[32];
};

static void count_decades(const struct mr_catalog *c, struct decades *d)
{
    int lo = 0, hi = 0;
    memset(d, 0, sizeof *d);
    for (int32_t i = 0; i < c->n_movies; i++) {
        int y = c->movies[i].year;
        if (y <= 0)
            continue;
        if (!lo || y < lo)
            lo = y;
        if (y > hi)
            hi = y;
    }
    if (!lo)
        return;
    d->first = lo / 10 * 10;
    d->n = (hi / 10 * 10 - d->first) / 10 + 1;
    if (d->n > 32) { /* keep the newest 32 decades */
        d->first = hi / 10 * 10 - 31 * 10;
        d->n = 32;
    }
    for (int32_t i = 0; i < c->n_movies; i++) {
        int k = (c->movies[i].year - d->first) / 10;
        if (c->movies[i].year >= d->first && k < d->n)
            d->counts[k]++;
    }
}

static void choose_decade(struct tui *t, int choice)
{
    struct browse *b = show_browse(t);
    struct decades d;
    count_decades(&t->ds->catalog, &d);
    b->decade = choice == 0 ? ALL : d.first + (d.n - choice) * 10;
    rebuild(b);
    if (b->decade == ALL)
        tui_status(t, 0, "%d films from every year", b->list.n);
    else
        tui_status(t, 0, "%d films from the %ds", b->list.n, b->decade);
}

void tui_browse_decade_menu(struct tui *t)
{
    struct browse *b = show_browse(t);
    struct decades d;
    char *labels[33];
    char text[33][48];
    int initial = 0;
    count_decades(&t->ds->catalog, &d);
    snprintf(text[0], sizeof text[0], "All years");
    labels[0] = text[0];
    for (int k = 0; k < d.n; k++) { /* newest first */
        int decade = d.first + (d.n - 1 - k) * 10;
        snprintf(text[k + 1], sizeof text[k + 1], "%ds (%d)", decade, d.counts[d.n - 1 - k]);
        labels[k + 1] = text[k + 1];
        if (decade == b->decade)
            initial = k + 1;
    }
    if (tui_menu_open(t, "Decade", labels, d.n + 1, initial, choose_decade) < 0)
        tui_status(t, 1, "Out of memory");
}

const struct tui_view_ops tui_browse_ops = {
    .name = "browse",
    .scope = TUI_SCOPE_GLOBAL,
    .create = browse_create,
    .enter = browse_enter,
    .draw = browse_draw,
    .title = browse_title,
    .list = browse_list,
    .destroy = browse_destroy,
};
