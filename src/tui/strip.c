/* strip.c — the always-visible "Top 5 for you" strip: five films, each with one reason. */
#include <stdio.h>

#include "view.h"

void tui_strip_draw(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    WINDOW *w = scr->strip;
    int width = scr->cols;
    char head[160];
    werase(w);
    tui_fill(w, 0, 0, width, scr->attrs[TUI_S_HEADING] | A_REVERSE);
    int rated = t->user ? t->user->n : 0;
    if (rated == 0)
        snprintf(head, sizeof head, "Top 5 for you: popular picks until you rate a few films");
    else
        snprintf(head, sizeof head, "Top 5 for you (from your %d rating%s)", rated,
                 rated == 1 ? "" : "s");
    tui_put(scr, w, 0, 1, head, width - 2, scr->attrs[TUI_S_HEADING] | A_REVERSE);
    if (t->n_top == 0) {
        tui_put(scr, w, 2, 2, t->s ? "No recommendations yet." : "Loading...", width - 4,
                scr->attrs[TUI_S_DIM]);
        wnoutrefresh(w);
        return;
    }
    int title_w = width * 45 / 100;
    for (int i = 0; i < t->n_top && i < TUI_STRIP_LINES - 1; i++) {
        char num[8];
        int y = i + 1;
        snprintf(num, sizeof num, "%d", i + 1);
        tui_put(scr, w, y, 1, num, 2, scr->attrs[TUI_S_KEY]);
        tui_put(scr, w, y, 4, tui_title(t, t->top[i].item), title_w - 5, A_BOLD);
        tui_put(scr, w, y, title_w + 1, t->top[i].reason, width - title_w - 2,
                scr->attrs[TUI_S_NORMAL]);
    }
    wnoutrefresh(w);
}
