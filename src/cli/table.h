/* table.h — the CLI's listing output: an aligned table for people, or TSV for programs.
 *
 * Cells are UTF-8 text.  The table form measures them in terminal columns (wcwidth), and when
 * the rows are wider than the terminal, shrinks the columns marked shrinkable (by priority,
 * never below their minimum), cutting cells with an ellipsis.  The TSV form prints a header line
 * and one line per row, tabs and line breaks inside cells replaced by spaces. */
#ifndef MOVIEREC_CLI_TABLE_H
#define MOVIEREC_CLI_TABLE_H

#include <stddef.h>
#include <stdio.h>

enum table_align { TABLE_LEFT, TABLE_RIGHT };

struct table_column {
    const char *name; /* header; also the TSV column name */
    enum table_align align;
    int shrink;    /* 0: never cut; else may be cut to fit, higher values first */
    int min_width; /* the narrowest a shrinkable column gets */
};

struct table;

/* A table with n_cols columns (cols must outlive it).  NULL when out of memory. */
struct table *table_new(const struct table_column *cols, int n_cols);

/* Appends a row of n_cols cells (copied; NULL is an empty cell).  Returns 0 or -1 (no memory). */
int table_add(struct table *t, const char *const *cells);

/* Attaches a note to the last row added (copied): the table form prints it on its own lines
 * under the row, indented and wrapped; TSV leaves it out.  Returns 0 or -1 (no memory). */
int table_note(struct table *t, const char *note);

/* Number of rows added so far. */
int table_rows(const struct table *t);

/* Prints the table: TSV when tsv, else aligned within width columns (header emphasised when
 * style is 1).  Returns 0, or -1 when writing failed. */
int table_print(const struct table *t, FILE *out, int tsv, int width, int style);

/* Frees the table (NULL is fine). */
void table_free(struct table *t);

/* Terminal columns taken by UTF-8 text s (invalid bytes count one each). */
int text_width(const char *s);

/* Writes s cut to at most width columns into buf (size len): when it does not fit, as much as
 * fits in width - 1 columns followed by "…".  Returns the columns taken. */
int text_fit(const char *s, int width, char *buf, size_t len);

/* Width to format for: the terminal's when out is one, else $COLUMNS when set, else 80. */
int output_width(FILE *out);

#endif
