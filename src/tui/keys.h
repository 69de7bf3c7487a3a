/* keys.h — the key table: one list of bindings that drives dispatch, the help screen, the
 * key-hint line and the man page's KEYS section. */
#ifndef MOVIEREC_TUI_KEYS_H
#define MOVIEREC_TUI_KEYS_H

/* What a key asks for.  Views and the main loop act on these, never on raw key codes. */
enum tui_action {
    TUI_ACT_NONE,
    TUI_ACT_UP,
    TUI_ACT_DOWN,
    TUI_ACT_PAGE_UP,
    TUI_ACT_PAGE_DOWN,
    TUI_ACT_FIRST,
    TUI_ACT_LAST,
    TUI_ACT_DETAILS,
    TUI_ACT_BACK,
    TUI_ACT_SEARCH,
    TUI_ACT_RATE, /* stars = key - '0' */
    TUI_ACT_HALF_UP,
    TUI_ACT_HALF_DOWN,
    TUI_ACT_UNRATE,
    TUI_ACT_UNDO,
    TUI_ACT_SKIP, /* onboarding: "haven't seen it" */
    TUI_ACT_SIMILAR,
    TUI_ACT_SIMILAR_TO,
    TUI_ACT_RECS,
    TUI_ACT_RATINGS,
    TUI_ACT_BROWSE,
    TUI_ACT_ONBOARD,
    TUI_ACT_SORT,
    TUI_ACT_GENRE,
    TUI_ACT_DECADE,
    TUI_ACT_HELP,
    TUI_ACT_REDRAW,
    TUI_ACT_QUIT,
    TUI_ACT_PROMPT_DOC /* documentation only: keys that readline handles inside prompts */
};

/* Where a binding applies.  Dispatch looks at the current view's scope first, then GLOBAL. */
enum tui_scope {
    TUI_SCOPE_GLOBAL,
    TUI_SCOPE_ONBOARD, /* only on the onboarding screen */
    TUI_SCOPE_PROMPT   /* inside a prompt: handled by readline, listed for documentation */
};

#define TUI_KEYS_MAX 6

struct tui_binding {
    const char *group;      /* heading in the help screen and the man page */
    int keys[TUI_KEYS_MAX]; /* curses key codes or characters, 0-terminated */
    const char *names;      /* how people write them, ASCII: "Down, j" */
    enum tui_action action;
    enum tui_scope scope;
    const char *help; /* what it does, one line */
    const char *hint; /* label in the key-hint line ("search"), NULL = not shown there */
};

/* The whole table and its length.  The table is static data, never modified. */
const struct tui_binding *tui_bindings(int *n);

/* The binding of key in scope (a scoped binding wins over a global one), or NULL. */
const struct tui_binding *tui_key_lookup(int key, enum tui_scope scope);

#endif
