/* cmd_search.c — `movierec search QUERY [-n N] [--tsv]`: films whose titles match QUERY. */
#include <getopt.h>
#include <stdlib.h>
#include "cli.h"
#include "movie_cells.h"

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
    if (rc == CLI_OK && table_print(t, stdout, tsv, output_width(stdout), cli->style) != 0)
        rc = CLI_DATA;
    table_free(t);
    return rc;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
    static const struct option options[] = {
        {"tsv", no_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long n_hits = DEFAULT_HITS;
    int tsv = 0, opt;
    while ((opt = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (cli_parse_long(cli, "-n", optarg, 1, MAX_HITS, &n_hits) != CLI_OK)
                return CLI_USAGE;
            break;
        case 't':
            tsv = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "n:h", options, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error(cli, "what to search for? (search QUERY)");
    char *query = cli_join_args(argc - optind, argv + optind);
    if (!query)
        return CLI_DATA;

    struct mr_dataset ds;
    int rc = cli_load(cli, 0, &ds);
    if (rc != CLI_OK) {
        free(query);
        return rc;
    }
    struct mr_search_index *ix = mr_search_build(&ds.catalog, ds.ratings.item_count);
    struct mr_search_hit *hits = malloc((size_t)n_hits * sizeof *hits);
    if (!ix || !hits) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        int n = mr_search(ix, query, hits, (int)n_hits);
        if (n == 0)
            cli_warn("no film matches '%s'", query);
        if (n > 0 || tsv)
            rc = print_hits(cli, &ds, hits, n, tsv);
        if (rc == CLI_OK && n == 0)
            rc = CLI_NOT_FOUND;
    }
    free(hits);
    mr_search_free(ix);
    mr_dataset_free(&ds);
    free(query);
    return rc;
}
