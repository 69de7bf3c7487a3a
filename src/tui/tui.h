/* tui.h — the full-screen interface, entered when movierec runs on a terminal with no command. */
#ifndef MOVIEREC_TUI_H
#define MOVIEREC_TUI_H

#include <stdio.h>
#include "movierec/session.h"

/* Runs the interface until the person quits.  opts say which data, profile and cache to use;
 * the session is opened and prepared inside (showing progress).  Returns the process exit code. */
int tui_main(const struct mr_session_opts *opts);

/* Writes the body of the man page's KEYS section, generated from the key table, in man(7)
 * markup (for a hidden `movierec --keys-man`).  Needs no terminal.  Returns 0, or -1 when
 * writing to out fails. */
int tui_keys_man(FILE *out);

#endif
