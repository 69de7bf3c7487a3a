/* menu.h — a small pop-up list to pick one option (genre, decade), over the main area. */
#ifndef MOVIEREC_TUI_MENU_H
#define MOVIEREC_TUI_MENU_H

#include "app.h"
#include "keys.h"

/* Called with the index of the chosen label when the person presses Enter. */
typedef void (*tui_menu_fn)(struct tui *t, int choice);

/* Opens a menu over labels (n of them, copied), cursor on initial.  Replaces an open menu.
 * Returns 0, or -1 when out of memory (nothing opens). */
int tui_menu_open(struct tui *t, const char *title, char *const *labels, int n, int initial,
                  tui_menu_fn choose);

/* Handles a key while the menu is open: movement, Enter chooses, Esc closes.  Returns 1 when
 * the key was used (every key but quit is), 0 to let the main loop handle it. */
int tui_menu_key(struct tui *t, const struct tui_binding *b);

/* Draws the open menu on top of the main area. */
void tui_menu_draw(struct tui *t);

/* Closes and frees the open menu, if any. */
void tui_menu_close(struct tui *t);

#endif
