/* term.c — terminal ownership and its single restore path.
 *
 * The state here is process-wide by nature (signal handlers and atexit cannot carry a
 * pointer), so it lives in file-scope variables that tui_term_start() resets. */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#endif

#include "term.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t curses_active;
static volatile sig_atomic_t stderr_redirected;
static int saved_stderr = -1; /* the real stderr while redirected */
static int stderr_file = -1;  /* the unlinked temporary file holding what was written */
static SCREEN *screen;
static int atexit_done;

/* Quit signals only record themselves; the main loop notices and ends cleanly. */
static void on_quit_signal(int sig)
{
    quit_signal = sig;
}

/* Crash signals give the terminal back, then die of the same signal with the default action
 * (SA_RESETHAND already restored it). */
static void on_crash_signal(int sig)
{
    tui_term_restore();
    raise(sig);
}

/* Copies the temporary file to the real stderr and puts stderr back.  Uses only
 * async-signal-safe calls. */
static void restore_stderr(void)
{
    char buf[4096];
    ssize_t n;
    if (!stderr_redirected)
        return;
    stderr_redirected = 0;
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    saved_stderr = -1;
    if (lseek(stderr_file, 0, SEEK_SET) == 0) {
        while ((n = read(stderr_file, buf, sizeof buf)) > 0) {
            ssize_t off = 0;
            while (off < n) {
                ssize_t w = write(STDERR_FILENO, buf + off, (size_t)(n - off));
                if (w <= 0)
                    break;
                off += w;
            }
        }
    }
    close(stderr_file);
    stderr_file = -1;
}

void tui_term_restore(void)
{
    if (curses_active) {
        curses_active = 0;
        curs_set(1);
        endwin();
    }
    restore_stderr();
}

static void restore_at_exit(void)
{
    tui_term_restore();
    if (screen && !curses_active) {
        delscreen(screen);
        screen = NULL;
    }
}

#if defined(__SANITIZE_ADDRESS__)
/* A sanitizer report ends the process without atexit: give the terminal back first so the
 * report is readable. */
static void on_sanitizer_death(void)
{
    tui_term_restore();
}
#endif

/* Moves stderr to an unlinked temporary file (htop's idea): anything written while curses
 * owns the screen is printed after it.  On failure stderr is simply left alone. */
static void redirect_stderr(void)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    snprintf(path, sizeof path, "%s/movierec-stderr-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    unlink(path);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    if (saved < 0 || dup2(fd, STDERR_FILENO) < 0) {
        if (saved >= 0)
            close(saved);
        close(fd);
        return;
    }
    saved_stderr = saved;
    stderr_file = fd;
    stderr_redirected = 1;
}

static void install_signals(void)
{
    static const int quit_sigs[] = {SIGINT, SIGTERM, SIGHUP};
    static const int crash_sigs[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE};
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_quit_signal; /* no SA_RESTART: a blocked read returns */
    for (size_t i = 0; i < sizeof quit_sigs / sizeof quit_sigs[0]; i++)
        sigaction(quit_sigs[i], &sa, NULL);

    sa.sa_handler = on_crash_signal;
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    for (size_t i = 0; i < sizeof crash_sigs / sizeof crash_sigs[0]; i++)
        sigaction(crash_sigs[i], &sa, NULL);
}

int tui_term_start(void)
{
    quit_signal = 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "movierec: the interactive interface needs a terminal\n");
        return -1;
    }
    /* Before curses starts, so that ncurses does not install its own SIGINT/SIGTERM
     * handlers (it still turns SIGWINCH into KEY_RESIZE). */
    install_signals();
    if (!atexit_done && atexit(restore_at_exit) == 0)
        atexit_done = 1;
#if defined(__SANITIZE_ADDRESS__)
    __sanitizer_set_death_callback(on_sanitizer_death);
#endif
    screen = newterm(NULL, stdout, stdin);
    if (!screen) {
        const char *term = getenv("TERM");
        fprintf(stderr, "movierec: cannot use terminal type '%s'\n", term ? term : "");
        return -1;
    }
    curses_active = 1;
    redirect_stderr();
    cbreak();
    noecho();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    return 0;
}

int tui_term_signal(void)
{
    return quit_signal;
}
