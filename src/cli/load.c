/* load.c — finding and loading the data set for a command, with bad lines reported as
 * FILE:LINE: what on stderr and progress drawn on a terminal. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include "movierec/paths.h"
#include "movierec/profile.h"
#include "movierec/snapshot.h"
#include "cli.h"

#define REPORT_LIMIT 20 /* bad lines shown; the rest are only counted in the summary */

int cli_data_dir(const struct cli *cli, char *buf, size_t len)
{
    if (!mr_path_data(cli->data_arg, buf, len)) {
        cli_warn("cannot work out the data directory (path too long or no home directory); "
                 "use --data DIR");
        return CLI_DATA;
    }
    struct stat st;
    if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        const char *why = stat(buf, &st) != 0 ? strerror(errno) : "not a directory";
        cli_warn("data directory %s: %s", buf, why);
        fputs("  give one with --data DIR or MOVIEREC_DATA; 'make data' fetches ml-latest-small\n",
              stderr);
        return CLI_DATA;
    }
    return CLI_OK;
}

void cli_report_line(void *ctx, const char *file, long line, const char *what)
{
    struct cli_report *r = ctx;
    if (r->shown >= r->limit)
        return;
    r->shown++;
    if (line > 0)
        fprintf(stderr, "%s:%ld: %s\n", file, line, what);
    else
        fprintf(stderr, "%s: %s\n", file, what);
}

void cli_progress(void *ctx, const char *stage, double fraction)
{
    struct cli *cli = ctx;
    if (!cli->stderr_tty)
        return;
    int pct = (int)(fraction * 100);
    pct = pct < 0 ? 0 : pct > 100 ? 100 : pct;
    if (pct == cli->progress_pct &&
        strncmp(stage, cli->progress_stage, sizeof cli->progress_stage - 1) == 0)
        return; /* nothing new to draw */
    cli->progress_pct = pct;
    snprintf(cli->progress_stage, sizeof cli->progress_stage, "%s", stage);
    fprintf(stderr, "\r\033[K%s %3d%%", stage, pct);
    fflush(stderr);
}

void cli_progress_done(struct cli *cli)
{
    if (cli->stderr_tty && cli->progress_pct >= 0)
        fputs("\r\033[K", stderr);
    cli->progress_pct = -1;
    cli->progress_stage[0] = '\0';
}

int cli_load(struct cli *cli, int catalog_only, struct mr_dataset *ds,
             struct mr_search_index **search)
{
    char dir[PATH_MAX], cache[PATH_MAX];
    int rc = cli_data_dir(cli, dir, sizeof dir);
    if (rc != CLI_OK)
        return rc;
    struct cli_report report = {0, REPORT_LIMIT};
    struct mr_load_opts opts = {
        .report = cli_report_line,
        .report_ctx = &report,
        .progress = cli_progress,
        .progress_ctx = cli,
        .skip_ratings = catalog_only,
    };
    struct mr_error err;
    mr_error_clear(&err);
    /* No cache directory (no home): the files are read every time. */
    rc = mr_dataset_open(dir, mr_path_cache(cache, sizeof cache), &opts, ds, search, &err);
    cli_progress_done(cli);
    if (rc != MR_OK) {
        char msg[1200];
        mr_error_format(&err, msg, sizeof msg);
        if (strstr(msg, dir))
            cli_warn("%s", msg);
        else
            cli_warn("%s: %s", dir, msg);
        return CLI_DATA;
    }
    if (ds->stats.lines_skipped > 0) {
        char shown[64] = "";
        if (ds->stats.lines_skipped > report.shown)
            snprintf(shown, sizeof shown, " (the first %ld shown)", report.shown);
        cli_warn("skipped %lld malformed line%s of %lld in %s%s",
                 (long long)ds->stats.lines_skipped, ds->stats.lines_skipped == 1 ? "" : "s",
                 (long long)ds->stats.lines_read, dir, shown);
    }
    return CLI_OK;
}

int cli_open_profile(struct cli *cli, int create, struct mr_profile *p)
{
    char path[PATH_MAX];
    if (!mr_path_profile(cli->profile, path, sizeof path)) {
        cli_warn("cannot work out where profiles live: set MOVIEREC_HOME or HOME");
        return CLI_DATA;
    }
    struct stat st;
    /* Only a missing file means "no ratings yet": a symbolic link loop or a permission problem
     * is left to mr_profile_open, which names it. */
    if (!create && stat(path, &st) != 0 && errno == ENOENT) {
        cli_warn("no ratings yet in profile '%s' ('movierec rate MOVIE RATING' adds one)",
                 cli->profile ? cli->profile : "default");
        return CLI_NOT_FOUND;
    }
    struct cli_report report = {0, REPORT_LIMIT};
    struct mr_error err;
    mr_error_clear(&err);
    if (mr_profile_open(path, cli_report_line, &report, p, &err) != MR_OK) {
        char msg[1200];
        mr_error_format(&err, msg, sizeof msg);
        cli_warn("%s", msg);
        return CLI_DATA;
    }
    return CLI_OK;
}
