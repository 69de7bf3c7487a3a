/* keys.c — the one key table.  Dispatch and the key-hint line (tui.c), the help screen (help.c)
 * and the man page's KEYS section (tui_keys_man) are all generated from it. */
#include <curses.h>
#include <string.h>

#include "keys.h"
#include "tui.h"

#define CTRL_KEY(c) ((c)&0x1f)
#define ESC_KEY     27

/* One entry per binding: group, keys, names, action, scope, then its help text and its label
 * in the key-hint line (NULL: not shown there). */
/* clang-format off */
static const struct tui_binding bindings[] = {
    {"Moving", {KEY_UP, 'k'}, "Up, k", TUI_ACT_UP, TUI_SCOPE_GLOBAL,
     "Move up.", NULL},
    {"Moving", {KEY_DOWN, 'j'}, "Down, j", TUI_ACT_DOWN, TUI_SCOPE_GLOBAL,
     "Move down.", NULL},
    {"Moving", {KEY_PPAGE}, "PgUp", TUI_ACT_PAGE_UP, TUI_SCOPE_GLOBAL,
     "Move one page up.", NULL},
    {"Moving", {KEY_NPAGE}, "PgDn", TUI_ACT_PAGE_DOWN, TUI_SCOPE_GLOBAL,
     "Move one page down.", NULL},
    {"Moving", {KEY_HOME}, "Home", TUI_ACT_FIRST, TUI_SCOPE_GLOBAL,
     "Go to the first film.", NULL},
    {"Moving", {KEY_END}, "End", TUI_ACT_LAST, TUI_SCOPE_GLOBAL,
     "Go to the last film.", NULL},
    {"Moving", {'\n', '\r', KEY_ENTER}, "Enter", TUI_ACT_DETAILS, TUI_SCOPE_GLOBAL,
     "Show or hide the full details of the selected film.", "details"},
    {"Moving", {ESC_KEY}, "Esc", TUI_ACT_BACK, TUI_SCOPE_GLOBAL,
     "Close the details or a menu; go back to the previous list.", NULL},

    {"Rating", {'1', '2', '3', '4', '5'}, "1-5", TUI_ACT_RATE, TUI_SCOPE_GLOBAL,
     "Rate the selected film that many stars (saved at once).", "rate"},
    {"Rating", {'+', '='}, "+, =", TUI_ACT_HALF_UP, TUI_SCOPE_GLOBAL,
     "Raise your rating of the selected film by half a star.", NULL},
    {"Rating", {'-'}, "-", TUI_ACT_HALF_DOWN, TUI_SCOPE_GLOBAL,
     "Lower your rating of the selected film by half a star.", NULL},
    {"Rating", {'0'}, "0", TUI_ACT_UNRATE, TUI_SCOPE_GLOBAL,
     "Remove your rating of the selected film.", NULL},
    {"Rating", {'u'}, "u", TUI_ACT_UNDO, TUI_SCOPE_GLOBAL,
     "Undo the last rating change.", "undo"},
    {"Rating", {'n'}, "n", TUI_ACT_SKIP, TUI_SCOPE_ONBOARD,
     "On the getting-started screen: haven't seen it, ask about another film.", "not seen"},

    {"Lists", {'/'}, "/", TUI_ACT_SEARCH, TUI_SCOPE_GLOBAL,
     "Search titles; the results update as you type, Enter keeps them.", "search"},
    {"Lists", {'r'}, "r", TUI_ACT_RECS, TUI_SCOPE_GLOBAL,
     "Your recommendations, best first, with the reason for each.", "for you"},
    {"Lists", {'s'}, "s", TUI_ACT_SIMILAR, TUI_SCOPE_GLOBAL,
     "Films most similar to the selected one.", "similar"},
    {"Lists", {'S'}, "S", TUI_ACT_SIMILAR_TO, TUI_SCOPE_GLOBAL,
     "Films similar to a title you type (Tab completes titles).", NULL},
    {"Lists", {'m'}, "m", TUI_ACT_RATINGS, TUI_SCOPE_GLOBAL,
     "My ratings, newest first; rate or remove in place.", "mine"},
    {"Lists", {'b'}, "b", TUI_ACT_BROWSE, TUI_SCOPE_GLOBAL,
     "Browse the whole catalog.", "browse"},
    {"Lists", {'a'}, "a", TUI_ACT_ONBOARD, TUI_SCOPE_GLOBAL,
     "Getting started: rate films proposed one at a time.", NULL},
    {"Lists", {'o'}, "o", TUI_ACT_SORT, TUI_SCOPE_GLOBAL,
     "Browse: cycle the order (popularity, mean rating, year, title).", NULL},
    {"Lists", {'f'}, "f", TUI_ACT_GENRE, TUI_SCOPE_GLOBAL,
     "Browse: filter by genre (a menu).", NULL},
    {"Lists", {'d'}, "d", TUI_ACT_DECADE, TUI_SCOPE_GLOBAL,
     "Browse: filter by decade (a menu).", NULL},

    {"In prompts", {0}, "Tab", TUI_ACT_PROMPT_DOC, TUI_SCOPE_PROMPT,
     "Complete a title (Similar to prompt); when several match, they are listed.", NULL},
    {"In prompts", {0}, "Up, Down", TUI_ACT_PROMPT_DOC, TUI_SCOPE_PROMPT,
     "Earlier and later entries of the prompt history.", NULL},
    {"In prompts", {0}, "Enter", TUI_ACT_PROMPT_DOC, TUI_SCOPE_PROMPT,
     "Accept the text.", NULL},
    {"In prompts", {0}, "Esc", TUI_ACT_PROMPT_DOC, TUI_SCOPE_PROMPT,
     "Cancel the prompt.", NULL},

    {"Other", {'?'}, "?", TUI_ACT_HELP, TUI_SCOPE_GLOBAL,
     "This help: every key.", "help"},
    {"Other", {CTRL_KEY('l')}, "Ctrl-L", TUI_ACT_REDRAW, TUI_SCOPE_GLOBAL,
     "Redraw the screen.", NULL},
    {"Other", {'q', CTRL_KEY('c')}, "q, Ctrl-C", TUI_ACT_QUIT, TUI_SCOPE_GLOBAL,
     "Quit (each rating was saved when it was made).", "quit"},
};
/* clang-format on */

