/* screen.h — the screen's layout, its curses windows, colours, glyphs and text drawing
 * measured in display columns (wcwidth), shared by every view. */
#ifndef MOVIEREC_TUI_SCREEN_H
#define MOVIEREC_TUI_SCREEN_H

#include <curses.h>

/* Smallest terminal the layout works in; below it a plain notice is shown. */
#define TUI_MIN_COLS  60
#define TUI_MIN_LINES 16

/* Height of the always-visible "Top 5 for you" strip: a heading and five films. */
#define TUI_STRIP_LINES 6

enum tui_style {
    TUI_S_NORMAL,
    TUI_S_BAR,      /* title bar and status line */
    TUI_S_SELECTED, /* the cursor row */
    TUI_S_HEADING,  /* pane headings */
    TUI_S_DIM,      /* column headers, secondary text */
    TUI_S_STAR,     /* your ratings */
    TUI_S_CHART,    /* rating distribution bars */
    TUI_S_KEY,      /* key names in hints and help */
    TUI_S_ERROR,
    TUI_S_GOOD,
    TUI_S_COUNT
};

/* Strings drawn for symbols: Unicode when the locale is UTF-8, ASCII otherwise. */
struct tui_glyphs {
    int unicode;
    const char *star;     /* "★" */
    const char *ellipsis; /* "…" */
    const char *sep;      /* " · " */
    const char *vline;    /* pane separator "│" */
    const char *bars[9];  /* 0..8 eighths of a cell, for the rating chart */
    const char *block;    /* progress bar fill */
    const char *half;     /* "½" */
    const char *frame[6]; /* box: horizontal, vertical, top-left, top-right, bottom-left,
                             bottom-right */
};

struct tui_screen {
    int rows, cols;
    int too_small;
    int colors; /* 1 when colour is in use (terminal has it and NO_COLOR is not set) */
    struct tui_glyphs g;
    int attrs[TUI_S_COUNT];

    int main_y, main_h; /* the area between the title bar and the strip */
    int list_w;         /* list pane width; the detail pane takes the rest after a separator */
    WINDOW *title;      /* row 0 */
    WINDOW *list;       /* list pane */
    WINDOW *detail;     /* detail pane */
    WINDOW *main;       /* list + detail area as one window, for wide views */
    WINDOW *strip;      /* top 5 */
    WINDOW *status;     /* status line */
    WINDOW *hint;       /* key hints, or the prompt when one is open */
    WINDOW *input;      /* 1x1, never drawn: keys are read from it so that reading never
                           refreshes stdscr over the other windows */
};

/* Chooses glyphs and colours (NO_COLOR honoured) and creates the input window, after
 * initscr().  Returns 0, or -1 when curses cannot create the input window.  Without colour,
 * attributes (bold, reverse) are used. */
int tui_screen_init(struct tui_screen *scr);

/* (Re)creates the windows for the terminal's current size (after initscr or KEY_RESIZE).
 * When the terminal is below the minimum, too_small is set and no windows exist.
 * Returns 0, or -1 when curses cannot create a window (too_small is then set). */
int tui_screen_layout(struct tui_screen *scr);

/* Deletes every window, the input window too (safe to call twice). */
void tui_screen_free(struct tui_screen *scr);

/* Draws the "terminal too small" notice on stdscr. */
void tui_screen_draw_too_small(const struct tui_screen *scr);

/* Display width in columns of UTF-8 text s (invalid bytes and control characters count 1,
 * as they are drawn as '?'). */
int tui_text_width(const char *s);

/* Draws UTF-8 text s at (y, x) in at most maxw columns, cut with an ellipsis when longer.
 * Returns the columns used.  Nothing is drawn when maxw <= 0. */
int tui_put(const struct tui_screen *scr, WINDOW *w, int y, int x, const char *s, int maxw,
            int attr);

/* Like tui_put, but right-aligned so the text ends at column x_end (exclusive). */
int tui_put_right(const struct tui_screen *scr, WINDOW *w, int y, int x_end, const char *s,
                  int maxw, int attr);

/* Draws s word-wrapped into width columns from (y, x), at most max_lines lines (the last one
 * cut with an ellipsis when text remains).  Returns the lines used. */
int tui_put_wrapped(const struct tui_screen *scr, WINDOW *w, int y, int x, const char *s, int width,
                    int max_lines, int attr);

/* Draws a frame around the edge of w. */
void tui_frame(const struct tui_screen *scr, WINDOW *w, int attr);

/* Fills columns [x, x + n) of row y with spaces in attr. */
void tui_fill(WINDOW *w, int y, int x, int n, int attr);

/* Writes stars for half-star value half (1..10) into buf: "★★★½☆" when unicode (filled
 * stars, a half, hollow stars up to five), else "3.5".  Returns buf. */
char *tui_stars(const struct tui_screen *scr, int half, char *buf, int len);

#endif
