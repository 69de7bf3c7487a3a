/* list.c — the scrollable list of films every list view shows, and its cursor. */
#include <stdio.h>
#include <stdlib.h>

#include "view.h"

int tui_list_push(struct tui_list *l, int32_t item)
{
    if (l->n == l->cap) {
        int cap = l->cap ? l->cap * 2 : 64;
        int32_t *items = realloc(l->items, (size_t)cap * sizeof *items);
        if (!items)
            return -1;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = item;
    return 0;
}

void tui_list_clear(struct tui_list *l)
{
    l->n = 0;
    l->cursor = 0;
    l->top = 0;
}

void tui_list_free(struct tui_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = l->cursor = l->top = 0;
}

int tui_list_move(struct tui_list *l, enum tui_action a, int page)
{
    if (page < 1)
        page = 1;
    switch (a) {
    case TUI_ACT_UP:
        l->cursor--;
        break;
    case TUI_ACT_DOWN:
        l->cursor++;
        break;
    case TUI_ACT_PAGE_UP:
        l->cursor -= page;
        l->top -= page;
        break;
    case TUI_ACT_PAGE_DOWN:
        l->cursor += page;
        l->top += page;
        break;
    case TUI_ACT_FIRST:
        l->cursor = 0;
        break;
    case TUI_ACT_LAST:
        l->cursor = l->n - 1;
        break;
    default:
        return 0;
    }
    if (l->cursor >= l->n)
        l->cursor = l->n - 1;
    if (l->cursor < 0)
        l->cursor = 0;
    if (l->top < 0)
        l->top = 0;
    return 1;
}

int32_t tui_list_selected(const struct tui_list *l)
{
    if (!l || l->n == 0 || l->cursor < 0 || l->cursor >= l->n)
        return -1;
    return l->items[l->cursor];
}

/* Keeps the cursor inside the visible rows [top, top + rows). */
static void scroll_to_cursor(struct tui_list *l, int rows)
{
    if (rows < 1)
        rows = 1;
    if (l->top > l->cursor)
        l->top = l->cursor;
    if (l->cursor >= l->top + rows)
        l->top = l->cursor - rows + 1;
    if (l->top > l->n - rows)
        l->top = l->n - rows;
    if (l->top < 0)
        l->top = 0;
}

void tui_list_draw(struct tui *t, WINDOW *w, struct tui_list *l, const char *right_header,
                   int right_w, tui_row_fn row_fn, void *priv, const char *empty_text)
{
    const struct tui_screen *scr = &t->scr;
    int h, width;
    getmaxyx(w, h, width);
    const int lead = 5; /* "★4.5 " */
    int title_w = width - lead - right_w - 2;
    int rows = h - 1;

    tui_fill(w, 0, 0, width, scr->attrs[TUI_S_DIM]);
    tui_put(scr, w, 0, 0, "you", lead, scr->attrs[TUI_S_DIM]);
    tui_put(scr, w, 0, lead, "title", title_w, scr->attrs[TUI_S_DIM]);
    tui_put_right(scr, w, 0, width - 1, right_header, right_w, scr->attrs[TUI_S_DIM]);
    if (l->n == 0) {
        tui_put(scr, w, 2, 1, empty_text, width - 2, scr->attrs[TUI_S_DIM]);
        return;
    }
    scroll_to_cursor(l, rows);
    for (int r = 0; r < rows && l->top + r < l->n; r++) {
        int i = l->top + r;
        int32_t item = l->items[i];
        int y = r + 1;
        int selected = i == l->cursor;
        int base = selected ? scr->attrs[TUI_S_SELECTED] : scr->attrs[TUI_S_NORMAL];
        char buf[96];

        tui_fill(w, y, 0, width, base);
        int half = t->user && item >= 0 && item < t->user->n_items ? t->user->rated[item] : 0;
        if (half) {
            snprintf(buf, sizeof buf, "%s%.1f", scr->g.star, half / 2.0);
            tui_put(scr, w, y, 0, buf, lead - 1, selected ? base : scr->attrs[TUI_S_STAR]);
        }
        tui_put(scr, w, y, lead, tui_title(t, item), title_w, base);
        buf[0] = '\0';
        row_fn(t, priv, i, buf, sizeof buf);
        tui_put_right(scr, w, y, width - 1, buf, right_w, base);
    }
}
