/* cmd_gen.c — `movierec gen`: a synthetic data set in ml-latest layout over a real catalog,
 * for scale tests (the model and its MovieLens-like skew are described in movierec/synth.h). */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "movierec/synth.h"
#include "cli.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_gen(struct cli *cli, int argc, char **argv)
{
    enum { OPT_CATALOG = 256, OPT_USERS, OPT_RATINGS, OPT_SEED, OPT_OUT, OPT_FORCE, OPT_FACTORS };
    static const struct option options[] = {
        {"catalog", required_argument, NULL, OPT_CATALOG},
        {"users", required_argument, NULL, OPT_USERS},
        {"ratings", required_argument, NULL, OPT_RATINGS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"out", required_argument, NULL, OPT_OUT},
        {"force", no_argument, NULL, OPT_FORCE},
        {"factors", required_argument, NULL, OPT_FACTORS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct mr_synth_opts o;
    mr_synth_defaults(&o);
    o.seed = 1;
    const char *catalog = NULL, *out = NULL;
    long users = 0, ratings = 0, factors = o.factors;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        int rc = CLI_OK;
        switch (opt) {
        case OPT_CATALOG:
            catalog = optarg;
            break;
        case OPT_USERS:
            rc = cli_parse_long(cli, "--users", optarg, 1, INT32_MAX, &users);
            break;
        case OPT_RATINGS:
            rc = cli_parse_long(cli, "--ratings", optarg, 1, INT64_MAX, &ratings);
            break;
        case OPT_SEED:
            rc = cli_parse_u64(cli, "--seed", optarg, &o.seed);
            break;
        case OPT_OUT:
            out = optarg;
            break;
        case OPT_FORCE:
            o.replace = 1;
            break;
        case OPT_FACTORS:
            rc = cli_parse_long(cli, "--factors", optarg, 1, 64, &factors);
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "h", options, argv);
        }
        if (rc != CLI_OK)
            return rc;
    }
    if (optind < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (!users || !ratings || !out)
        return cli_usage_error(cli, "--users, --ratings and --out are required");
    o.n_users = (int32_t)users;
    o.n_ratings = ratings;
    o.factors = (int)factors;

    char path[PATH_MAX];
    if (!catalog) { /* the movies of the data set in use */
        char dir[PATH_MAX];
        int rc = cli_data_dir(cli, dir, sizeof dir);
        if (rc != CLI_OK)
            return rc;
        if (snprintf(path, sizeof path, "%s/movies.csv", dir) >= (int)sizeof path)
            return cli_usage_error(cli, "data directory path too long");
        catalog = path;
    }

    struct cli_report report = {0, 20};
    struct mr_load_opts lo = {.report = cli_report_line, .report_ctx = &report};
    struct mr_catalog c = {0};
    struct mr_load_stats stats = {0};
    struct mr_error err;
    mr_error_clear(&err);
    char msg[1200];
    if (mr_catalog_load_csv(catalog, &lo, &c, &stats, &err) != MR_OK) {
        mr_error_format(&err, msg, sizeof msg);
        if (strstr(msg, catalog))
            cli_warn("%s", msg);
        else
            cli_warn("%s: %s", catalog, msg);
        mr_catalog_free(&c);
        return CLI_DATA;
    }
    if (stats.lines_skipped > 0)
        cli_warn("skipped %lld malformed line%s of %lld in %s", (long long)stats.lines_skipped,
                 stats.lines_skipped == 1 ? "" : "s", (long long)stats.lines_read, catalog);

    struct mr_synth_stats st;
    double t0 = now_s();
    int rc = mr_synth_write(&c, &o, out, cli_progress, cli, &st, &err);
    double elapsed = now_s() - t0;
    cli_progress_done(cli);
    long n_movies = (long)c.n_movies;
    mr_catalog_free(&c);
    if (rc != MR_OK) {
        mr_error_format(&err, msg, sizeof msg);
        cli_warn("gen: %s", msg);
        return rc == MR_EUSAGE ? CLI_USAGE : CLI_DATA;
    }
    printf("wrote %lld ratings by %ld users of %ld movies (%ld rated; %ld to %ld ratings per "
           "user) to %s: %.1f MB in %.1f s\n",
           (long long)st.n_ratings, (long)st.n_users, n_movies, (long)st.n_items_rated,
           (long)st.min_user_ratings, (long)st.max_user_ratings, out, (double)st.bytes / 1e6,
           elapsed);
    return CLI_OK;
}
