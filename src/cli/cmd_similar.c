/* cmd_similar.c — `movierec similar MOVIE [-n N] [--algo NAME] [--explain] [--tsv]`: the films
 * most like one film, by similarity, each with the reason the model gives (with --explain). */
#include <getopt.h>
#include <stdlib.h>
#include "movierec/model.h"
#include "cli.h"
#include "rec_table.h"

#define DEFAULT_SIMILAR 10
#define MAX_SIMILAR     1000

int cmd_similar(struct cli *cli, int argc, char **argv)
{
    enum { OPT_EXPLAIN = 256, OPT_TSV, OPT_ALGO };
    static const struct option options[] = {
        {"algo", required_argument, NULL, OPT_ALGO},
        {"explain", no_argument, NULL, OPT_EXPLAIN},
        {"tsv", no_argument, NULL, OPT_TSV},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long n = DEFAULT_SIMILAR;
    const char *algo = NULL;
    int explain = 0, tsv = 0, opt;
    while ((opt = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (cli_parse_long(cli, "-n", optarg, 1, MAX_SIMILAR, &n) != CLI_OK)
                return CLI_USAGE;
            break;
        case OPT_ALGO:
            algo = optarg;
            break;
        case OPT_EXPLAIN:
            explain = 1;
            break;
        case OPT_TSV:
            tsv = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "n:h", options, argv);
        }
    }
    if (optind >= argc)
        return cli_usage_error(cli, "similar to which film? (similar MOVIE)");
    if (algo && !mr_model_ops_find(algo))
        return cli_usage_error(cli, "unknown model '%s' (see 'movierec eval --algo all')", algo);
    char *movie = cli_join_args(argc - optind, argv + optind);
    if (!movie)
        return CLI_DATA;

    struct mr_session *s;
    int rc = cli_session(cli, NULL, 0, algo, &s); /* no profile: similarity is not personal */
    if (rc != CLI_OK) {
        free(movie);
        return rc;
    }
    int32_t item = -1;
    struct mr_rec *recs = calloc((size_t)n, sizeof *recs);
    if (!recs) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        rc = cli_resolve_movie(mr_session_dataset(s), mr_session_search(s), movie, &item);
    }
    if (rc == CLI_OK) {
        int got = mr_session_similar(s, item, (int)n, recs);
        if (got == 0)
            cli_warn("no film is known to be similar to %s",
                     mr_session_dataset(s)->catalog.movies[item].display);
        rc = rec_table_print(cli, mr_session_dataset(s), recs, got, explain, tsv);
        if (rc == CLI_OK && got == 0)
            rc = CLI_NOT_FOUND;
    }
    free(recs);
    free(movie);
    mr_session_close(s);
    return rc;
}
