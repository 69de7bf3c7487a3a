/* prompt.c — GNU readline's callback interface driven from the curses main loop.
 *
 * Readline is one global state machine, so the open prompt is one file-scope record
 * (`active`), reset by every open and close.  curses keeps the terminal: readline never
 * prepares it, never catches signals, reads bytes from our mailbox and draws through our
 * redisplay function. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curses.h>
#include <readline/readline.h>
#include <readline/history.h>

#include "movierec/paths.h"
#include "movierec/search.h"
#include "app.h"
#include "prompt.h"

#define MAILBOX_SIZE  64
#define MAX_MATCHES   40
#define HISTORY_LINES 500
#define ESC_BYTE      27

struct tui_prompt {
    struct tui *t;
    struct tui_prompt_spec spec;
    char label[64];
    unsigned char mailbox[MAILBOX_SIZE]; /* bytes for readline, filled after wget_wch */
    int head, tail;
    char *last_text; /* text when on_change last ran */
    char *accepted;  /* line handed over by readline on Enter */
    int finished;    /* readline delivered a line (accepted may be NULL: EOF) */
    char **matches;  /* titles readline asked us to list; NULL-terminated */
    int n_matches;
    char *matches_text; /* the line when they were listed: they go when it changes */
};

static struct tui_prompt active;
static int readline_ready;
static FILE *readline_out; /* /dev/null: readline must never write to the terminal */

static int mailbox_empty(void)
{
    return active.head == active.tail;
}

static void mailbox_put(const unsigned char *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int next = (active.tail + 1) % MAILBOX_SIZE;
        if (next == active.head)
            return; /* full: drop the rest (a key never takes this many bytes) */
        active.mailbox[active.tail] = bytes[i];
        active.tail = next;
    }
}

/* readline's rl_getc_function: the next byte of the mailbox.  EOF when empty (we only call
 * readline while bytes are waiting, so this is not reached in practice). */
static int mailbox_getc(FILE *unused)
{
    (void)unused;
    if (mailbox_empty())
        return EOF;
    int c = active.mailbox[active.head];
    active.head = (active.head + 1) % MAILBOX_SIZE;
    return c;
}

/* readline's rl_input_available_hook: lets it tell a lone Esc from an escape sequence. */
static int mailbox_available(void)
{
    return !mailbox_empty();
}

static void free_matches(void)
{
    for (int i = 0; i < active.n_matches; i++)
        free(active.matches[i]);
    free(active.matches);
    free(active.matches_text);
    active.matches = NULL;
    active.matches_text = NULL;
    active.n_matches = 0;
}

/* readline's rl_redisplay_function: the drawing itself happens in tui_prompt_draw, before the
 * next key is read; here we only flag the bottom line. */
static void redisplay(void)
{
    if (active.t)
        active.t->dirty |= TUI_DIRTY_STATUS;
}

/* readline's line handler, called on Enter (or with NULL on EOF). */
static void line_done(char *line)
{
    active.accepted = line;
    active.finished = 1;
    rl_callback_handler_remove();
}

/* rl_completion_display_matches_hook: keeps the matches to draw them in the main area. */
static void show_matches(char **matches, int n, int max_length)
{
    (void)max_length;
    free_matches();
    active.matches = calloc((size_t)n + 1, sizeof *active.matches);
    active.matches_text = strdup(rl_line_buffer);
    if (!active.matches || !active.matches_text) {
        free_matches();
        return;
    }
    for (int i = 0; i < n; i++) {
        active.matches[i] = strdup(matches[i + 1]);
        if (!active.matches[i])
            break;
        active.n_matches++;
    }
    if (active.t)
        active.t->dirty |= TUI_DIRTY_ALL;
}

/* Length of the longest common prefix of the strings, cut back to a whole UTF-8 character. */
static size_t common_prefix(char **s, int n)
{
    size_t len = strlen(s[0]);
    for (int i = 1; i < n; i++) {
        size_t j = 0;
        while (j < len && s[i][j] == s[0][j])
            j++;
        len = j;
    }
    while (len > 0 && ((unsigned char)s[0][len] & 0xC0) == 0x80)
        len--;
    return len;
}

