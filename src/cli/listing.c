/* listing.c — the listing commands' options, operand and output (see listing.h). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/model.h"
#include "listing.h"

enum { OPT_ALGO = 256, OPT_EXPLAIN, OPT_TSV };

/* Every long option a listing command may take, in the order --help and getopt see them. */
static const struct option all_options[] = {
    {"algo", required_argument, NULL, OPT_ALGO},
    {"explain", no_argument, NULL, OPT_EXPLAIN},
    {"tsv", no_argument, NULL, OPT_TSV},
    {"help", no_argument, NULL, 'h'},
};

#define N_ALL (int)(sizeof all_options / sizeof all_options[0])

/* Whether a command taking accept knows the long option o. */
static int takes(unsigned accept, const struct option *o)
{
    if (o->val == OPT_ALGO)
        return (accept & LISTING_ALGO) != 0;
    if (o->val == OPT_EXPLAIN)
        return (accept & LISTING_EXPLAIN) != 0;
    return 1;
}

int listing_parse(struct cli *cli, int argc, char **argv, struct listing *ls)
{
    struct option options[N_ALL + 1];
    memset(options, 0, sizeof options); /* the last one stays the {NULL} terminator */
    for (int i = 0, k = 0; i < N_ALL; i++)
        if (takes(ls->accept, &all_options[i]))
            options[k++] = all_options[i];
    const char *shortopts = ls->accept & LISTING_N ? "n:h" : "h";
    ls->tsv = ls->explain = 0;
    ls->algo = NULL;
    ls->words = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, shortopts, options, NULL)) != -1) {
        switch (opt) {
        case 'n':
            if (cli_parse_long(cli, "-n", optarg, 1, ls->n_max, &ls->n) != CLI_OK)
                return CLI_USAGE;
            break;
        case OPT_ALGO:
            ls->algo = optarg;
            break;
        case OPT_EXPLAIN:
            ls->explain = 1;
            break;
        case OPT_TSV:
            ls->tsv = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, shortopts, options, argv);
        }
    }
    if (ls->missing && optind >= argc)
        return cli_usage_error(cli, "%s", ls->missing);
    if (!ls->missing && optind < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (ls->algo && !mr_model_ops_find(ls->algo))
        return cli_usage_error(cli, "unknown model '%s' (see 'movierec eval --algo all')",
                               ls->algo);
    if (!ls->missing)
        return LISTING_GO_ON;
    ls->words = cli_join_args(argc - optind, argv + optind);
    return ls->words ? LISTING_GO_ON : CLI_DATA;
}

int listing_print(const struct cli *cli, const struct table *t, int tsv)
{
    return table_print(t, stdout, tsv, output_width(stdout), cli->style) == 0 ? CLI_OK : CLI_DATA;
}
