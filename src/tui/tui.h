/* tui.h — the full-screen interface, entered when movierec runs on a terminal with no command. */
#ifndef MOVIEREC_TUI_H
#define MOVIEREC_TUI_H

#include "movierec/session.h"

/* Runs the interface until the person quits.  opts say which data, profile and cache to use;
 * the session is opened and prepared inside (showing progress).  Returns the process exit code. */
int tui_main(const struct mr_session_opts *opts);

#endif
