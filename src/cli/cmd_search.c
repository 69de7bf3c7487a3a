/* cmd_search.c — `movierec search QUERY [-n N] [--tsv]`: films whose titles match QUERY. */
#include <stdlib.h>
#include "cli.h"
#include "listing.h"
#include "movie_cells.h"
#include "searchable.h"

#define DEFAULT_HITS 10
#define MAX_HITS     1000

/* Prints the hits as a movie table; returns CLI_OK or CLI_DATA (no memory, write error). */
static int print_hits(const struct cli *cli, const struct mr_dataset *ds,
                      const struct mr_search_hit *hits, int n, int tsv)
{
    struct table *t = table_new(movie_columns, MOVIE_N_COLUMNS);
    if (!t)
        return CLI_DATA;
    int rc = CLI_OK;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        struct movie_cells mc;
        movie_cells_fill(&mc, ds, hits[i].item);
        if (table_add(t, mc.cells) != 0)
            rc = CLI_DATA;
    }
    if (rc == CLI_OK)
        rc = listing_print(cli, t, tsv);
    table_free(t);
    return rc;
}

/* Prints the best ls->n hits for ls->words; returns CLI_OK, CLI_NOT_FOUND (said on stderr)
 * when nothing matches, or CLI_DATA (no memory, write error). */
static int search_and_print(const struct cli *cli, const struct searchable *sd,
                            const struct listing *ls)
{
    struct mr_search_hit *hits = malloc((size_t)ls->n * sizeof *hits);
    if (!hits) {
        cli_warn("out of memory");
        return CLI_DATA;
    }
    int rc = CLI_OK;
    int n = mr_search(sd->ix, ls->words, hits, (int)ls->n);
    if (n == 0)
        cli_warn("no film matches '%s'", ls->words);
    if (n > 0 || ls->tsv)
        rc = print_hits(cli, &sd->ds, hits, n, ls->tsv);
    if (rc == CLI_OK && n == 0)
        rc = CLI_NOT_FOUND;
    free(hits);
    return rc;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
    struct listing ls = {
        .accept = LISTING_N,
        .n_max = MAX_HITS,
        .n = DEFAULT_HITS,
        .missing = "what to search for? (search QUERY)",
    };
    int rc = listing_parse(cli, argc, argv, &ls);
    if (rc != LISTING_GO_ON)
        return rc;

    struct searchable sd;
    rc = searchable_load(cli, &sd);
    if (rc == CLI_OK) {
        rc = search_and_print(cli, &sd, &ls);
        searchable_free(&sd);
    }
    free(ls.words);
    return rc;
}
