/* session_open.c — opening and preparing a session (data set, profile, models) for the
 * commands that need recommendations: progress on a terminal, errors as exit codes. */
#include <limits.h>
#include <stdio.h>
#include "movierec/paths.h"
#include "cli.h"

int cli_session(struct cli *cli, const char *profile, int32_t user_id, const char *algo,
                struct mr_session **out)
{
    *out = NULL;
    char data[PATH_MAX], path[PATH_MAX], cache[PATH_MAX];
    int rc = cli_data_dir(cli, data, sizeof data);
    if (rc != CLI_OK)
        return rc;
    const char *profile_path = NULL;
    if (user_id <= 0 && profile) {
        if (!mr_path_profile(profile, path, sizeof path)) {
            cli_warn("cannot work out where profiles live: set MOVIEREC_HOME or HOME");
            return CLI_DATA;
        }
        profile_path = path;
    }
    struct cli_report report = {0, 20};
    struct mr_session_opts opts = {
        .data_dir = data,
        .profile_path = profile_path,
        .user_id = user_id > 0 ? user_id : 0,
        .cache_dir = mr_path_cache(cache, sizeof cache),
        .algo = algo,
        .report = cli_report_line,
        .report_ctx = &report,
        .progress = cli_progress,
        .progress_ctx = cli,
    };
    struct mr_error err;
    mr_error_clear(&err);
    struct mr_session *s = NULL;
    int status = mr_session_open(&opts, &s, &err);
    if (status == MR_OK)
        status = mr_session_prepare(s, &err);
    cli_progress_done(cli);
    if (status != MR_OK) {
        char msg[1200];
        mr_error_format(&err, msg, sizeof msg);
        if (status == MR_EUSAGE && user_id > 0) {
            cli_warn("%s", msg); /* the user is not in the data set: nothing found */
            rc = CLI_NOT_FOUND;
        } else if (status == MR_EUSAGE) {
            rc = cli_usage_error(cli, "%s", msg);
        } else {
            cli_warn("%s", msg);
            rc = CLI_DATA;
        }
        mr_session_close(s);
        return rc;
    }
    const struct mr_dataset *ds = mr_session_dataset(s);
    if (ds->stats.lines_skipped > 0)
        cli_warn("skipped %lld malformed line%s of %lld in %s", (long long)ds->stats.lines_skipped,
                 ds->stats.lines_skipped == 1 ? "" : "s", (long long)ds->stats.lines_read, data);
    *out = s;
    return CLI_OK;
}
