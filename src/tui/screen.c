/* screen.c — layout, windows, colours and width-aware text drawing. */
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "screen.h"

static const struct tui_glyphs glyphs_unicode = {
    1,
    "\u2605",
    "\u2026",
    " \u00b7 ",
    "\u2502",
    {" ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588"},
    "\u2588",
    "\u00bd",
    {"\u2500", "\u2502", "\u250c", "\u2510", "\u2514", "\u2518"},
};

static const struct tui_glyphs glyphs_ascii = {
    0,     "*",  "~",
    " - ", "|",  {" ", ".", ".", "_", "_", "=", "=", "#", "#"},
    "#",   ".5", {"-", "|", "+", "+", "+", "+"},
};

enum {
    PAIR_BAR = 1,
    PAIR_SELECTED,
    PAIR_HEADING,
    PAIR_STAR,
    PAIR_CHART,
    PAIR_KEY,
    PAIR_ERROR,
    PAIR_GOOD,
    PAIR_DIM
};

/* 1 when the NO_COLOR convention (https://no-color.org) asks for no colour. */
static int no_color_requested(void)
{
    const char *v = getenv("NO_COLOR");
    return v && *v;
}

static void init_styles(struct tui_screen *scr)
{
    int *a = scr->attrs;
    a[TUI_S_NORMAL] = A_NORMAL;
    scr->colors = has_colors() && !no_color_requested();
    if (scr->colors && start_color() == OK) {
        int bg = use_default_colors() == OK ? -1 : COLOR_BLACK;
        init_pair(PAIR_BAR, COLOR_WHITE, COLOR_BLUE);
        init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_CYAN);
        init_pair(PAIR_HEADING, COLOR_YELLOW, bg);
        init_pair(PAIR_STAR, COLOR_YELLOW, bg);
        init_pair(PAIR_CHART, COLOR_GREEN, bg);
        init_pair(PAIR_KEY, COLOR_CYAN, bg);
        init_pair(PAIR_ERROR, COLOR_RED, bg);
        init_pair(PAIR_GOOD, COLOR_GREEN, bg);
        init_pair(PAIR_DIM, COLOR_BLUE, bg);
        a[TUI_S_BAR] = (int)(COLOR_PAIR(PAIR_BAR) | A_BOLD);
        a[TUI_S_SELECTED] = (int)COLOR_PAIR(PAIR_SELECTED);
        a[TUI_S_HEADING] = (int)(COLOR_PAIR(PAIR_HEADING) | A_BOLD);
        a[TUI_S_DIM] = (int)(COLOR_PAIR(PAIR_DIM) | A_BOLD);
        a[TUI_S_STAR] = (int)(COLOR_PAIR(PAIR_STAR) | A_BOLD);
        a[TUI_S_CHART] = (int)COLOR_PAIR(PAIR_CHART);
        a[TUI_S_KEY] = (int)(COLOR_PAIR(PAIR_KEY) | A_BOLD);
        a[TUI_S_ERROR] = (int)(COLOR_PAIR(PAIR_ERROR) | A_BOLD);
        a[TUI_S_GOOD] = (int)COLOR_PAIR(PAIR_GOOD);
    } else {
        scr->colors = 0;
        a[TUI_S_BAR] = A_REVERSE;
        a[TUI_S_SELECTED] = A_REVERSE;
        a[TUI_S_HEADING] = A_BOLD | A_UNDERLINE;
        a[TUI_S_DIM] = A_DIM;
        a[TUI_S_STAR] = A_BOLD;
        a[TUI_S_CHART] = A_NORMAL;
        a[TUI_S_KEY] = A_BOLD;
        a[TUI_S_ERROR] = A_BOLD;
        a[TUI_S_GOOD] = A_NORMAL;
    }
}

int tui_screen_init(struct tui_screen *scr)
{
    const char *codeset = nl_langinfo(CODESET);
    memset(scr, 0, sizeof *scr);
    scr->g = (codeset && strcmp(codeset, "UTF-8") == 0) ? glyphs_unicode : glyphs_ascii;
    init_styles(scr);
    scr->input = newwin(1, 1, 0, 0);
    if (!scr->input)
        return -1;
    keypad(scr->input, TRUE);
    return 0;
}

