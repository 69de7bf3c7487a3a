/* detail.c — the detail pane: everything known about one film, with a small bar chart of how
 * people rated it (counted from the by-movie column of the ratings matrix). */
#include <stdio.h>
#include <string.h>

#include "movierec/catalog.h"
#include "movierec/ratings.h"
#include "view.h"

#define HALF_STEPS 10 /* 0.5 .. 5.0 */

/* Counts the data set's ratings of item per half star (counts[0] = 0.5 stars). Returns the
 * largest count. */
static int32_t rating_histogram(const struct mr_ratings *r, int32_t item, int32_t counts[])
{
    int32_t max = 0;
    memset(counts, 0, HALF_STEPS * sizeof counts[0]);
    if (!r->item_ptr || item < 0 || item >= r->n_items)
        return 0;
    for (int64_t k = r->item_ptr[item]; k < r->item_ptr[item + 1]; k++) {
        int v = r->item_vals[k];
        if (v >= 1 && v <= HALF_STEPS && ++counts[v - 1] > max)
            max = counts[v - 1];
    }
    return max;
}

/* Draws the histogram as vertical bars `height` rows high from row y, with star labels below.
 * Returns the rows used. */
static int draw_chart(struct tui *t, WINDOW *w, int y, int x, int width, int height,
                      const int32_t counts[], int32_t max)
{
    const struct tui_screen *scr = &t->scr;
    int bar_w = width >= 3 * HALF_STEPS ? 2 : 1;
    int step = bar_w + (width >= 2 * HALF_STEPS ? 1 : 0);
    int levels = height * 8;
    for (int b = 0; b < HALF_STEPS; b++) {
        int lv = max > 0 ? (int)((counts[b] * (int64_t)levels + max - 1) / max) : 0;
        for (int r = 0; r < height; r++) {
            int v = lv - (height - 1 - r) * 8;
            v = v < 0 ? 0 : v > 8 ? 8 : v;
            wattrset(w, scr->attrs[TUI_S_CHART]);
            for (int c = 0; c < bar_w; c++)
                mvwaddstr(w, y + r, x + b * step + c, scr->g.bars[v]);
        }
        wattrset(w, scr->attrs[TUI_S_DIM]);
        int half = b + 1;
        if (half % 2 == 0) {
            char label[4];
            snprintf(label, sizeof label, "%d", half / 2);
            mvwaddstr(w, y + height, x + b * step, label);
        } else if (half == 1 && scr->g.unicode) {
            mvwaddstr(w, y + height, x + b * step, scr->g.half);
        }
    }
    wattrset(w, A_NORMAL);
    return height + 1;
}

/* "Action, Sci-Fi, Thriller" from the genre bits. */
static void genre_list(uint32_t genres, char *buf, size_t len)
{
    mr_genres_format(genres, buf, len);
    char out[256] = "";
    for (char *p = buf; *p; p++) {
        size_t n = strlen(out);
        if (n + 3 >= sizeof out)
            break;
        if (*p == '|') {
            out[n] = ',';
            out[n + 1] = ' ';
            out[n + 2] = '\0';
        } else {
            out[n] = *p;
            out[n + 1] = '\0';
        }
    }
    snprintf(buf, len, "%s", out);
}

static void tag_list(const struct mr_movie *m, int max_tags, char *buf, size_t len)
{
    buf[0] = '\0';
    for (int i = 0; i < m->n_tags && i < max_tags; i++) {
        size_t n = strlen(buf);
        snprintf(buf + n, len - n, "%s%s", i ? ", " : "", m->tags[i].text);
    }
}