/* Folds text for comparing completions, without a leading English article ("The Matrix"
 * and "matr" compare as "matrix" and "matr"). */
static const char *fold_no_article(const char *text, char *buf, size_t len)
{
    static const char *const articles[] = {"the ", "a ", "an "};
    mr_text_fold(text, buf, len);
    for (size_t i = 0; i < sizeof articles / sizeof articles[0]; i++) {
        size_t n = strlen(articles[i]);
        if (strncmp(buf, articles[i], n) == 0)
            return buf + n;
    }
    return buf;
}

/* 1 when longer (folded) starts with shorter (folded) and says more. */
static int extends(const char *longer, const char *shorter)
{
    char a[512], b[512];
    const char *fa = fold_no_article(longer, a, sizeof a);
    const char *fb = fold_no_article(shorter, b, sizeof b);
    size_t lb = strlen(fb);
    return strlen(fa) > lb && strncmp(fa, fb, lb) == 0;
}

/* Films whose title starts with text (a leading article may be left out), most popular first;
 * when none does (a typo), the search's best matches instead.  Returns how many. */
static int title_candidates(const char *text, int32_t *items, int max)
{
    const struct mr_search_index *ix = mr_session_search(active.t->s);
    int n = mr_search_complete(ix, text, items, max);
    if (n > 0)
        return n;
    struct mr_search_hit hits[MAX_MATCHES];
    n = mr_search(ix, text, hits, max < MAX_MATCHES ? max : MAX_MATCHES);
    for (int i = 0; i < n; i++)
        items[i] = hits[i].item;
    return n;
}

static void free_strings(char **m, int n)
{
    for (int i = 0; i < n; i++)
        free(m[i]);
    free(m);
}

/* rl_attempted_completion_function: the whole line is one title to complete.  Returns the
 * matches in readline's format ([0] = the text to put in the line, then the candidates;
 * readline frees them), or NULL when nothing matches. */
static char **complete_title(const char *text, int start, int end)
{
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1; /* never fall back to file names */
    rl_completion_suppress_append = 1;
    if (!active.spec.complete_titles || !active.t || !active.t->s)
        return NULL;
    int32_t items[MAX_MATCHES];
    int n = title_candidates(text, items, MAX_MATCHES);
    if (n <= 0)
        return NULL;
    char **m = calloc((size_t)n + 2, sizeof *m);
    if (!m)
        return NULL;
    for (int i = 0; i < n; i++) {
        m[i + 1] = strdup(tui_title(active.t, items[i]));
        if (!m[i + 1]) {
            free_strings(m, i + 1);
            return NULL;
        }
    }
    if (n == 1) {
        m[0] = m[1];
        m[1] = NULL;
        return m;
    }
    /* Several: the line gets their common beginning when it says more than the text typed
     * ("toy sto" -> "Toy Story"), else stays as typed; the titles are listed. */
    size_t len = common_prefix(m + 1, n);
    while (len > 0 && m[1][len - 1] == ' ')
        len--;
    m[0] = strndup(m[1], len);
    if (m[0] && !extends(m[0], text)) {
        free(m[0]);
        m[0] = strdup(text);
    }
    if (!m[0]) {
        free_strings(m, n + 1);
        return NULL;
    }
    return m;
}

static void history_path(char *buf, size_t len)
{
    char dir[1024];
    buf[0] = '\0';
    if (mr_path_state(dir, sizeof dir))
        snprintf(buf, len, "%s/history", dir);
}