static void delete_window(WINDOW **w)
{
    if (*w) {
        delwin(*w);
        *w = NULL;
    }
}

static void delete_layout(struct tui_screen *scr)
{
    delete_window(&scr->title);
    delete_window(&scr->list);
    delete_window(&scr->detail);
    delete_window(&scr->main);
    delete_window(&scr->strip);
    delete_window(&scr->status);
    delete_window(&scr->hint);
}

int tui_screen_layout(struct tui_screen *scr)
{
    delete_layout(scr);
    getmaxyx(stdscr, scr->rows, scr->cols);
    scr->too_small = scr->rows < TUI_MIN_LINES || scr->cols < TUI_MIN_COLS;
    if (scr->too_small)
        return 0;
    scr->main_y = 1;
    scr->main_h = scr->rows - 1 - TUI_STRIP_LINES - 2;
    int detail_w = scr->cols * 45 / 100;
    if (detail_w < 27)
        detail_w = 27;
    scr->list_w = scr->cols - detail_w;
    scr->title = newwin(1, scr->cols, 0, 0);
    scr->list = newwin(scr->main_h, scr->list_w, scr->main_y, 0);
    scr->detail = newwin(scr->main_h, scr->cols - scr->list_w, scr->main_y, scr->list_w);
    scr->main = newwin(scr->main_h, scr->cols, scr->main_y, 0);
    scr->strip = newwin(TUI_STRIP_LINES, scr->cols, scr->main_y + scr->main_h, 0);
    scr->status = newwin(1, scr->cols, scr->rows - 2, 0);
    scr->hint = newwin(1, scr->cols, scr->rows - 1, 0);
    if (!scr->title || !scr->list || !scr->detail || !scr->main || !scr->strip || !scr->status ||
        !scr->hint) {
        delete_layout(scr);
        scr->too_small = 1;
        return -1;
    }
    return 0;
}

void tui_screen_free(struct tui_screen *scr)
{
    delete_layout(scr);
    delete_window(&scr->input);
}

void tui_screen_draw_too_small(const struct tui_screen *scr)
{
    char line[160];
    int rows, cols;
    getmaxyx(stdscr, rows, cols);
    werase(stdscr);
    snprintf(line, sizeof line, "Terminal too small: %dx%d.", cols, rows);
    tui_put(scr, stdscr, 0, 0, line, cols, A_BOLD);
    snprintf(line, sizeof line, "movierec needs at least %dx%d;", TUI_MIN_COLS, TUI_MIN_LINES);
    if (rows > 1)
        tui_put(scr, stdscr, 1, 0, line, cols, A_NORMAL);
    if (rows > 2)
        tui_put(scr, stdscr, 2, 0, "make the window larger.", cols, A_NORMAL);
    if (rows > 4)
        tui_put(scr, stdscr, 4, 0, "q quits.", cols, A_NORMAL);
    wnoutrefresh(stdscr);
}

/* Decodes the next character of s (n bytes left): its byte length and display width.
 * Invalid or non-printable characters are reported with width 1 and *ok = 0. */
static size_t next_char(const char *s, size_t n, mbstate_t *st, int *width, int *ok)
{
    wchar_t wc;
    size_t len = mbrtowc(&wc, s, n, st);
    if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
        memset(st, 0, sizeof *st);
        *width = 1;
        *ok = 0;
        return 1;
    }
    int w = wcwidth(wc);
    if (w < 0) {
        *width = 1;
        *ok = 0;
        return len;
    }
    *width = w;
    *ok = 1;
    return len;
}

int tui_text_width(const char *s)
{
    mbstate_t st;
    size_t n = strlen(s);
    int total = 0;
    memset(&st, 0, sizeof st);
    while (n > 0) {
        int w, ok;
        size_t len = next_char(s, n, &st, &w, &ok);
        total += w;
        s += len;
        n -= len;
    }
    return total;
}

