/* tui.c — tui_main: the event loop.  One input function with a timeout; keys go through the
 * key table to the current view, then to the shared handling; only flagged parts of the screen
 * are drawn before the next key is read. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "menu.h"
#include "prompt.h"
#include "term.h"
#include "tui.h"
#include "view.h"

#define LOADING_POLL_MS 100
#define IDLE_POLL_MS    1000

static const struct tui_view_ops *const view_ops[TUI_VIEW_COUNT] = {
    [TUI_VIEW_BROWSE] = &tui_browse_ops,   [TUI_VIEW_SEARCH] = &tui_search_ops,
    [TUI_VIEW_RECS] = &tui_recs_ops,       [TUI_VIEW_SIMILAR] = &tui_similar_ops,
    [TUI_VIEW_RATINGS] = &tui_ratings_ops, [TUI_VIEW_ONBOARD] = &tui_onboard_ops,
    [TUI_VIEW_HELP] = &tui_help_ops,
};

/* "profile default", "user 12 (read-only)". */
static void profile_label(const struct mr_session_opts *opts, char *buf, size_t len)
{
    if (opts->user_id > 0) {
        snprintf(buf, len, "user %d (read-only)", opts->user_id);
        return;
    }
    if (!opts->profile_path) {
        snprintf(buf, len, "no profile");
        return;
    }
    const char *base = strrchr(opts->profile_path, '/');
    base = base ? base + 1 : opts->profile_path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    snprintf(buf, len, "profile %.*s", (int)n, base);
}

/* ---- drawing ---- */

static void draw_title(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    const struct tui_view *v = &t->views[t->current];
    char what[256] = "", pos[48] = "";
    werase(scr->title);
    tui_fill(scr->title, 0, 0, scr->cols, scr->attrs[TUI_S_BAR]);
    if (v->ops && v->priv)
        v->ops->title(t, v->priv, what, sizeof what);
    const struct tui_list *l = v->ops && v->ops->list && v->priv ? v->ops->list(v->priv) : NULL;
    if (l && l->n > 1 && !v->ops->wide)
        snprintf(pos, sizeof pos, "%d/%d ", l->cursor + 1, l->n);
    int used = tui_put(scr, scr->title, 0, 1, "movierec", 8, scr->attrs[TUI_S_BAR]);
    int pw = tui_text_width(pos);
    tui_put(scr, scr->title, 0, used + 3, what, scr->cols - used - 4 - pw, scr->attrs[TUI_S_BAR]);
    tui_put_right(scr, scr->title, 0, scr->cols, pos, pw, scr->attrs[TUI_S_BAR]);
    wnoutrefresh(scr->title);
}

static void draw_main(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    struct tui_view *v = &t->views[t->current];
    if (t->details_open || v->ops->wide) {
        werase(scr->main);
        if (t->details_open) {
            struct tui_list *l = v->ops->list ? v->ops->list(v->priv) : NULL;
            const char *why = l && v->ops->reason ? v->ops->reason(v->priv, l->cursor) : NULL;
            tui_detail_draw(t, scr->main, tui_selected(t), why, 1);
        } else {
            v->ops->draw(t, v->priv, scr->main);
        }
        wnoutrefresh(scr->main);
        return;
    }
    werase(scr->list);
    v->ops->draw(t, v->priv, scr->list);
    wnoutrefresh(scr->list);
    struct tui_list *l = v->ops->list ? v->ops->list(v->priv) : NULL;
    const char *why = l && v->ops->reason ? v->ops->reason(v->priv, l->cursor) : NULL;
    tui_detail_draw(t, scr->detail, tui_selected(t), why, 0);
    wnoutrefresh(scr->detail);
}

static void draw_status(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    WINDOW *w = scr->status;
    char left[160];
    int n = t->user ? t->user->n : 0;
    werase(w);
    tui_fill(w, 0, 0, scr->cols, scr->attrs[TUI_S_BAR]);
    int pending = t->s ? mr_session_pending(t->s) : 0;
    snprintf(left, sizeof left, "%s%s%d rating%s", t->profile_label, scr->g.sep, n,
             n == 1 ? "" : "s");
    if (pending > 0) {
        size_t len = strlen(left);
        snprintf(left + len, sizeof left - len, "%s%d unsaved", scr->g.sep, pending);
    }
    int used = tui_put(scr, w, 0, 1, left, scr->cols / 2, scr->attrs[TUI_S_BAR]);
    int x = used + 1;
    tui_put(scr, w, 0, x, scr->g.sep, 3, scr->attrs[TUI_S_BAR]);
    x += tui_text_width(scr->g.sep);
    int attr = scr->attrs[TUI_S_BAR];
    if (t->status_error)
        attr = scr->colors ? (int)(scr->attrs[TUI_S_ERROR] | A_REVERSE) : (int)A_BOLD;
    int tail_w = t->status_tail[0] ? tui_text_width(t->status_tail) + 2 : 0;
    if (tail_w > scr->cols - x - 10)
        tail_w = 0;
    if (tail_w)
        tui_put_right(scr, w, 0, scr->cols - 1, t->status_tail, tail_w, scr->attrs[TUI_S_BAR]);
    tui_put(scr, w, 0, x, t->status, scr->cols - x - 1 - tail_w, attr);
    wnoutrefresh(w);
}