void tui_prompt_init(void)
{
    char path[1100];
    if (!readline_ready) {
        readline_out = fopen("/dev/null", "w");
        rl_readline_name = "movierec";
        rl_catch_signals = 0;
        rl_catch_sigwinch = 0;
        rl_change_environment = 0;
        rl_prep_term_function = NULL;
        rl_deprep_term_function = NULL;
        rl_getc_function = mailbox_getc;
        rl_input_available_hook = mailbox_available;
        rl_redisplay_function = redisplay;
        rl_outstream = readline_out ? readline_out : stdout;
        rl_attempted_completion_function = complete_title;
        rl_completion_display_matches_hook = show_matches;
        rl_completer_word_break_characters = ""; /* the whole line is the word */
        rl_sort_completion_matches = 0;          /* keep the search ranking */
        rl_initialize();
        rl_variable_bind("show-all-if-ambiguous", "on");
        rl_variable_bind("bell-style", "none");
        rl_variable_bind("horizontal-scroll-mode", "on");
        readline_ready = 1;
    }
    using_history();
    stifle_history(HISTORY_LINES);
    history_path(path, sizeof path);
    if (path[0])
        read_history(path);
}

void tui_prompt_finish(void)
{
    char path[1100], dir[1024];
    history_path(path, sizeof path);
    if (path[0] && mr_path_state(dir, sizeof dir) && mr_mkdirs(dir) == 0)
        write_history(path);
    clear_history();
    if (readline_out) {
        rl_outstream = stdout;
        fclose(readline_out);
        readline_out = NULL;
    }
}

static void reset_active(void)
{
    free(active.last_text);
    free(active.accepted);
    free_matches();
    memset(&active, 0, sizeof active);
}

void tui_prompt_close(struct tui *t)
{
    if (!t->prompt)
        return;
    if (!active.finished) {
        rl_callback_sigcleanup();
        rl_callback_handler_remove();
    }
    reset_active();
    t->prompt = NULL;
    t->dirty |= TUI_DIRTY_ALL;
    curs_set(0);
}

int tui_prompt_open(struct tui *t, const struct tui_prompt_spec *spec)
{
    tui_prompt_close(t);
    active.t = t;
    active.spec = *spec;
    snprintf(active.label, sizeof active.label, "%s", spec->label);
    active.spec.label = active.label;
    active.spec.initial = NULL;
    active.last_text = strdup(spec->initial ? spec->initial : "");
    t->prompt = &active;
    rl_callback_handler_install(active.label, line_done);
    if (spec->initial && *spec->initial) {
        rl_insert_text(spec->initial);
        rl_point = rl_end;
    }
    t->dirty |= TUI_DIRTY_STATUS;
    curs_set(1);
    return 0;
}

/* Bytes readline expects for a curses function key (ANSI sequences it binds by default). */
static const char *key_sequence(wint_t key)
{
    switch (key) {
    case KEY_UP:
        return "\033[A";
    case KEY_DOWN:
        return "\033[B";
    case KEY_RIGHT:
        return "\033[C";
    case KEY_LEFT:
        return "\033[D";
    case KEY_HOME:
        return "\033[H";
    case KEY_END:
        return "\033[F";
    case KEY_DC:
        return "\033[3~";
    case KEY_BACKSPACE:
        return "\177";
    case KEY_ENTER:
        return "\r";
    default:
        return NULL;
    }
}

/* Puts one key into the mailbox as the bytes a terminal would send. */
static void put_key(int key_code, wint_t ch)
{
    if (key_code) {
        const char *seq = key_sequence(ch);
        if (seq)
            mailbox_put((const unsigned char *)seq, strlen(seq));
        return;
    }
    char bytes[MB_LEN_MAX];
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t n = wcrtomb(bytes, (wchar_t)ch, &st);
    if (n != (size_t)-1)
        mailbox_put((const unsigned char *)bytes, n);
}

/* Runs the callbacks due after readline consumed the mailbox. */
static void after_input(struct tui *t)
{
    if (active.finished) {
        char *line = active.accepted;
        struct tui_prompt_spec spec = active.spec;
        active.accepted = NULL;
        if (line && *line) {
            HIST_ENTRY *last = history_get(history_base + history_length - 1);
            if (!last || strcmp(last->line, line) != 0)
                add_history(line);
        }
        reset_active();
        t->prompt = NULL;
        t->dirty |= TUI_DIRTY_ALL;
        curs_set(0);
        if (line && spec.on_accept)
            spec.on_accept(t, line);
        else if (!line && spec.on_cancel)
            spec.on_cancel(t, "");
        free(line);
        return;
    }
    if (strcmp(rl_line_buffer, active.last_text ? active.last_text : "") != 0) {
        free(active.last_text);
        active.last_text = strdup(rl_line_buffer);
        if (active.n_matches && strcmp(active.matches_text, rl_line_buffer) != 0) {
            free_matches();
            t->dirty |= TUI_DIRTY_ALL;
        }
        if (active.spec.on_change)
            active.spec.on_change(t, rl_line_buffer);
    }
}

