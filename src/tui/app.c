/* app.c — actions shared by every view: rating, undo, switching views, the status line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "view.h"

void tui_status(struct tui *t, int error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->status, sizeof t->status, fmt, ap);
    va_end(ap);
    t->status_tail[0] = '\0';
    t->status_error = error;
    t->dirty |= TUI_DIRTY_STATUS;
}

void tui_refresh_top(struct tui *t)
{
    t->n_top = t->s ? mr_session_recommend(t->s, TUI_TOP_N, t->top) : 0;
    if (t->n_top < 0)
        t->n_top = 0;
    t->dirty |= TUI_DIRTY_STRIP;
}

int32_t tui_selected(const struct tui *t)
{
    const struct tui_view *v = &t->views[t->current];
    if (!v->ops || !v->ops->list || !v->priv)
        return -1;
    return tui_list_selected(v->ops->list(v->priv));
}

const char *tui_title(const struct tui *t, int32_t item)
{
    if (!t->ds || item < 0 || item >= t->ds->catalog.n_movies)
        return "?";
    const struct mr_movie *m = &t->ds->catalog.movies[item];
    return m->display ? m->display : m->title;
}

/* "0.42 ms", "3.1 ms", "120 ms": enough digits to be read at a glance. */
static void format_ms(double ms, char *buf, size_t len)
{
    if (ms >= 10)
        snprintf(buf, len, "%.0f ms", ms);
    else if (ms >= 1)
        snprintf(buf, len, "%.1f ms", ms);
    else
        snprintf(buf, len, "%.2f ms", ms);
}

int tui_rate(struct tui *t, int32_t item, int half)
{
    struct mr_error err;
    char took[32];
    mr_error_clear(&err);
    if (!t->s || item < 0)
        return MR_EUSAGE;
    int rc = mr_session_rate(t->s, item, half, &err);
    if (rc != MR_OK) {
        const char *msg = err.msg[0] ? err.msg : "the rating could not be written";
        if (rc == MR_EIO && mr_session_pending(t->s) > 0)
            tui_status(t, 1, "Not saved yet (%s); it is retried with your next rating and at quit",
                       msg);
        else
            tui_status(t, 1, "Not saved: %s", msg);
        return rc;
    }
    if (t->n_undo == TUI_UNDO_DEPTH) {
        memmove(t->undo_items, t->undo_items + 1, (TUI_UNDO_DEPTH - 1) * sizeof t->undo_items[0]);
        t->n_undo--;
    }
    t->undo_items[t->n_undo++] = item;
    tui_refresh_top(t);
    format_ms(mr_session_last_update_ms(t->s), took, sizeof took);
    if (half == 0)
        tui_status(t, 0, "Rating removed: %s", tui_title(t, item));
    else
        tui_status(t, 0, "Rated %.1f%s: %s", half / 2.0, t->scr.g.star, tui_title(t, item));
    snprintf(t->status_tail, sizeof t->status_tail, "recommendations updated in %s", took);
    t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
    return MR_OK;
}

void tui_undo(struct tui *t)
{
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_session_undo(t->s, &err);
    if (rc == MR_ENOTFOUND) {
        tui_status(t, 0, "Nothing to undo");
        return;
    }
    if (rc != MR_OK) {
        tui_status(t, 1, "Undo failed: %s", err.msg);
        return;
    }
    tui_refresh_top(t);
    t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
    if (t->n_undo == 0) {
        tui_status(t, 0, "Undid the last rating change");
        return;
    }
    int32_t item = t->undo_items[--t->n_undo];
    int half = t->user->rated[item];
    if (half)
        tui_status(t, 0, "Undone: back to %.1f%s for %s", half / 2.0, t->scr.g.star,
                   tui_title(t, item));
    else
        tui_status(t, 0, "Undone: no rating for %s", tui_title(t, item));
}

void *tui_view_priv(const struct tui *t, enum tui_view_id id)
{
    return t->views[id].priv;
}

static void activate(struct tui *t, enum tui_view_id id)
{
    struct tui_view *v = &t->views[id];
    t->current = id;
    t->details_open = 0;
    if (v->ops->enter)
        v->ops->enter(t, v->priv);
    t->dirty = TUI_DIRTY_ALL;
}

void tui_switch(struct tui *t, enum tui_view_id id)
{
    struct tui_view *cur = &t->views[t->current];
    if (id == t->current) { /* entering again refreshes it */
        activate(t, id);
        return;
    }
    if (cur->ops->leave)
        cur->ops->leave(t, cur->priv);
    if (t->n_back == TUI_BACK_DEPTH) {
        memmove(t->back, t->back + 1, (TUI_BACK_DEPTH - 1) * sizeof t->back[0]);
        t->n_back--;
    }
    t->back[t->n_back++] = t->current;
    activate(t, id);
}

void tui_go_back(struct tui *t)
{
    enum tui_view_id id = t->n_back > 0 ? t->back[--t->n_back] : TUI_VIEW_BROWSE;
    struct tui_view *cur = &t->views[t->current];
    if (id == t->current)
        return;
    if (cur->ops->leave)
        cur->ops->leave(t, cur->priv);
    t->current = id;
    t->details_open = 0;
    t->dirty = TUI_DIRTY_ALL; /* the view comes back as it was left, not refreshed */
}
