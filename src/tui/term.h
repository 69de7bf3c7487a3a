/* term.h — owning the terminal safely: curses start-up, one idempotent restore function (run
 * at exit, on quit signals and on crashes), and stderr kept in a temporary file while curses
 * owns the screen, printed after the screen is given back. */
#ifndef MOVIEREC_TUI_TERM_H
#define MOVIEREC_TUI_TERM_H

/* Installs the signal handlers and the atexit restore, moves stderr to a temporary file and
 * starts curses (cbreak, no echo, keypad, short Esc delay).  Returns 0; or -1 when the
 * terminal cannot be used (a message is then on the real stderr and nothing is left changed). */
int tui_term_start(void);

/* Gives the terminal back: endwin(), then stderr is restored and what was written to it
 * meanwhile is printed.  Safe to call any number of times, and from a signal handler. */
void tui_term_restore(void);

/* The quit signal received (SIGINT, SIGTERM, SIGHUP) since tui_term_start, or 0. */
int tui_term_signal(void);

#endif
