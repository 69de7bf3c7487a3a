/* prompt.h — one-line prompts in the bottom line, edited by GNU readline's callback interface
 * inside curses: keys from the main loop go through a mailbox to readline, readline's line is
 * drawn by us, Tab completes titles (matches drawn in the screen), history is kept on disk. */
#ifndef MOVIEREC_TUI_PROMPT_H
#define MOVIEREC_TUI_PROMPT_H

#include <wchar.h>

struct tui;

typedef void (*tui_prompt_fn)(struct tui *t, const char *text);

struct tui_prompt_spec {
    const char *label;       /* "Search: " */
    const char *initial;     /* text already in the line, or NULL */
    int complete_titles;     /* 1: Tab completes film titles */
    tui_prompt_fn on_change; /* the text changed (may be NULL) */
    tui_prompt_fn on_accept; /* Enter, with the final text */
    tui_prompt_fn on_cancel; /* Esc or Ctrl-D on an empty line (may be NULL) */
};

/* Opens a prompt (closing any open one without callbacks).  Returns 0.  The callbacks run
 * after readline has finished with the key, never inside readline. */
int tui_prompt_open(struct tui *t, const struct tui_prompt_spec *spec);

/* Gives one key read by wget_wch to the prompt (key_code: wget_wch returned KEY_CODE_YES).
 * A lone Esc cancels; Esc followed at once by another key is passed on as a Meta sequence. */
void tui_prompt_feed(struct tui *t, int key_code, wint_t ch);

/* Draws the prompt into the bottom line and leaves the cursor at the insertion point
 * (column counted with wcwidth); call last before doupdate. */
void tui_prompt_draw(struct tui *t);

/* Draws the completion matches readline asked to list over the main area, when there are
 * any. */
void tui_prompt_draw_matches(struct tui *t);

/* Tells readline the terminal changed size. */
void tui_prompt_resize(struct tui *t);

/* Closes the open prompt, if any, without calling its callbacks. */
void tui_prompt_close(struct tui *t);

/* Sets readline up for use inside curses and reads the history file
 * ($XDG_STATE_HOME/movierec/history).  Call once after curses started. */
void tui_prompt_init(void);

/* Writes the history file (creating its directory) and frees readline's history. */
void tui_prompt_finish(void);

#endif
