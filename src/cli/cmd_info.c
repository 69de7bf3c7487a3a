/* cmd_info.c — `movierec info MOVIE [--tsv]`: everything the data set says about one film. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "listing.h"
#include "movie_cells.h"
#include "searchable.h"

#define TOP_TAGS  10
#define BAR_WIDTH 40
#define N_STARS   10 /* half stars 1..10 */

/* Ratings of item per half star (counts[0] for 0.5 stars ... counts[9] for 5.0), from the
 * item's column of the rating matrix. */
static void star_counts(const struct mr_ratings *r, int32_t item, int64_t counts[N_STARS])
{
    memset(counts, 0, N_STARS * sizeof counts[0]);
    if (!r->item_ptr || item >= r->n_items)
        return;
    for (int64_t k = r->item_ptr[item]; k < r->item_ptr[item + 1]; k++)
        if (r->item_vals[k] >= 1 && r->item_vals[k] <= N_STARS)
            counts[r->item_vals[k] - 1]++;
}

/* Appends s to buf (size len) with '|', tabs and line breaks replaced, keeping it terminated. */
static void append_clean(char *buf, size_t len, const char *s)
{
    size_t pos = strlen(buf);
    for (; *s && pos + 1 < len; s++)
        buf[pos++] = *s == '|' ? '/' : (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s;
    buf[pos] = '\0';
}

static int print_tsv(const struct mr_dataset *ds, int32_t item)
{
    const struct mr_movie *m = &ds->catalog.movies[item];
    struct movie_cells mc;
    movie_cells_fill(&mc, ds, item);
    int64_t counts[N_STARS];
    star_counts(&ds->ratings, item, counts);

    fputs("movieId\ttitle\tyear\tgenres\tratings\tmean", stdout);
    for (int h = 1; h <= N_STARS; h++)
        printf("\tr%d.%d", h / 2, h % 2 ? 5 : 0);
    fputs("\ttags\timdbId\ttmdbId\n", stdout);

    for (int c = 0; c < MOVIE_N_COLUMNS; c++)
        printf("%s%s", c ? "\t" : "", mc.cells[c]);
    for (int h = 0; h < N_STARS; h++)
        printf("\t%lld", (long long)counts[h]);
    size_t len = 1;
    for (int32_t i = 0; i < m->n_tags; i++)
        len += strlen(m->tags[i].text) + 1;
    char *tags = malloc(len);
    if (!tags)
        return CLI_DATA;
    tags[0] = '\0';
    for (int32_t i = 0; i < m->n_tags; i++) {
        if (i)
            strcat(tags, "|");
        append_clean(tags, len, m->tags[i].text);
    }
    printf("\t%s\t", tags);
    free(tags);
    if (m->imdb_id)
        printf("tt%07lld", (long long)m->imdb_id);
    putchar('\t');
    if (m->tmdb_id)
        printf("%lld", (long long)m->tmdb_id);
    putchar('\n');
    return ferror(stdout) ? CLI_DATA : CLI_OK;
}

/* One "  label      value" line of the readable form. */
static void field(const char *label, const char *value)
{
    printf("  %-10s %s\n", label, value);
}

/* The distribution as a bar chart, 5 stars first, so it reads like a review score. */
static void print_stars(const int64_t counts[N_STARS], int32_t total)
{
    int64_t most = 1;
    for (int h = 0; h < N_STARS; h++)
        if (counts[h] > most)
            most = counts[h];
    for (int h = N_STARS - 1; h >= 0; h--) {
        int len = (int)((counts[h] * BAR_WIDTH + most - 1) / most);
        printf("  %-10s %d.%d %6lld %4.0f%%  ", h == N_STARS - 1 ? "stars" : "", (h + 1) / 2,
               (h + 1) % 2 ? 5 : 0, (long long)counts[h],
               total ? 100.0 * (double)counts[h] / total : 0.0);
        for (int i = 0; i < len; i++)
            fputs("\xe2\x96\x88", stdout); /* U+2588 FULL BLOCK */
        putchar('\n');
    }
}

static int print_readable(const struct cli *cli, const struct mr_dataset *ds, int32_t item)
{
    const struct mr_movie *m = &ds->catalog.movies[item];
    struct movie_cells mc;
    movie_cells_fill(&mc, ds, item);
    char buf[1024];

    printf("%s%s%s\n", cli->style ? "\033[1m" : "", m->display, cli->style ? "\033[0m" : "");
    field("movieId", mc.id);
    if (strcmp(m->title, m->display) != 0)
        field("title", m->title);
    field("year", m->year > 0 ? mc.year : "unknown");
    field("genres", mc.genres[0] ? mc.genres : "none listed");
    int32_t count = atoi(mc.count);
    if (count > 0)
        snprintf(buf, sizeof buf, "%s, mean %s stars", mc.count, mc.mean);
    else
        snprintf(buf, sizeof buf, "%s", ds->ratings.item_ptr ? "none" : "not loaded");
    field("ratings", buf);
    if (count > 0) {
        int64_t counts[N_STARS];
        star_counts(&ds->ratings, item, counts);
        print_stars(counts, count);
    }
    if (m->n_tags > 0) {
        buf[0] = '\0';
        int shown = m->n_tags < TOP_TAGS ? m->n_tags : TOP_TAGS;
        for (int i = 0; i < shown; i++) {
            size_t pos = strlen(buf);
            snprintf(buf + pos, sizeof buf - pos, "%s%s (%d)", i ? ", " : "", m->tags[i].text,
                     (int)m->tags[i].count);
        }
        field("tags", buf);
    }
    if (m->imdb_id) {
        snprintf(buf, sizeof buf, "tt%07lld  https://www.imdb.com/title/tt%07lld/",
                 (long long)m->imdb_id, (long long)m->imdb_id);
        field("imdb", buf);
    }
    if (m->tmdb_id) {
        snprintf(buf, sizeof buf, "%lld  https://www.themoviedb.org/movie/%lld",
                 (long long)m->tmdb_id, (long long)m->tmdb_id);
        field("tmdb", buf);
    }
    return ferror(stdout) ? CLI_DATA : CLI_OK;
}

int cmd_info(struct cli *cli, int argc, char **argv)
{
    struct listing ls = {.missing = "which film? (info MOVIE: a movieId or a title)"};
    int rc = listing_parse(cli, argc, argv, &ls);
    if (rc != LISTING_GO_ON)
        return rc;

    struct searchable sd;
    rc = searchable_load(cli, &sd);
    if (rc == CLI_OK) {
        int32_t item = -1;
        rc = cli_resolve_movie(&sd.ds, sd.ix, ls.words, &item);
        if (rc == CLI_OK)
            rc = ls.tsv ? print_tsv(&sd.ds, item) : print_readable(cli, &sd.ds, item);
        searchable_free(&sd);
    }
    free(ls.words);
    return rc;
}
