/* table.c — aligned tables and TSV for the CLI's listings (see table.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>
#include "table.h"

#define ELLIPSIS          "\xe2\x80\xa6" /* U+2026, one column */
#define GAP               2              /* spaces between columns */
#define LAST_RESORT_WIDTH 6 /* shrinkable columns go below their minimum down to this */
#define NOTE_INDENT       9 /* columns before a note line */

struct table {
    const struct table_column *cols;
    int n_cols;
    char **cells; /* rows x n_cols */
    char **notes; /* per row: a line printed under it in the table form, or NULL */
    int n_rows;
    int cap;
};

/* Decodes one UTF-8 character at s into *cp; returns its byte length (1 for an invalid byte,
 * which decodes to U+FFFD). */
static int utf8_next(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    int n = u[0] < 0x80         ? 1
            : (u[0] >> 5) == 6  ? 2
            : (u[0] >> 4) == 14 ? 3
            : (u[0] >> 3) == 30 ? 4
                                : 0;
    if (n == 1) {
        *cp = u[0];
        return 1;
    }
    uint32_t c = n == 2 ? u[0] & 0x1f : n == 3 ? u[0] & 0x0f : u[0] & 0x07;
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            n = 0;
            break;
        }
        c = (c << 6) | (u[i] & 0x3f);
    }
    if (n == 0) {
        *cp = 0xfffd;
        return 1;
    }
    *cp = c;
    return n;
}

/* Columns of one code point: wcwidth, with unprintable characters counted as one. */
static int cp_width(uint32_t cp)
{
    int w = wcwidth((wchar_t)cp);
    return w < 0 ? 1 : w;
}

int text_width(const char *s)
{
    int w = 0;
    uint32_t cp;
    while (*s) {
        s += utf8_next(s, &cp);
        w += cp_width(cp);
    }
    return w;
}

int text_fit(const char *s, int width, char *buf, size_t len)
{
    if (!len)
        return 0;
    buf[0] = '\0';
    if (width <= 0)
        return 0;
    int full = text_width(s);
    int room = full <= width ? width : width - 1; /* keep a column for the ellipsis */
    size_t pos = 0;
    int used = 0;
    uint32_t cp;
    while (*s) {
        int n = utf8_next(s, &cp);
        int w = cp_width(cp);
        if (used + w > room || pos + (size_t)n + sizeof ELLIPSIS > len)
            break;
        memcpy(buf + pos, s, (size_t)n);
        pos += (size_t)n;
        used += w;
        s += n;
    }
    if (*s && pos + sizeof ELLIPSIS <= len) {
        memcpy(buf + pos, ELLIPSIS, sizeof ELLIPSIS - 1);
        pos += sizeof ELLIPSIS - 1;
        used++;
    }
    buf[pos] = '\0';
    return used;
}

int output_width(FILE *out)
{
    struct winsize ws;
    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *cols = getenv("COLUMNS");
    if (cols) {
        char *end;
        long v = strtol(cols, &end, 10);
        if (*cols && !*end && v >= 20 && v <= 10000)
            return (int)v;
    }
    return 80;
}

struct table *table_new(const struct table_column *cols, int n_cols)
{
    struct table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->cols = cols;
    t->n_cols = n_cols;
    return t;
}

int table_add(struct table *t, const char *const *cells)
{
    if (t->n_rows == t->cap) {
        int cap = t->cap ? t->cap * 2 : 16;
        char **grown = realloc(t->cells, (size_t)cap * (size_t)t->n_cols * sizeof *grown);
        if (!grown)
            return -1;
        t->cells = grown;
        char **notes = realloc(t->notes, (size_t)cap * sizeof *notes);
        if (!notes)
            return -1;
        t->notes = notes;
        t->cap = cap;
    }
    char **row = t->cells + (size_t)t->n_rows * (size_t)t->n_cols;
    for (int c = 0; c < t->n_cols; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            while (c--)
                free(row[c]);
            return -1;
        }
    }
    t->notes[t->n_rows] = NULL;
    t->n_rows++;
    return 0;
}

int table_note(struct table *t, const char *note)
{
    if (t->n_rows == 0 || !note || !note[0])
        return 0;
    char **slot = &t->notes[t->n_rows - 1];
    free(*slot);
    *slot = strdup(note);
    return *slot ? 0 : -1;
}

int table_rows(const struct table *t)
{
    return t->n_rows;
}

