/* cmd_import.c — `movierec import FILE [--user ID] [--dry-run]`: ratings exported from
 * MovieLens, IMDb or Letterboxd, matched to the catalog and written to the profile.  Lists
 * the rows that could not be used (line, title, year, why), then one line of counts. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "movierec/import.h"
#include "movierec/paths.h"
#include "movierec/profile.h"
#include "cli.h"

/* "Title (1995)" as the file named it, for a listed row. */
static void print_named(const struct mr_import_row *row)
{
    if (row->title[0])
        fputs(row->title, stdout);
    else
        fputs("(no title)", stdout);
    if (row->year > 0)
        printf(" (%d)", row->year);
}

/* Lists the rows that were not imported: ambiguous (with the films they could be), unknown
 * and bad ones. */
static void list_problems(const struct mr_import *im, const struct mr_catalog *c)
{
    for (size_t i = 0; i < im->n_rows; i++) {
        const struct mr_import_row *row = &im->rows[i];
        switch (row->outcome) {
        case MR_IMPORT_MATCHED:
            continue;
        case MR_IMPORT_AMBIGUOUS:
            printf("line %ld: ambiguous: ", row->line);
            print_named(row);
            fputs(" could be", stdout);
            for (int k = 0; k < row->n_candidates; k++)
                printf("%s %d %s", k ? ";" : "", (int)c->movies[row->candidates[k]].id,
                       c->movies[row->candidates[k]].display);
            putchar('\n');
            break;
        case MR_IMPORT_UNKNOWN:
            printf("line %ld: unknown: ", row->line);
            print_named(row);
            fputs(" is not in this data set\n", stdout);
            break;
        case MR_IMPORT_BAD:
            printf("line %ld: bad: %s", row->line, row->what);
            if (row->title[0]) {
                fputs(" (", stdout);
                print_named(row);
                putchar(')');
            }
            putchar('\n');
            break;
        }
    }
}

/* Matched rows that a failed mr_import_apply() left unwritten (the failing one and those after
 * it that were to change the profile). */
static int64_t count_unwritten(const struct mr_import *im)
{
    int64_t n = 0;
    for (size_t i = 0; i < im->n_rows; i++)
        n += im->rows[i].outcome == MR_IMPORT_MATCHED && im->rows[i].change == MR_IMPORT_NONE;
    return n;
}

/* The closing lines: what was matched and what changed in the profile; failed: a write
 * failed part way, and what is not in the profile is said as such. */
static void print_summary(const struct cli *cli, const char *file, const struct mr_import *im,
                          const struct mr_import_summary *s, int dry_run, int failed)
{
    const char *profile = cli->profile ? cli->profile : "default";
    printf("%s: %s, %" PRId64 " row%s", file, mr_import_format_name(im->format), s->rows,
           s->rows == 1 ? "" : "s");
    if (im->format == MR_IMPORT_MOVIELENS && s->rows > 0)
        printf(" of user %" PRId32, im->user_id);
    if (im->other_users_rows > 0)
        printf(" (%" PRId64 " of other users skipped)", im->other_users_rows);
    printf(": %" PRId64 " matched, %" PRId64 " ambiguous, %" PRId64 " unknown, %" PRId64 " bad\n",
           s->matched, s->ambiguous, s->unknown, s->bad);
    int64_t changes = s->added + s->updated;
    if (failed) {
        int64_t left = count_unwritten(im);
        printf("NOT all imported: the profile could not be written, and %" PRId64
               " matched rating%s did not go into profile '%s' (%" PRId64 " added, %" PRId64
               " updated before that); import the file again once the profile can be written: "
               "nothing is imported twice\n",
               left, left == 1 ? "" : "s", profile, s->added, s->updated);
        return;
    }
    if (s->matched == 0) {
        printf("nothing to import into profile '%s'\n", profile);
        return;
    }
    if (changes == 0) {
        printf("nothing changed: every matched rating is already in profile '%s' (%" PRId64
               " already there)\n",
               profile, s->same);
        return;
    }
    printf("%s profile '%s': %" PRId64 " added, %" PRId64 " updated, %" PRId64 " already there",
           dry_run ? "would change" : "imported into", profile, s->added, s->updated, s->same);
    if (s->superseded)
        printf(", %" PRId64 " superseded by a later line for the same film", s->superseded);
    putchar('\n');
}