int tui_put(const struct tui_screen *scr, WINDOW *w, int y, int x, const char *s, int maxw,
            int attr)
{
    if (maxw <= 0 || !w)
        return 0;
    int full = tui_text_width(s);
    int room = full > maxw ? maxw - 1 : maxw; /* keep a column for the ellipsis */
    int used = 0;
    mbstate_t st;
    size_t n = strlen(s);
    memset(&st, 0, sizeof st);
    wattrset(w, attr);
    wmove(w, y, x);
    while (n > 0) {
        int cw, ok;
        size_t len = next_char(s, n, &st, &cw, &ok);
        if (used + cw > room)
            break;
        if (ok)
            waddnstr(w, s, (int)len);
        else
            waddch(w, '?');
        used += cw;
        s += len;
        n -= len;
    }
    if (full > maxw) {
        waddstr(w, scr->g.ellipsis);
        used++;
    }
    wattrset(w, A_NORMAL);
    return used;
}

int tui_put_right(const struct tui_screen *scr, WINDOW *w, int y, int x_end, const char *s,
                  int maxw, int attr)
{
    int width = tui_text_width(s);
    if (width > maxw)
        width = maxw;
    return tui_put(scr, w, y, x_end - width, s, maxw, attr);
}

int tui_put_wrapped(const struct tui_screen *scr, WINDOW *w, int y, int x, const char *s, int width,
                    int max_lines, int attr)
{
    int lines = 0;
    size_t n = strlen(s);
    while (n > 0 && lines < max_lines && width > 0) {
        if (lines == max_lines - 1 || tui_text_width(s) <= width) {
            tui_put(scr, w, y + lines, x, s, width, attr);
            return lines + 1;
        }
        /* Take characters while they fit; break after the last space seen. */
        mbstate_t st;
        size_t pos = 0, brk = 0;
        int used = 0;
        memset(&st, 0, sizeof st);
        while (pos < n) {
            int cw, ok;
            size_t len = next_char(s + pos, n - pos, &st, &cw, &ok);
            if (used + cw > width)
                break;
            used += cw;
            pos += len;
            if (s[pos - 1] == ' ')
                brk = pos;
        }
        if (brk == 0)
            brk = pos > 0 ? pos : 1;
        char *part = strndup(s, brk);
        if (!part)
            return lines;
        tui_put(scr, w, y + lines, x, part, width, attr);
        free(part);
        lines++;
        s += brk;
        n -= brk;
        while (n > 0 && *s == ' ') {
            s++;
            n--;
        }
    }
    return lines;
}

void tui_frame(const struct tui_screen *scr, WINDOW *w, int attr)
{
    int h, width;
    getmaxyx(w, h, width);
    wattrset(w, attr);
    for (int x = 1; x < width - 1; x++) {
        mvwaddstr(w, 0, x, scr->g.frame[0]);
        mvwaddstr(w, h - 1, x, scr->g.frame[0]);
    }
    for (int y = 1; y < h - 1; y++) {
        mvwaddstr(w, y, 0, scr->g.frame[1]);
        mvwaddstr(w, y, width - 1, scr->g.frame[1]);
    }
    mvwaddstr(w, 0, 0, scr->g.frame[2]);
    mvwaddstr(w, 0, width - 1, scr->g.frame[3]);
    mvwaddstr(w, h - 1, 0, scr->g.frame[4]);
    /* The bottom-right cell: adding there would scroll a window; insert instead. */
    mvwinsstr(w, h - 1, width - 1, scr->g.frame[5]);
    wattrset(w, A_NORMAL);
}

void tui_fill(WINDOW *w, int y, int x, int n, int attr)
{
    if (!w || n <= 0)
        return;
    wattrset(w, attr);
    mvwhline(w, y, x, ' ', n);
    wattrset(w, A_NORMAL);
}

char *tui_stars(const struct tui_screen *scr, int half, char *buf, int len)
{
    if (!scr->g.unicode) {
        snprintf(buf, (size_t)len, "%.1f", half / 2.0);
        return buf;
    }
    buf[0] = '\0';
    for (int i = 0; i < half / 2; i++)
        strncat(buf, scr->g.star, (size_t)len - strlen(buf) - 1);
    if (half % 2)
        strncat(buf, scr->g.half, (size_t)len - strlen(buf) - 1);
    for (int i = (half + 1) / 2; i < 5; i++)
        strncat(buf, "\u2606", (size_t)len - strlen(buf) - 1); /* hollow star */
    return buf;
}
