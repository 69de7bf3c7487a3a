/* cmd_recommend.c — `movierec recommend [--user ID | --profile NAME] [-n N] [--algo NAME]
 * [--explain] [--tsv]`: the best films not yet rated, each with its score and (with --explain)
 * the reason the model gives. */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include "movierec/paths.h"
#include "movierec/model.h"
#include "cli.h"
#include "rec_table.h"

#define DEFAULT_RECS 5
#define MAX_RECS     1000

int cmd_recommend(struct cli *cli, int argc, char **argv)
{
    enum { OPT_USER = 256, OPT_PROFILE, OPT_ALGO, OPT_EXPLAIN, OPT_TSV };
    static const struct option options[] = {
        {"user", required_argument, NULL, OPT_USER},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"algo", required_argument, NULL, OPT_ALGO},
        {"explain", no_argument, NULL, OPT_EXPLAIN},
        {"tsv", no_argument, NULL, OPT_TSV},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long n = DEFAULT_RECS, user = 0;
    const char *profile = cli->profile ? cli->profile : "default", *algo = NULL;
    int explain = 0, tsv = 0, opt, rc = CLI_OK, profile_given = 0;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "n:h", options, NULL)) != -1) {
        switch (opt) {
        case 'n':
            rc = cli_parse_long(cli, "-n", optarg, 1, MAX_RECS, &n);
            break;
        case OPT_USER:
            rc = cli_parse_long(cli, "--user", optarg, 1, INT32_MAX, &user);
            break;
        case OPT_PROFILE:
            if (!mr_profile_name_ok(optarg))
                return cli_usage_error(cli, "bad profile name '%s'", optarg);
            profile = optarg;
            profile_given = 1;
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
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (user && profile_given)
        return cli_usage_error(cli, "--user and --profile exclude each other");
    if (algo && !mr_model_ops_find(algo))
        return cli_usage_error(cli, "unknown model '%s' (see 'movierec eval --algo all')", algo);

    struct mr_session *s;
    rc = cli_session(cli, profile, (int32_t)user, algo, &s);
    if (rc != CLI_OK)
        return rc;
    struct mr_rec *recs = calloc((size_t)n, sizeof *recs);
    if (!recs) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        int got = mr_session_recommend(s, (int)n, recs);
        if (got == 0)
            cli_warn("no film left to recommend");
        rc = rec_table_print(cli, mr_session_dataset(s), recs, got, explain, tsv);
        if (rc == CLI_OK && got == 0)
            rc = CLI_NOT_FOUND;
    }
    free(recs);
    mr_session_close(s);
    return rc;
}