/* First key name of a binding ("Up" of "Up, k"). */
static void first_key_name(const struct tui_binding *b, char *buf, size_t len)
{
    size_t n = strcspn(b->names, ",");
    snprintf(buf, len, "%.*s", (int)n, b->names);
}

/* Columns "KEY label  " takes in the hint line. */
static int hint_width(const struct tui_binding *b)
{
    char key[16];
    first_key_name(b, key, sizeof key);
    return tui_text_width(key) + 1 + tui_text_width(b->hint) + 2;
}

static int draw_hint(struct tui *t, int x, const char *key, const char *label)
{
    const struct tui_screen *scr = &t->scr;
    x += tui_put(scr, scr->hint, 0, x, key, scr->cols - x, scr->attrs[TUI_S_KEY]) + 1;
    return x + tui_put(scr, scr->hint, 0, x, label, scr->cols - x, scr->attrs[TUI_S_NORMAL]) + 2;
}

/* The key-hint line, from the bindings that have a hint label: help and quit always show at
 * the right end, the others from the left as far as they fit. */
static void draw_hints(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    enum tui_scope scope = t->views[t->current].ops->scope;
    int n, right_w = 0;
    const struct tui_binding *all = tui_bindings(&n);
    char key[16];
    werase(scr->hint);
    for (int i = 0; i < n; i++)
        if (all[i].hint && (all[i].action == TUI_ACT_HELP || all[i].action == TUI_ACT_QUIT))
            right_w += hint_width(&all[i]);
    int x = draw_hint(t, 1, scr->g.unicode ? "\u2191\u2193" : "j/k", "move");
    for (int i = 0; i < n; i++) {
        const struct tui_binding *b = &all[i];
        if (!b->hint || b->action == TUI_ACT_HELP || b->action == TUI_ACT_QUIT ||
            (b->scope != TUI_SCOPE_GLOBAL && b->scope != scope))
            continue;
        if (x + hint_width(b) > scr->cols - right_w)
            continue;
        first_key_name(b, key, sizeof key);
        x = draw_hint(t, x, key, b->hint);
    }
    x = scr->cols - right_w;
    for (int i = 0; i < n; i++)
        if (all[i].hint && (all[i].action == TUI_ACT_HELP || all[i].action == TUI_ACT_QUIT)) {
            first_key_name(&all[i], key, sizeof key);
            x = draw_hint(t, x, key, all[i].hint);
        }
    wnoutrefresh(scr->hint);
}

/* Draws what is flagged, overlays last, then one doupdate. */
static void render(struct tui *t)
{
    if (!t->dirty)
        return;
    if (t->scr.too_small) {
        tui_screen_draw_too_small(&t->scr);
        doupdate();
        t->dirty = 0;
        return;
    }
    if (t->dirty & TUI_DIRTY_TITLE)
        draw_title(t);
    if (t->dirty & TUI_DIRTY_MAIN)
        draw_main(t);
    if (t->dirty & TUI_DIRTY_STRIP)
        tui_strip_draw(t);
    if (t->dirty & TUI_DIRTY_STATUS) {
        draw_status(t);
        if (!t->prompt)
            draw_hints(t);
    }
    if (t->menu)
        tui_menu_draw(t);
    if (t->prompt) {
        if (t->dirty & TUI_DIRTY_MAIN)
            tui_prompt_draw_matches(t);
        tui_prompt_draw(t); /* last: it leaves the cursor in the prompt */
    }
    doupdate();
    t->dirty = 0;
}