const struct tui_binding *tui_bindings(int *n)
{
    *n = (int)(sizeof bindings / sizeof bindings[0]);
    return bindings;
}

static int binding_has_key(const struct tui_binding *b, int key)
{
    for (int i = 0; i < TUI_KEYS_MAX && b->keys[i] != 0; i++)
        if (b->keys[i] == key)
            return 1;
    return 0;
}

const struct tui_binding *tui_key_lookup(int key, enum tui_scope scope)
{
    const struct tui_binding *global = NULL;
    int n;
    const struct tui_binding *all = tui_bindings(&n);
    for (int i = 0; i < n; i++) {
        if (all[i].scope == TUI_SCOPE_PROMPT || !binding_has_key(&all[i], key))
            continue;
        if (all[i].scope == scope && scope != TUI_SCOPE_GLOBAL)
            return &all[i];
        if (all[i].scope == TUI_SCOPE_GLOBAL && !global)
            global = &all[i];
    }
    return global;
}

/* Writes text with roff's special characters escaped ('-' as \-, '\' as \e, a leading
 * '.' or '\'' guarded by \&).  Returns 0 or -1. */
static int man_escaped(FILE *out, const char *text)
{
    if (text[0] == '.' || text[0] == '\'')
        if (fputs("\\&", out) == EOF)
            return -1;
    for (const char *p = text; *p; p++) {
        int rc;
        if (*p == '-')
            rc = fputs("\\-", out);
        else if (*p == '\\')
            rc = fputs("\\e", out);
        else
            rc = fputc(*p, out);
        if (rc == EOF)
            return -1;
    }
    return 0;
}

int tui_keys_man(FILE *out)
{
    int n;
    const struct tui_binding *all = tui_bindings(&n);
    const char *group = NULL;
    for (int i = 0; i < n; i++) {
        if (!group || strcmp(group, all[i].group) != 0) {
            group = all[i].group;
            if (fprintf(out, ".SS %s\n", group) < 0)
                return -1;
        }
        if (fputs(".TP\n.B ", out) == EOF || man_escaped(out, all[i].names) < 0 ||
            fputc('\n', out) == EOF || man_escaped(out, all[i].help) < 0 || fputc('\n', out) == EOF)
            return -1;
    }
    return fflush(out) == EOF ? -1 : 0;
}
