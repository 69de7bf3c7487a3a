/* cmd_export.c — `movierec export [FILE] [--user ID]`: the profile as a MovieLens ratings.csv
 * (userId,movieId,rating,timestamp), to FILE (written whole, then renamed into place) or to
 * standard output. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "movierec/paths.h"
#include "movierec/profile.h"
#include "cli.h"

/* Writes the profile's ratings, oldest rated first, to out.  Returns CLI_OK, or CLI_DATA
 * after saying why (a closed pipe, a full disk). */
static int write_csv(const struct mr_profile *p, int32_t user, FILE *out)
{
    fputs("userId,movieId,rating,timestamp\n", out);
    for (int32_t i = 0; i < p->n; i++) {
        const struct mr_profile_rating *r = &p->ratings[i];
        fprintf(out, "%" PRId32 ",%" PRId32 ",%d.%d,%" PRId64 "\n", user, r->movie_id, r->half / 2,
                r->half % 2 ? 5 : 0, r->timestamp);
    }
    if (fflush(out) != 0 || ferror(out)) {
        cli_warn("cannot write the ratings: %s", strerror(errno));
        return CLI_DATA;
    }
    return CLI_OK;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
    enum { OPT_USER = 256, OPT_PROFILE };
    static const struct option options[] = {
        {"user", required_argument, NULL, OPT_USER},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long user = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_USER:
            if (cli_parse_long(cli, "--user", optarg, 0, INT32_MAX, &user) != CLI_OK)
                return CLI_USAGE;
            break;
        case OPT_PROFILE:
            if (!mr_profile_name_ok(optarg))
                return cli_usage_error(cli, "bad profile name '%s'", optarg);
            cli->profile = optarg;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "h", options, argv);
        }
    }
    if (argc - optind > 1)
        return cli_usage_error(cli, "export takes at most one file");
    const char *file = optind < argc && strcmp(argv[optind], "-") != 0 ? argv[optind] : NULL;

    struct mr_profile p;
    int rc = cli_open_profile(cli, 0, &p);
    if (rc != CLI_OK)
        return rc;
    if (!file) {
        rc = write_csv(&p, (int32_t)user, stdout);
    } else {
        struct mr_error err;
        mr_error_clear(&err);
        if (mr_profile_export(&p, file, (int32_t)user, &err) != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            cli_warn("%s", msg);
            rc = CLI_DATA;
        } else {
            fprintf(stderr, "exported %" PRId32 " rating%s to %s\n", p.n, p.n == 1 ? "" : "s",
                    file);
        }
    }
    mr_profile_close(&p);
    return rc;
}