/* The screen while the worker loads and trains: a progress bar, never a blank screen. */
static void draw_loading(struct tui *t, const char *stage, double fraction, long bad_lines)
{
    const struct tui_screen *scr = &t->scr;
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    if (scr->too_small) {
        tui_screen_draw_too_small(scr);
        doupdate();
        return;
    }
    werase(stdscr);
    tui_fill(stdscr, 0, 0, cols, scr->attrs[TUI_S_BAR]);
    tui_put(scr, stdscr, 0, 1, "movierec", cols - 2, scr->attrs[TUI_S_BAR]);
    int y = rows / 2 - 3, x = 4, bar_w = cols - 2 * x - 7;
    tui_put(scr, stdscr, y, x, "Getting ready", cols - 2 * x, scr->attrs[TUI_S_HEADING]);
    tui_put(scr, stdscr, y + 1, x,
            "The first start trains the models (once; later starts read them from the cache).",
            cols - 2 * x, scr->attrs[TUI_S_DIM]);
    int filled = (int)(fraction * bar_w + 0.5);
    wattrset(stdscr, scr->attrs[TUI_S_CHART]);
    for (int i = 0; i < bar_w; i++)
        mvwaddstr(stdscr, y + 3, x + i,
                  i < filled ? scr->g.block : (scr->g.unicode ? "\u2591" : "."));
    wattrset(stdscr, A_NORMAL);
    char pct[16];
    snprintf(pct, sizeof pct, "%3d%%", (int)(fraction * 100 + 0.5));
    tui_put(scr, stdscr, y + 3, x + bar_w + 2, pct, 5, A_BOLD);
    tui_put(scr, stdscr, y + 4, x, stage, cols - 2 * x, scr->attrs[TUI_S_NORMAL]);
    if (bad_lines > 0) {
        char msg[96];
        snprintf(msg, sizeof msg, "%ld warning%s while loading (listed after exit)", bad_lines,
                 bad_lines == 1 ? "" : "s");
        tui_put(scr, stdscr, y + 6, x, msg, cols - 2 * x, scr->attrs[TUI_S_ERROR]);
    }
    tui_put(scr, stdscr, rows - 1, 1, "q quits", cols - 2, scr->attrs[TUI_S_DIM]);
    wnoutrefresh(stdscr);
    doupdate();
}

/* ---- keys ---- */

static void change_by_half(struct tui *t, int32_t item, int delta)
{
    int cur = t->user->rated[item];
    if (!cur) {
        tui_status(t, 0, "Not rated yet: press 1-5 first, then + or - to adjust");
        return;
    }
    int next = cur + delta;
    if (next < 1 || next > 10) {
        tui_status(
            t, 0, next < 1 ? "0.5 is the lowest rating (0 removes it)" : "5 is the highest rating");
        return;
    }
    tui_rate(t, item, next);
}

/* The shared meaning of an action, after the current view declined it. */
static void common_action(struct tui *t, const struct tui_binding *b, int key)
{
    struct tui_view *v = &t->views[t->current];
    struct tui_list *l = v->ops->list ? v->ops->list(v->priv) : NULL;
    int32_t sel = tui_selected(t);
    switch (b->action) {
    case TUI_ACT_UP:
    case TUI_ACT_DOWN:
    case TUI_ACT_PAGE_UP:
    case TUI_ACT_PAGE_DOWN:
    case TUI_ACT_FIRST:
    case TUI_ACT_LAST:
        if (l && tui_list_move(l, b->action, t->scr.main_h - 1))
            t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
        break;
    case TUI_ACT_DETAILS:
        if (sel >= 0 || t->details_open) {
            t->details_open = !t->details_open;
            t->dirty = TUI_DIRTY_ALL;
        }
        break;
    case TUI_ACT_BACK:
        if (t->details_open) {
            t->details_open = 0;
            t->dirty = TUI_DIRTY_ALL;
        } else {
            tui_go_back(t);
        }
        break;
    case TUI_ACT_SEARCH:
        tui_search_start(t);
        break;
    case TUI_ACT_RATE:
        if (sel >= 0)
            tui_rate(t, sel, (key - '0') * 2);
        else
            tui_status(t, 0, "No film selected");
        break;
    case TUI_ACT_HALF_UP:
    case TUI_ACT_HALF_DOWN:
        if (sel >= 0)
            change_by_half(t, sel, b->action == TUI_ACT_HALF_UP ? 1 : -1);
        break;
    case TUI_ACT_UNRATE:
        if (sel >= 0 && t->user->rated[sel])
            tui_rate(t, sel, 0);
        else if (sel >= 0)
            tui_status(t, 0, "%s is not rated", tui_title(t, sel));
        break;
    case TUI_ACT_UNDO:
        tui_undo(t);
        break;
    case TUI_ACT_SIMILAR:
        tui_similar_show(t, sel);
        break;
    case TUI_ACT_SIMILAR_TO:
        tui_similar_prompt(t);
        break;
    case TUI_ACT_RECS:
        tui_switch(t, TUI_VIEW_RECS);
        break;
    case TUI_ACT_RATINGS:
        tui_switch(t, TUI_VIEW_RATINGS);
        break;
    case TUI_ACT_BROWSE:
        tui_switch(t, TUI_VIEW_BROWSE);
        break;
    case TUI_ACT_ONBOARD:
        tui_switch(t, TUI_VIEW_ONBOARD);
        break;
    case TUI_ACT_HELP:
        tui_switch(t, TUI_VIEW_HELP);
        break;
    case TUI_ACT_SORT:
        tui_browse_cycle_sort(t);
        break;
    case TUI_ACT_GENRE:
        tui_browse_genre_menu(t);
        break;
    case TUI_ACT_DECADE:
        tui_browse_decade_menu(t);
        break;
    case TUI_ACT_REDRAW:
        clearok(curscr, TRUE);
        t->dirty = TUI_DIRTY_ALL;
        break;
    case TUI_ACT_QUIT:
        t->quit = 1;
        break;
    default:
        break;
    }
}

