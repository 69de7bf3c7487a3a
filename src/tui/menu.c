/* menu.c — the pop-up option list. */
#include <stdlib.h>
#include <string.h>

#include "menu.h"
#include "view.h"

struct tui_menu {
    char title[64];
    char **labels;
    int n;
    struct tui_list list; /* rows 0..n-1: only the cursor and scrolling are used */
    tui_menu_fn choose;
};

void tui_menu_close(struct tui *t)
{
    struct tui_menu *m = t->menu;
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        free(m->labels[i]);
    free(m->labels);
    tui_list_free(&m->list);
    free(m);
    t->menu = NULL;
    t->dirty = TUI_DIRTY_ALL;
}

int tui_menu_open(struct tui *t, const char *title, char *const *labels, int n, int initial,
                  tui_menu_fn choose)
{
    tui_menu_close(t);
    struct tui_menu *m = calloc(1, sizeof *m);
    if (!m)
        return -1;
    m->labels = calloc((size_t)n, sizeof *m->labels);
    if (!m->labels) {
        free(m);
        return -1;
    }
    t->menu = m; /* from here tui_menu_close frees whatever was made */
    snprintf(m->title, sizeof m->title, "%s", title);
    m->choose = choose;
    for (int i = 0; i < n; i++) {
        m->labels[i] = strdup(labels[i]);
        if (!m->labels[i] || tui_list_push(&m->list, i) < 0) {
            m->n = i + 1;
            tui_menu_close(t);
            return -1;
        }
        m->n = i + 1;
    }
    m->list.cursor = initial >= 0 && initial < n ? initial : 0;
    t->dirty = TUI_DIRTY_ALL;
    return 0;
}

/* Rows the menu shows at once for the current screen. */
static int menu_rows(const struct tui *t)
{
    int rows = t->scr.main_h + TUI_STRIP_LINES - 2;
    return rows < 3 ? 3 : rows;
}

int tui_menu_key(struct tui *t, const struct tui_binding *b)
{
    struct tui_menu *m = t->menu;
    if (!b)
        return 1;
    if (b->action == TUI_ACT_QUIT || b->action == TUI_ACT_REDRAW)
        return 0;
    if (tui_list_move(&m->list, b->action, menu_rows(t))) {
        t->dirty = TUI_DIRTY_ALL;
        return 1;
    }
    if (b->action == TUI_ACT_DETAILS) {
        int choice = m->list.cursor;
        tui_menu_fn choose = m->choose;
        tui_menu_close(t);
        choose(t, choice);
    } else if (b->action == TUI_ACT_BACK) {
        tui_menu_close(t);
    }
    return 1;
}

void tui_menu_draw(struct tui *t)
{
    struct tui_menu *m = t->menu;
    const struct tui_screen *scr = &t->scr;
    if (!m || scr->too_small)
        return;
    int width = 0;
    for (int i = 0; i < m->n; i++) {
        int lw = tui_text_width(m->labels[i]);
        if (lw > width)
            width = lw;
    }
    int tw = tui_text_width(m->title);
    if (tw > width)
        width = tw;
    width += 6;
    if (width > scr->cols - 4)
        width = scr->cols - 4;
    int rows = menu_rows(t);
    if (rows > m->n)
        rows = m->n;
    int height = rows + 2;
    WINDOW *w = newwin(height, width, 1 + (scr->main_h + TUI_STRIP_LINES - height) / 2,
                       (scr->cols - width) / 2);
    if (!w)
        return;
    /* Keep the cursor row in view. */
    if (m->list.cursor < m->list.top)
        m->list.top = m->list.cursor;
    if (m->list.cursor >= m->list.top + rows)
        m->list.top = m->list.cursor - rows + 1;
    werase(w);
    tui_frame(scr, w, scr->attrs[TUI_S_KEY]);
    tui_put(scr, w, 0, 2, m->title, width - 4, scr->attrs[TUI_S_HEADING]);
    for (int r = 0; r < rows; r++) {
        int i = m->list.top + r;
        int attr = i == m->list.cursor ? scr->attrs[TUI_S_SELECTED] : scr->attrs[TUI_S_NORMAL];
        tui_fill(w, r + 1, 1, width - 2, attr);
        tui_put(scr, w, r + 1, 2, m->labels[i], width - 4, attr);
    }
    wnoutrefresh(w);
    delwin(w);
}
