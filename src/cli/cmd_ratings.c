/* cmd_ratings.c — `movierec ratings [--tsv]`: the profile's ratings, newest first. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "movierec/profile.h"
#include "cli.h"
#include "listing.h"
#include "table.h"

static const struct table_column columns[] = {
    {"movieId", TABLE_RIGHT, 0, 0}, {"title", TABLE_LEFT, 1, 12},  {"year", TABLE_RIGHT, 0, 0},
    {"genres", TABLE_LEFT, 2, 18},  {"rating", TABLE_RIGHT, 0, 0}, {"timestamp", TABLE_LEFT, 0, 0},
};

/* Newest first; among equal times the one rated later in the journal first. */
static int cmp_newest(const void *a, const void *b)
{
    const struct mr_profile_rating *x = *(const struct mr_profile_rating *const *)a;
    const struct mr_profile_rating *y = *(const struct mr_profile_rating *const *)b;
    if (x->timestamp != y->timestamp)
        return x->timestamp < y->timestamp ? 1 : -1;
    return x < y ? 1 : x > y ? -1 : 0;
}

/* One row: the catalog's columns (or a note when the film is not in this data set). */
static int add_row(struct table *t, const struct mr_catalog *c, const struct mr_profile_rating *r,
                   int tsv)
{
    char id[16], year[8] = "", genres[256] = "", stars[8], when[32];
    const char *title = "(not in this data set)";
    snprintf(id, sizeof id, "%d", (int)r->movie_id);
    int32_t item = mr_catalog_find(c, r->movie_id);
    if (item >= 0) {
        const struct mr_movie *m = &c->movies[item];
        title = m->display;
        if (m->year > 0)
            snprintf(year, sizeof year, "%d", (int)m->year);
        mr_genres_format(m->genres, genres, sizeof genres);
    }
    snprintf(stars, sizeof stars, "%d.%d", r->half / 2, r->half % 2 ? 5 : 0);
    time_t ts = (time_t)r->timestamp;
    struct tm tm;
    if (tsv || !localtime_r(&ts, &tm))
        snprintf(when, sizeof when, "%lld", (long long)r->timestamp);
    else
        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    const char *row[] = {id, title, year, genres, stars, when};
    return table_add(t, row);
}

int cmd_ratings(struct cli *cli, int argc, char **argv)
{
    struct listing ls = {0};
    int rc = listing_parse(cli, argc, argv, &ls);
    if (rc != LISTING_GO_ON)
        return rc;
    struct mr_dataset ds;
    rc = cli_load(cli, 1, &ds, NULL);
    if (rc != CLI_OK)
        return rc;
    struct mr_profile p;
    rc = cli_open_profile(cli, 0, &p);
    if (rc != CLI_OK) {
        mr_dataset_free(&ds);
        return rc;
    }
    const struct mr_profile_rating **order = malloc(((size_t)p.n + 1) * sizeof *order);
    struct table *t = table_new(columns, 6);
    if (!order || !t) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        for (int32_t i = 0; i < p.n; i++)
            order[i] = &p.ratings[i];
        qsort(order, (size_t)p.n, sizeof *order, cmp_newest);
        for (int32_t i = 0; i < p.n && rc == CLI_OK; i++)
            if (add_row(t, &ds.catalog, order[i], ls.tsv) != 0)
                rc = CLI_DATA;
        if (p.n == 0)
            cli_warn("no ratings yet in profile '%s' ('movierec rate MOVIE RATING' adds one)",
                     cli->profile ? cli->profile : "default");
        if (rc == CLI_OK && (p.n > 0 || ls.tsv))
            rc = listing_print(cli, t, ls.tsv);
        if (rc == CLI_OK && p.n == 0)
            rc = CLI_NOT_FOUND;
    }
    table_free(t);
    free(order);
    mr_profile_close(&p);
    mr_dataset_free(&ds);
    return rc;
}