static void dispatch(struct tui *t, int key)
{
    struct tui_view *v = &t->views[t->current];
    const struct tui_binding *b = tui_key_lookup(key, v->ops->scope);
    if (t->menu && tui_menu_key(t, b))
        return;
    if (!b) {
        tui_status(t, 0, "That key does nothing here: press ? for the list of keys");
        return;
    }
    if (v->ops->key && v->ops->key(t, v->priv, b, key))
        return;
    common_action(t, b, key);
}

/* ---- start and end ---- */

static int create_views(struct tui *t)
{
    for (int i = 0; i < TUI_VIEW_COUNT; i++) {
        t->views[i].ops = view_ops[i];
        t->views[i].priv = view_ops[i]->create(t);
        if (!t->views[i].priv)
            return -1;
    }
    return 0;
}

static void destroy_views(struct tui *t)
{
    for (int i = 0; i < TUI_VIEW_COUNT; i++)
        if (t->views[i].ops && t->views[i].ops->destroy)
            t->views[i].ops->destroy(t->views[i].priv);
    memset(t->views, 0, sizeof t->views);
}

/* The session is ready: make the views and show the first one (getting started for a profile
 * with no ratings, else the catalog).  Returns 0 or -1 (out of memory). */
static int session_ready(struct tui *t, const struct mr_session_opts *opts)
{
    t->ds = mr_session_dataset(t->s);
    t->user = mr_session_user(t->s);
    if (create_views(t) < 0)
        return -1;
    enum tui_view_id first =
        opts->user_id <= 0 && t->user->n == 0 ? TUI_VIEW_ONBOARD : TUI_VIEW_BROWSE;
    t->current = first;
    if (t->views[first].ops->enter)
        t->views[first].ops->enter(t, t->views[first].priv);
    tui_refresh_top(t);
    if (first == TUI_VIEW_ONBOARD)
        tui_status(t, 0, "Welcome! Rate a few films you know; ? lists every key");
    else
        tui_status(t, 0, "Welcome back: %d films; ? lists every key", t->ds->catalog.n_movies);
    t->dirty = TUI_DIRTY_ALL;
    return 0;
}

/* Waits for one key (or the timeout); returns 0 when nothing came. */
static int read_key(struct tui *t, int timeout_ms, int *key_code, wint_t *ch)
{
    wtimeout(t->scr.input, timeout_ms);
    int r = wget_wch(t->scr.input, ch);
    if (r == ERR)
        return 0;
    *key_code = r == KEY_CODE_YES;
    return 1;
}

static void handle_key(struct tui *t, int key_code, wint_t ch)
{
    if (key_code && ch == KEY_RESIZE) {
        tui_screen_layout(&t->scr);
        tui_prompt_resize(t);
        t->dirty = TUI_DIRTY_ALL;
        return;
    }
    if (t->scr.too_small) { /* only quitting makes sense */
        if (!key_code && (ch == 'q' || ch == 3))
            t->quit = 1;
        return;
    }
    if (t->prompt) {
        tui_prompt_feed(t, key_code, ch);
        return;
    }
    /* Key codes and characters share the int of the key table; characters beyond ASCII are
     * bound to nothing, and must not alias a key code (U+0103 is KEY_UP's number). */
    if (!key_code && ch > 127)
        tui_status(t, 0, "That key does nothing here: press ? for the list of keys");
    else
        dispatch(t, (int)ch);
}

/* Runs the loop until quit.  Returns the exit code. */
/* Names the pending (unsaved) changes for the message at quit: "Heat (1995) 4.5 stars,
 * Up (2009) removed", cut with ", ..." when they do not all fit in buf. */