/* Writes s with tabs and line breaks turned into spaces. */
static void put_tsv_cell(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void print_tsv(const struct table *t, FILE *out)
{
    for (int c = 0; c < t->n_cols; c++) {
        fputs(c ? "\t" : "", out);
        put_tsv_cell(out, t->cols[c].name);
    }
    fputc('\n', out);
    for (int r = 0; r < t->n_rows; r++) {
        char **row = t->cells + (size_t)r * (size_t)t->n_cols;
        for (int c = 0; c < t->n_cols; c++) {
            fputs(c ? "\t" : "", out);
            put_tsv_cell(out, row[c]);
        }
        fputc('\n', out);
    }
}

/* The column to narrow next, or -1: among shrinkable columns above their minimum, the one of
 * highest priority (the widest among equals); when all are at their minimum, the widest one
 * still above LAST_RESORT_WIDTH. */
static int next_to_shrink(const struct table *t, const int *widths)
{
    int best = -1;
    for (int c = 0; c < t->n_cols; c++) {
        const struct table_column *col = &t->cols[c];
        if (!col->shrink || widths[c] <= col->min_width || widths[c] <= 1)
            continue;
        if (best < 0 || col->shrink > t->cols[best].shrink ||
            (col->shrink == t->cols[best].shrink && widths[c] > widths[best]))
            best = c;
    }
    if (best >= 0)
        return best;
    for (int c = 0; c < t->n_cols; c++)
        if (t->cols[c].shrink && widths[c] > LAST_RESORT_WIDTH &&
            (best < 0 || widths[c] > widths[best]))
            best = c;
    return best;
}

/* Narrows columns (see next_to_shrink) until a row fits width or nothing can give. */
static void fit_widths(const struct table *t, int *widths, int width)
{
    int total = GAP * (t->n_cols - 1);
    for (int c = 0; c < t->n_cols; c++)
        total += widths[c];
    while (total > width) {
        int c = next_to_shrink(t, widths);
        if (c < 0)
            return; /* the lines will wrap */
        widths[c]--;
        total--;
    }
}

/* One cell padded (or cut) to w columns; the last column gets no trailing blanks. */
static void put_cell(FILE *out, const struct table_column *col, const char *s, int w, int last)
{
    size_t len = strlen(s) + sizeof ELLIPSIS + 1;
    char stack[512];
    char *buf = len <= sizeof stack ? stack : malloc(len);
    if (!buf) {
        fputs(s, out);
        return;
    }
    int used = text_fit(s, w, buf, len);
    int pad = w - used;
    if (col->align == TABLE_RIGHT)
        fprintf(out, "%*s%s", pad, "", buf);
    else if (last)
        fputs(buf, out);
    else
        fprintf(out, "%s%*s", buf, pad, "");
    if (buf != stack)
        free(buf);
}

/* A note under a row: indented, wrapped at spaces to width columns. */
static void put_note(FILE *out, const char *note, int width)
{
    int room = width - NOTE_INDENT > 20 ? width - NOTE_INDENT : 20;
    const char *p = note;
    while (*p) {
        /* Take words while they fit; a single word wider than the room is taken whole. */
        const char *end = p, *cut = NULL;
        int used = 0;
        uint32_t cp;
        while (*end) {
            int n = utf8_next(end, &cp);
            int w = cp_width(cp);
            if (used + w > room)
                break;
            used += w;
            end += n;
            if (*end == ' ' || !*end)
                cut = end;
        }
        if (!*end)
            cut = end;
        else if (!cut)
            cut = end > p ? end : p + 1;
        fprintf(out, "%*s%.*s\n", NOTE_INDENT, "", (int)(cut - p), p);
        p = cut;
        while (*p == ' ')
            p++;
    }
}

static int print_aligned(const struct table *t, FILE *out, int width, int style)
{
    int *widths = calloc((size_t)t->n_cols, sizeof *widths);
    if (!widths)
        return -1;
    for (int c = 0; c < t->n_cols; c++) {
        widths[c] = text_width(t->cols[c].name);
        for (int r = 0; r < t->n_rows; r++) {
            int w = text_width(t->cells[(size_t)r * (size_t)t->n_cols + (size_t)c]);
            if (w > widths[c])
                widths[c] = w;
        }
    }
    fit_widths(t, widths, width);
    for (int r = -1; r < t->n_rows; r++) {
        if (r < 0 && style)
            fputs("\033[1m", out);
        for (int c = 0; c < t->n_cols; c++) {
            const char *s =
                r < 0 ? t->cols[c].name : t->cells[(size_t)r * (size_t)t->n_cols + (size_t)c];
            if (c)
                fprintf(out, "%*s", GAP, "");
            put_cell(out, &t->cols[c], s, widths[c], c == t->n_cols - 1);
        }
        if (r < 0 && style)
            fputs("\033[0m", out);
        fputc('\n', out);
        if (r >= 0 && t->notes[r])
            put_note(out, t->notes[r], width);
    }
    free(widths);
    return 0;
}

int table_print(const struct table *t, FILE *out, int tsv, int width, int style)
{
    if (tsv)
        print_tsv(t, out);
    else if (print_aligned(t, out, width, style) != 0)
        return -1;
    return ferror(out) ? -1 : 0;
}

void table_free(struct table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < (size_t)t->n_rows * (size_t)t->n_cols; i++)
        free(t->cells[i]);
    for (int r = 0; r < t->n_rows; r++)
        free(t->notes[r]);
    free(t->cells);
    free(t->notes);
    free(t);
}
