/* app.h — the interface's state (struct tui) and the actions every view shares: rating the
 * selected film, undo, switching views, the status message, the top-5 strip.
 *
 * One struct tui lives for one tui_main() call; every view gets it as its first argument.
 * The session is owned by it from the moment loading finishes. */
#ifndef MOVIEREC_TUI_APP_H
#define MOVIEREC_TUI_APP_H

#include <stdint.h>

#include "movierec/session.h"
#include "keys.h"
#include "screen.h"

/* Parts of the screen that need drawing before the next key is read. */
enum tui_dirty {
    TUI_DIRTY_TITLE = 1 << 0,
    TUI_DIRTY_MAIN = 1 << 1, /* list and detail panes, or a wide view */
    TUI_DIRTY_STRIP = 1 << 2,
    TUI_DIRTY_STATUS = 1 << 3, /* status line and key hints (or the prompt) */
    TUI_DIRTY_ALL = 0xff
};

enum tui_view_id {
    TUI_VIEW_BROWSE,
    TUI_VIEW_SEARCH,
    TUI_VIEW_RECS,
    TUI_VIEW_SIMILAR,
    TUI_VIEW_RATINGS,
    TUI_VIEW_ONBOARD,
    TUI_VIEW_HELP,
    TUI_VIEW_COUNT
};

#define TUI_TOP_N       5
#define TUI_UNDO_DEPTH  64
#define TUI_BACK_DEPTH  16
#define TUI_STATUS_SIZE 256

struct tui_view_ops;
struct tui_prompt;
struct tui_menu;

struct tui_view {
    const struct tui_view_ops *ops;
    void *priv; /* the view's own state, from ops->create */
};

struct tui {
    struct mr_session *s; /* owned; NULL while loading */
    const struct mr_dataset *ds;
    const struct mr_user *user;
    char profile_label[96]; /* "profile default" or "user 12 (read-only)" */

    struct tui_screen scr;
    int dirty;        /* enum tui_dirty bits */
    int quit;         /* set by q or a signal: the loop ends */
    int details_open; /* Enter: the detail pane fills the main area */

    struct tui_view views[TUI_VIEW_COUNT];
    enum tui_view_id current;
    enum tui_view_id back[TUI_BACK_DEPTH]; /* where Esc returns to */
    int n_back;

    struct mr_rec top[TUI_TOP_N]; /* the strip */
    int n_top;

    char status[TUI_STATUS_SIZE]; /* result of the last action */
    char status_tail[64];         /* kept visible at the right: "recommendations updated in…" */
    int status_error;

    int32_t undo_items[TUI_UNDO_DEPTH]; /* items changed, newest last, to name what undo reverts */
    int n_undo;

    struct tui_prompt *prompt; /* open prompt, or NULL */
    struct tui_menu *menu;     /* open menu, or NULL */
};

/* Sets the status line message (printf format) and clears its tail; error messages are shown
 * in the error style. */
void tui_status(struct tui *t, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Recomputes the top-5 strip from the session and flags it for drawing. */
void tui_refresh_top(struct tui *t);

/* The catalog item under the cursor of the current view, or -1 when none. */
int32_t tui_selected(const struct tui *t);

/* Sets the rating of item to half (0 removes it) through the session: on disk first, then
 * the models and the strip are updated and the status line says so, with the time taken.
 * A failure is shown in the status line.  Returns MR_OK or the session's error. */
int tui_rate(struct tui *t, int32_t item, int half);

/* Undoes the last rating change (status line says what was reverted, or that there is none). */
void tui_undo(struct tui *t);

/* Leaves the current view and enters view id; the current one is remembered for Esc. */
void tui_switch(struct tui *t, enum tui_view_id id);

/* Returns to the view before the current one (browse when there is none). */
void tui_go_back(struct tui *t);

/* The private state of view id (as created by its ops). */
void *tui_view_priv(const struct tui *t, enum tui_view_id id);

/* Display title of item, or "?" when out of range. */
const char *tui_title(const struct tui *t, int32_t item);

#endif