void tui_detail_draw(struct tui *t, WINDOW *w, int32_t item, const char *why, int full)
{
    const struct tui_screen *scr = &t->scr;
    int h, width;
    getmaxyx(w, h, width);
    werase(w);
    int x = 2;
    int tw = width - x - 1;
    if (!full) { /* the pane separator */
        wattrset(w, scr->attrs[TUI_S_DIM]);
        for (int r = 0; r < h; r++)
            mvwaddstr(w, r, 0, scr->g.vline);
        wattrset(w, A_NORMAL);
    }
    if (!t->ds || item < 0 || item >= t->ds->catalog.n_movies) {
        tui_put(scr, w, 1, x, "No film selected.", tw, scr->attrs[TUI_S_DIM]);
        return;
    }
    const struct mr_movie *m = &t->ds->catalog.movies[item];
    const struct mr_ratings *r = &t->ds->ratings;
    char buf[1024], stars[64], genres[256];
    int y = 0;

    y += tui_put_wrapped(scr, w, y, x, tui_title(t, item), tw, 2, scr->attrs[TUI_S_HEADING]);
    genre_list(m->genres, genres, sizeof genres);
    if (m->year)
        snprintf(buf, sizeof buf, "%d%s%s", m->year, genres[0] ? scr->g.sep : "", genres);
    else
        snprintf(buf, sizeof buf, "%s", genres[0] ? genres : "year unknown");
    if (y < h)
        y += tui_put_wrapped(scr, w, y, x, buf, tw, full ? 2 : 1, scr->attrs[TUI_S_NORMAL]);

    int half = t->user ? t->user->rated[item] : 0;
    if (y < h) {
        if (half) {
            snprintf(buf, sizeof buf, "Your rating: %s (%.1f)",
                     tui_stars(scr, half, stars, sizeof stars), half / 2.0);
            tui_put(scr, w, y++, x, buf, tw, scr->attrs[TUI_S_STAR]);
        } else {
            tui_put(scr, w, y++, x, "Your rating: none yet (press 1-5)", tw,
                    scr->attrs[TUI_S_NORMAL]);
        }
    }
    double predicted = t->s ? mr_session_predict(t->s, item) : 0;
    if (y < h) {
        if (predicted > 0)
            snprintf(buf, sizeof buf, "Predicted for you: %.1f %s", predicted, scr->g.star);
        else
            snprintf(buf, sizeof buf, "Predicted for you: no prediction");
        tui_put(scr, w, y++, x, buf, tw, scr->attrs[TUI_S_NORMAL]);
    }
    if (why && *why && y < h) {
        snprintf(buf, sizeof buf, "Why: %s", why);
        y += tui_put_wrapped(scr, w, y, x, buf, tw, full ? 3 : 2, scr->attrs[TUI_S_GOOD]);
    }

    int32_t n = r->item_count ? r->item_count[item] : 0;
    if (y < h) {
        if (n > 0)
            snprintf(buf, sizeof buf, "%d rating%s, mean %.2f", n, n == 1 ? "" : "s",
                     r->item_mean[item]);
        else
            snprintf(buf, sizeof buf, "No ratings in the data set");
        tui_put(scr, w, y++, x, buf, tw, scr->attrs[TUI_S_NORMAL]);
    }
    int32_t counts[HALF_STEPS];
    int32_t max = rating_histogram(r, item, counts);
    int chart_h = full ? 5 : 3;
    if (n > 0 && y + chart_h + 1 <= h) {
        y += draw_chart(t, w, y, x, tw, chart_h, counts, max);
        if (full && y < h) {
            buf[0] = '\0';
            for (int b = 0; b < HALF_STEPS; b++) {
                size_t len = strlen(buf);
                snprintf(buf + len, sizeof buf - len, "%s%.1f: %d", b ? "  " : "", (b + 1) / 2.0,
                         counts[b]);
            }
            y += tui_put_wrapped(scr, w, y, x, buf, tw, 2, scr->attrs[TUI_S_DIM]);
        }
    }
    if (m->n_tags > 0 && y < h) {
        char tags[900];
        tag_list(m, full ? 20 : 6, tags, sizeof tags);
        snprintf(buf, sizeof buf, "Tags: %s", tags);
        y += tui_put_wrapped(scr, w, y, x, buf, tw, full ? 4 : 2, scr->attrs[TUI_S_NORMAL]);
    }
    if (y < h) {
        int len = 0;
        buf[0] = '\0';
        if (m->imdb_id > 0)
            len += snprintf(buf, sizeof buf, "IMDb tt%07lld", (long long)m->imdb_id);
        if (full && m->tmdb_id > 0)
            len += snprintf(buf + len, sizeof buf - (size_t)len, "%sTMDb %lld",
                            len ? scr->g.sep : "", (long long)m->tmdb_id);
        if (full)
            snprintf(buf + len, sizeof buf - (size_t)len, "%smovieId %d", len ? scr->g.sep : "",
                     m->id);
        if (buf[0])
            tui_put(scr, w, y++, x, buf, tw, scr->attrs[TUI_S_DIM]);
    }
}