static void unsaved_films(const struct tui *t, char *buf, size_t len)
{
    size_t used = 0;
    buf[0] = '\0';
    int32_t item;
    int half;
    for (int i = 0; mr_session_pending_at(t->s, i, &item, &half, NULL) == 0; i++) {
        char one[160];
        const struct mr_movie *m = &t->ds->catalog.movies[item];
        const char *title = m->display ? m->display : m->title;
        if (half)
            snprintf(one, sizeof one, "%s%s %g stars", i ? ", " : "", title, half / 2.0);
        else
            snprintf(one, sizeof one, "%s%s removed", i ? ", " : "", title);
        if (used + strlen(one) + sizeof ", ..." > len) {
            snprintf(buf + used, len - used, "%s...", i ? ", " : "");
            return;
        }
        used += (size_t)snprintf(buf + used, len - used, "%s", one);
    }
}

static int run(struct tui *t, const struct mr_session_opts *opts)
{
    struct tui_loader loader;
    struct mr_error err;
    int loading = 1, status = 0;
    if (tui_loader_start(&loader, opts) < 0) {
        tui_term_restore();
        fprintf(stderr, "movierec: cannot start the loading thread\n");
        return 1;
    }
    while (!t->quit) {
        if (tui_term_signal()) {
            t->quit = 1;
            break;
        }
        if (loading) {
            char stage[96];
            double fraction;
            long bad;
            if (tui_loader_poll(&loader, stage, sizeof stage, &fraction, &bad)) {
                loading = 0;
                status = tui_loader_finish(&loader, &t->s, &err);
                if (status != MR_OK)
                    break;
                if (session_ready(t, opts) < 0) {
                    status = MR_ENOMEM;
                    mr_error_set(&err, MR_ENOMEM, NULL, 0, "out of memory");
                    break;
                }
                if (bad > 0)
                    tui_status(t, 0, "%ld warning%s while loading (listed after exit)", bad,
                               bad == 1 ? "" : "s");
            } else {
                draw_loading(t, stage, fraction, bad);
            }
        }
        if (!loading)
            render(t);
        int key_code;
        wint_t ch;
        if (!read_key(t, loading ? LOADING_POLL_MS : IDLE_POLL_MS, &key_code, &ch))
            continue;
        if (loading) {
            if (key_code && ch == KEY_RESIZE)
                tui_screen_layout(&t->scr);
            else if (!key_code && (ch == 'q' || ch == 3))
                t->quit = 1;
            continue;
        }
        handle_key(t, key_code, ch);
    }
    if (loading) {
        /* Quit while the worker still trains: nothing is half-written by us (the profile
         * journal and the cache are crash-safe), so leave without waiting for it. */
        tui_term_restore();
        _exit(0);
    }
    if (status == MR_OK && t->s && mr_session_pending(t->s) > 0 &&
        mr_session_flush(t->s, &err) != MR_OK) {
        /* Said after the screen is given back, with the exit status of a write error. */
        status = MR_EIO;
        char msg[300], films[200];
        mr_error_format(&err, msg, sizeof msg);
        unsaved_films(t, films, sizeof films);
        mr_error_set(&err, MR_EIO, NULL, 0, "%d rating change%s could not be saved: %s (%s)",
                     mr_session_pending(t->s), mr_session_pending(t->s) == 1 ? "" : "s", msg,
                     films);
    }
    tui_prompt_close(t);
    tui_menu_close(t);
    destroy_views(t);
    tui_screen_free(&t->scr);
    tui_term_restore();
    if (status != MR_OK) {
        char msg[1100];
        mr_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "movierec: %s\n", msg);
    }
    mr_session_close(t->s);
    t->s = NULL;
    tui_loader_free(&loader);
    return status;
}

int tui_main(const struct mr_session_opts *opts)
{
    struct tui *t;
    /* The person's locale for text; like the CLI, a UTF-8 fallback when it has none; numbers
     * stay in the C locale so files are never written with a decimal comma. */
    setlocale(LC_ALL, "");
    if (MB_CUR_MAX == 1)
        setlocale(LC_CTYPE, "C.UTF-8");
    setlocale(LC_NUMERIC, "C");
    if (tui_term_start() < 0)
        return 1;
    t = calloc(1, sizeof *t);
    if (!t || tui_screen_init(&t->scr) < 0) {
        tui_term_restore();
        fprintf(stderr, "movierec: out of memory\n");
        free(t);
        return 1;
    }
    profile_label(opts, t->profile_label, sizeof t->profile_label);
    tui_screen_layout(&t->scr);
    tui_prompt_init();
    int rc = run(t, opts);
    tui_prompt_finish();
    free(t);
    return rc;
}
