/* rec_table.c — recommendations as a table (reasons on a line under each film) or TSV:
 * movieId title year genres score reason. */
#include <stdio.h>
#include "movie_cells.h"
#include "rec_table.h"
#include "table.h"

static const struct table_column rec_columns[] = {
    {"movieId", TABLE_RIGHT, 0, 0}, {"title", TABLE_LEFT, 1, 12}, {"year", TABLE_RIGHT, 0, 0},
    {"genres", TABLE_LEFT, 2, 18},  {"score", TABLE_RIGHT, 0, 0}, {"reason", TABLE_LEFT, 0, 0},
};

int rec_table_print(const struct cli *cli, const struct mr_dataset *ds, const struct mr_rec *recs,
                    int n, int explain, int tsv)
{
    /* TSV: the reason is a column; a table: it is a line under the film. */
    int n_cols = tsv ? 6 : 5;
    struct table *t = table_new(rec_columns, n_cols);
    if (!t) {
        cli_warn("out of memory");
        return CLI_DATA;
    }
    int rc = CLI_OK;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        struct movie_cells mc;
        movie_cells_fill(&mc, ds, recs[i].item);
        char score[32];
        snprintf(score, sizeof score, "%.3f", (double)recs[i].score);
        const char *row[6] = {mc.cells[0], mc.cells[1], mc.cells[2],
                              mc.cells[3], score,       explain ? recs[i].reason : ""};
        if (table_add(t, row) != 0 || (explain && !tsv && table_note(t, recs[i].reason) != 0))
            rc = CLI_DATA;
    }
    if (rc == CLI_OK && (n > 0 || tsv) &&
        table_print(t, stdout, tsv, output_width(stdout), cli->style) != 0)
        rc = CLI_DATA;
    table_free(t);
    return rc;
}
