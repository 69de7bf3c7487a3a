/* cmd_profiles.c — `movierec profiles [--tsv]`: the profiles under $MOVIEREC_HOME/profiles. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/paths.h"
#include "movierec/profile.h"
#include "cli.h"
#include "listing.h"
#include "table.h"

static const struct table_column columns[] = {
    {"profile", TABLE_LEFT, 0, 0},
    {"ratings", TABLE_RIGHT, 0, 0},
    {"file", TABLE_LEFT, 1, 20},
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The valid profile names in dir (files NAME.csv), sorted; *n receives the count.  NULL with
 * *n = 0 when there are none or dir cannot be read; NULL with *n = -1 when out of memory. */
static char **list_names(const char *dir, int *n)
{
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    char **names = NULL;
    int cap = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        size_t len = strlen(e->d_name);
        if (len <= 4 || strcmp(e->d_name + len - 4, ".csv") != 0)
            continue;
        char name[NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
        if (!mr_profile_name_ok(name))
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            char **grown = realloc(names, (size_t)cap * sizeof *grown);
            if (!grown)
                break;
            names = grown;
        }
        if (!(names[*n] = strdup(name)))
            break;
        (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(names, (size_t)*n, sizeof *names, cmp_names);
    return names;
}

/* The number of ratings in profile name as text ("in use" when another process holds it). */
static void count_ratings(const char *name, char *buf, size_t len)
{
    char path[PATH_MAX];
    struct mr_profile p;
    struct mr_error err;
    mr_error_clear(&err);
    struct cli_report report = {0, 5};
    if (!mr_path_profile(name, path, sizeof path)) {
        snprintf(buf, len, "?");
        return;
    }
    int rc = mr_profile_open(path, cli_report_line, &report, &p, &err);
    if (rc == MR_OK) {
        snprintf(buf, len, "%ld", (long)p.n);
        mr_profile_close(&p);
    } else {
        snprintf(buf, len, "%s", rc == MR_EBUSY ? "in use" : "unreadable");
    }
}

int cmd_profiles(struct cli *cli, int argc, char **argv)
{
    struct listing ls = {0};
    int rc = listing_parse(cli, argc, argv, &ls);
    if (rc != LISTING_GO_ON)
        return rc;
    char home[PATH_MAX], dir[PATH_MAX + 16];
    if (!mr_path_home(home, sizeof home)) {
        cli_warn("cannot work out where profiles live: set MOVIEREC_HOME or HOME");
        return CLI_DATA;
    }
    snprintf(dir, sizeof dir, "%s/profiles", home);
    int n;
    char **names = list_names(dir, &n);
    if (n == 0) {
        cli_warn("no profiles in %s yet ('movierec rate MOVIE RATING' starts one)", dir);
        free(names);
        return CLI_NOT_FOUND;
    }
    struct table *t = table_new(columns, 3);
    rc = t ? CLI_OK : CLI_DATA;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        char count[32], path[PATH_MAX];
        count_ratings(names[i], count, sizeof count);
        const char *row[3] = {names[i], count,
                              mr_path_profile(names[i], path, sizeof path) ? path : ""};
        if (table_add(t, row) != 0)
            rc = CLI_DATA;
    }
    if (rc == CLI_OK)
        rc = listing_print(cli, t, ls.tsv);
    table_free(t);
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}
