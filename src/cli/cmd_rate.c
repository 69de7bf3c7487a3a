/* cmd_rate.c — `movierec rate MOVIE RATING` and `movierec unrate MOVIE`: one change to the
 * profile, on disk (written and fsync'd by the profile journal) before the command returns. */
#include <getopt.h>
#include <stdlib.h>
#include <time.h>
#include "movierec/profile.h"
#include "cli.h"

/* Parses the options shared by rate and unrate (only --help); returns CLI_OK to go on, or the
 * exit code to return (*done set). */
static int parse_options(struct cli *cli, int argc, char **argv, int *done)
{
    static const struct option options[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    *done = 1;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'h')
            return cli_command_help(cli);
        return cli_bad_option(cli, "h", options, argv);
    }
    *done = 0;
    return CLI_OK;
}

/* Sets the profile's rating of MOVIE to half (0 removes it) and says what changed. */
static int change(struct cli *cli, const char *movie, int half)
{
    struct mr_dataset ds;
    int rc = cli_load(cli, 1, &ds, NULL);
    if (rc != CLI_OK)
        return rc;
    struct mr_search_index *ix = mr_search_build(&ds.catalog, NULL);
    int32_t item = -1;
    if (!ix) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        rc = cli_resolve_movie(&ds, ix, movie, &item);
    }
    struct mr_profile p;
    if (rc == CLI_OK)
        rc = cli_open_profile(cli, half != 0, &p);
    if (rc == CLI_OK) {
        const struct mr_movie *m = &ds.catalog.movies[item];
        int old = mr_profile_get(&p, m->id);
        struct mr_error err;
        mr_error_clear(&err);
        if (mr_profile_set(&p, m->id, half, (int64_t)time(NULL), &err) != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            cli_warn("%s", msg);
            rc = CLI_DATA;
        } else if (half) {
            printf("rated %s %d.%d stars", m->display, half / 2, half % 2 ? 5 : 0);
            if (old && old != half)
                printf(" (was %d.%d)", old / 2, old % 2 ? 5 : 0);
            putchar('\n');
        } else if (old) {
            printf("removed your rating of %s (was %d.%d stars)\n", m->display, old / 2,
                   old % 2 ? 5 : 0);
        } else {
            printf("%s was not rated\n", m->display);
        }
        mr_profile_close(&p);
    }
    mr_search_free(ix);
    mr_dataset_free(&ds);
    return rc;
}

int cmd_rate(struct cli *cli, int argc, char **argv)
{
    int done;
    int rc = parse_options(cli, argc, argv, &done);
    if (done)
        return rc;
    if (argc - optind < 2)
        return cli_usage_error(cli, "rate wants a film and a rating: rate MOVIE RATING");
    /* The rating is the last word; the words before it name the film. */
    const char *rating = argv[argc - 1];
    double stars;
    if (cli_parse_double(cli, "RATING", rating, 0.5, 5, &stars) != CLI_OK)
        return CLI_USAGE;
    int half = mr_stars_to_half(stars);
    if (!half)
        return cli_usage_error(cli, "a rating goes in half stars: 0.5, 1, 1.5 ... 5, not '%s'",
                               rating);
    char *movie = cli_join_args(argc - optind - 1, argv + optind);
    if (!movie)
        return CLI_DATA;
    rc = change(cli, movie, half);
    free(movie);
    return rc;
}

int cmd_unrate(struct cli *cli, int argc, char **argv)
{
    int done;
    int rc = parse_options(cli, argc, argv, &done);
    if (done)
        return rc;
    if (optind >= argc)
        return cli_usage_error(cli, "which film? (unrate MOVIE)");
    char *movie = cli_join_args(argc - optind, argv + optind);
    if (!movie)
        return CLI_DATA;
    rc = change(cli, movie, 0);
    free(movie);
    return rc;
}