/* 1 when some film of c has an IMDb id (the data set has a links.csv). */
static int has_imdb_ids(const struct mr_catalog *c)
{
    for (int32_t i = 0; i < c->n_movies; i++)
        if (c->movies[i].imdb_id > 0)
            return 1;
    return 0;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
    enum { OPT_USER = 256, OPT_PROFILE, OPT_DRY_RUN };
    static const struct option options[] = {
        {"user", required_argument, NULL, OPT_USER},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long user = 0;
    int dry_run = 0, opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_USER:
            if (cli_parse_long(cli, "--user", optarg, 1, INT32_MAX, &user) != CLI_OK)
                return CLI_USAGE;
            break;
        case OPT_PROFILE:
            if (!mr_profile_name_ok(optarg))
                return cli_usage_error(cli, "bad profile name '%s'", optarg);
            cli->profile = optarg;
            break;
        case OPT_DRY_RUN:
            dry_run = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "h", options, argv);
        }
    }
    if (argc - optind != 1)
        return cli_usage_error(cli, argc - optind < 1 ? "which file? (import FILE)"
                                                      : "import takes one file");
    const char *file = argv[optind];

    struct mr_dataset ds;
    int rc = cli_load(cli, 1, &ds, NULL);
    if (rc != CLI_OK)
        return rc;
    struct mr_import im;
    struct mr_error err;
    mr_error_clear(&err);
    struct mr_import_opts opts = {(int32_t)user};
    int status = mr_import_read(file, &ds.catalog, &opts, &im, &err);
    if (status != MR_OK) {
        char msg[1200];
        mr_error_format(&err, msg, sizeof msg);
        cli_warn("%s", msg);
        if (status == MR_EUSAGE && user == 0)
            fputs("  pick one user's ratings with --user ID\n", stderr);
        mr_dataset_free(&ds);
        return status == MR_EUSAGE ? CLI_USAGE : CLI_DATA;
    }
    if (im.format == MR_IMPORT_IMDB && !has_imdb_ids(&ds.catalog))
        cli_warn("this data set has no IMDb ids (links.csv): IMDb ratings cannot be matched");

    struct mr_profile p;
    struct mr_import_summary s = {0};
    int matched = 0;
    for (size_t i = 0; i < im.n_rows; i++)
        matched += im.rows[i].outcome == MR_IMPORT_MATCHED;
    /* A profile is only created when there is something to put in it; without one, a dry
     * run compares with no ratings. */
    int create = matched > 0 && !dry_run, have_profile = 0;
    char path[PATH_MAX];
    struct stat st;
    if (!create && mr_path_profile(cli->profile, path, sizeof path) && stat(path, &st) != 0 &&
        errno == ENOENT) {
        struct mr_profile empty = {.fd = -1};
        p = empty;
    } else {
        rc = cli_open_profile(cli, create, &p);
        have_profile = rc == CLI_OK;
    }
    if (rc == CLI_OK) {
        list_problems(&im, &ds.catalog);
        if (mr_import_apply(&im, &p, &ds.catalog, (int64_t)time(NULL), dry_run, &s, &err) !=
            MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            cli_warn("%s", msg);
            rc = CLI_DATA;
        }
        print_summary(cli, file, &im, &s, dry_run, rc != CLI_OK);
        if (rc == CLI_OK && s.rows > 0 && s.matched == 0)
            rc = CLI_NOT_FOUND;
    }
    if (have_profile)
        mr_profile_close(&p);
    mr_import_free(&im);
    mr_dataset_free(&ds);
    return rc;
}
