/* help.c — every key, generated from the key table (keys.c), grouped as in the man page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "view.h"

struct help {
    int top; /* first line shown */
};

static void *help_create(struct tui *t)
{
    (void)t;
    return calloc(1, sizeof(struct help));
}

static void help_destroy(void *priv)
{
    free(priv);
}

/* Lines the help text takes: a heading per group, a blank line before each but the first,
 * one line per binding. */
static int help_lines(void)
{
    int n, lines = 0;
    const struct tui_binding *all = tui_bindings(&n);
    for (int i = 0; i < n; i++) {
        if (i == 0 || strcmp(all[i].group, all[i - 1].group) != 0)
            lines += i == 0 ? 1 : 2;
        lines++;
    }
    return lines;
}

static int help_key(struct tui *t, void *priv, const struct tui_binding *b, int key)
{
    struct help *h = priv;
    int page = t->scr.main_h - 1;
    int max = help_lines() - page;
    (void)key;
    switch (b->action) {
    case TUI_ACT_UP:
        h->top--;
        break;
    case TUI_ACT_DOWN:
        h->top++;
        break;
    case TUI_ACT_PAGE_UP:
        h->top -= page;
        break;
    case TUI_ACT_PAGE_DOWN:
        h->top += page;
        break;
    case TUI_ACT_FIRST:
        h->top = 0;
        break;
    case TUI_ACT_LAST:
        h->top = max;
        break;
    case TUI_ACT_HELP:
    case TUI_ACT_DETAILS:
        tui_go_back(t);
        return 1;
    default:
        return 0;
    }
    if (h->top > max)
        h->top = max;
    if (h->top < 0)
        h->top = 0;
    t->dirty |= TUI_DIRTY_MAIN | TUI_DIRTY_TITLE;
    return 1;
}

static void help_draw(struct tui *t, void *priv, WINDOW *w)
{
    struct help *h = priv;
    const struct tui_screen *scr = &t->scr;
    int n, rows = scr->main_h, width = scr->cols, name_w = 0;
    const struct tui_binding *all = tui_bindings(&n);
    werase(w);
    for (int i = 0; i < n; i++) {
        int nw = tui_text_width(all[i].names);
        if (nw > name_w)
            name_w = nw;
    }
    int line = 0;
    for (int i = 0; i < n; i++) {
        if (i == 0 || strcmp(all[i].group, all[i - 1].group) != 0) {
            if (i > 0)
                line++;
            int y = line - h->top;
            if (y >= 0 && y < rows)
                tui_put(scr, w, y, 1, all[i].group, width - 2, scr->attrs[TUI_S_HEADING]);
            line++;
        }
        int y = line - h->top;
        if (y >= 0 && y < rows) {
            tui_put(scr, w, y, 3, all[i].names, name_w, scr->attrs[TUI_S_KEY]);
            tui_put(scr, w, y, 3 + name_w + 2, all[i].help, width - name_w - 6,
                    scr->attrs[TUI_S_NORMAL]);
        }
        line++;
    }
}

static void help_title(struct tui *t, void *priv, char *buf, size_t len)
{
    struct help *h = priv;
    int total = help_lines(), shown = t->scr.main_h;
    if (total > shown)
        snprintf(buf, len, "Help: every key (lines %d-%d of %d; Down/PgDn scroll, Esc closes)",
                 h->top + 1, h->top + shown < total ? h->top + shown : total, total);
    else
        snprintf(buf, len, "Help: every key (Esc closes)");
}

const struct tui_view_ops tui_help_ops = {
    .name = "help",
    .scope = TUI_SCOPE_GLOBAL,
    .wide = 1,
    .create = help_create,
    .key = help_key,
    .draw = help_draw,
    .title = help_title,
    .destroy = help_destroy,
};
