/* view.h — what every screen of the interface provides ({create, enter, key, draw, leave,
 * destroy}), the list pane they share, and each view's entry points. */
#ifndef MOVIEREC_TUI_VIEW_H
#define MOVIEREC_TUI_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <curses.h>

#include "app.h"
#include "keys.h"

/* A scrollable list of catalog items with a cursor. */
struct tui_list {
    int32_t *items;
    int n, cap;
    int cursor, top;
};

/* Formats the right-hand column of row i of a list view (a mean, a date, a score) into buf. */
typedef void (*tui_row_fn)(struct tui *t, void *priv, int i, char *buf, size_t len);

struct tui_view_ops {
    const char *name;
    enum tui_scope scope; /* key bindings of this scope are looked up first */
    int wide;             /* 1: draws over the whole main area (no list/detail split) */

    /* Allocates the view's state; NULL when out of memory. */
    void *(*create)(struct tui *t);
    /* Called each time the view becomes current (after the previous one left). */
    void (*enter)(struct tui *t, void *priv);
    /* Called when another view becomes current. */
    void (*leave)(struct tui *t, void *priv);
    /* Offered every key first; returns 1 when handled, 0 to let the common handling run
     * (moving in the list, rating the selected film, switching views). */
    int (*key)(struct tui *t, void *priv, const struct tui_binding *b, int key);
    /* Draws the list pane into w (or the whole main area when wide). */
    void (*draw)(struct tui *t, void *priv, WINDOW *w);
    /* One line for the title bar: what this view shows. */
    void (*title)(struct tui *t, void *priv, char *buf, size_t len);
    /* The view's list, or NULL when it has none (help). */
    struct tui_list *(*list)(void *priv);
    /* Why row i is in the list (a recommendation's reason), or NULL.  May be NULL. */
    const char *(*reason)(void *priv, int i);
    /* Frees the state (NULL is fine). */
    void (*destroy)(void *priv);
};

extern const struct tui_view_ops tui_browse_ops;
extern const struct tui_view_ops tui_search_ops;
extern const struct tui_view_ops tui_recs_ops;
extern const struct tui_view_ops tui_similar_ops;
extern const struct tui_view_ops tui_ratings_ops;
extern const struct tui_view_ops tui_onboard_ops;
extern const struct tui_view_ops tui_help_ops;

/* list.c */

/* Appends item; returns 0, or -1 when out of memory (the list is unchanged). */
int tui_list_push(struct tui_list *l, int32_t item);
/* Empties the list (keeps its memory) and puts the cursor on the first row. */
void tui_list_clear(struct tui_list *l);
/* Frees the items and zeroes l. */
void tui_list_free(struct tui_list *l);
/* Moves the cursor for a movement action, page = visible rows.  Returns 1 when the action was
 * a movement (even at an end), 0 otherwise. */
int tui_list_move(struct tui_list *l, enum tui_action a, int page);
/* Item under the cursor, or -1 when empty. */
int32_t tui_list_selected(const struct tui_list *l);
/* Draws the list into w: a column header line (right_header over the right column), then one
 * row per item: your rating, the title, and the text row_fn writes on the right. */
void tui_list_draw(struct tui *t, WINDOW *w, struct tui_list *l, const char *right_header,
                   int right_w, tui_row_fn row_fn, void *priv, const char *empty_text);

/* search.c: opens the search prompt (from any view). */
void tui_search_start(struct tui *t);

/* similar.c: shows the films similar to item; or opens the "Similar to" title prompt. */
void tui_similar_show(struct tui *t, int32_t item);
void tui_similar_prompt(struct tui *t);

/* browse.c: the genre, decade and sort order controls. */
void tui_browse_genre_menu(struct tui *t);
void tui_browse_decade_menu(struct tui *t);
void tui_browse_cycle_sort(struct tui *t);

/* detail.c: draws item's details into w; why (may be NULL) is the reason it is listed;
 * full = 1 for the expanded view (more tags, per-star counts). */
void tui_detail_draw(struct tui *t, WINDOW *w, int32_t item, const char *why, int full);

/* strip.c: draws the "Top 5 for you" strip. */
void tui_strip_draw(struct tui *t);

#endif