void tui_prompt_feed(struct tui *t, int key_code, wint_t ch)
{
    if (!t->prompt)
        return;
    if (!key_code && ch == ESC_BYTE) {
        wint_t next;
        wtimeout(t->scr.input, 0);
        int r = wget_wch(t->scr.input, &next);
        if (r == KEY_CODE_YES) /* a function key or a resize: not a Meta sequence */
            ungetch((int)next);
        if (r != OK) { /* a lone Esc: cancel */
            char *text = strdup(rl_line_buffer);
            tui_prompt_fn cancel = active.spec.on_cancel;
            tui_prompt_close(t);
            if (cancel)
                cancel(t, text ? text : "");
            free(text);
            return;
        }
        unsigned char esc = ESC_BYTE;
        mailbox_put(&esc, 1);
        put_key(r == KEY_CODE_YES, next);
    } else {
        put_key(key_code, ch);
    }
    while (!mailbox_empty() && t->prompt && !active.finished)
        rl_callback_read_char();
    active.head = active.tail = 0;
    after_input(t);
}

void tui_prompt_draw(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    WINDOW *w = scr->hint;
    if (!t->prompt || !w)
        return;
    const char *prompt = rl_display_prompt ? rl_display_prompt : active.label;
    const char *line = rl_line_buffer ? rl_line_buffer : "";
    int point = rl_point < 0 ? 0 : rl_point;
    int pw = tui_text_width(prompt);
    int room = scr->cols - pw - 1;

    /* Skip whole characters from the start until the cursor fits. */
    char *before = strndup(line, (size_t)point);
    size_t start = 0;
    if (before) {
        while (tui_text_width(before + start) > room && before[start]) {
            start++;
            while (((unsigned char)before[start] & 0xC0) == 0x80)
                start++;
        }
    }
    int cursor = pw + (before ? tui_text_width(before + start) : 0);
    free(before);

    werase(w);
    tui_put(scr, w, 0, 0, prompt, scr->cols, scr->attrs[TUI_S_KEY]);
    tui_put(scr, w, 0, pw, line + start, room, scr->attrs[TUI_S_NORMAL]);
    if (cursor >= scr->cols)
        cursor = scr->cols - 1;
    wmove(w, 0, cursor);
    leaveok(w, FALSE);
    wnoutrefresh(w);
}

void tui_prompt_draw_matches(struct tui *t)
{
    const struct tui_screen *scr = &t->scr;
    WINDOW *w = scr->main;
    if (!t->prompt || active.n_matches == 0 || !w)
        return;
    int h = scr->main_h, width = scr->cols;
    char head[128];
    werase(w);
    snprintf(head, sizeof head, "%d titles match: type more of the title, then Tab again",
             active.n_matches);
    tui_fill(w, 0, 0, width, scr->attrs[TUI_S_HEADING]);
    tui_put(scr, w, 0, 1, head, width - 2, scr->attrs[TUI_S_HEADING]);
    int cols = width >= 100 ? 2 : 1;
    int col_w = width / cols;
    int rows = h - 1;
    for (int i = 0; i < active.n_matches && i < rows * cols; i++) {
        int y = 1 + i % rows, x = 1 + (i / rows) * col_w;
        tui_put(scr, w, y, x, active.matches[i], col_w - 2, scr->attrs[TUI_S_NORMAL]);
    }
    wnoutrefresh(w);
}

void tui_prompt_resize(struct tui *t)
{
    if (t->prompt)
        rl_resize_terminal();
}
