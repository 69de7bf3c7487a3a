/* movie_cells.c — formatting the movie columns of a listing. */
#include <stdio.h>
#include "movie_cells.h"

const struct table_column movie_columns[MOVIE_N_COLUMNS] = {
    {"movieId", TABLE_RIGHT, 0, 0}, {"title", TABLE_LEFT, 1, 12},   {"year", TABLE_RIGHT, 0, 0},
    {"genres", TABLE_LEFT, 2, 18},  {"ratings", TABLE_RIGHT, 0, 0}, {"mean", TABLE_RIGHT, 0, 0},
};

void movie_cells_fill(struct movie_cells *mc, const struct mr_dataset *ds, int32_t item)
{
    const struct mr_movie *m = &ds->catalog.movies[item];
    snprintf(mc->id, sizeof mc->id, "%d", (int)m->id);
    if (m->year > 0)
        snprintf(mc->year, sizeof mc->year, "%d", (int)m->year);
    else
        mc->year[0] = '\0';
    mr_genres_format(m->genres, mc->genres, sizeof mc->genres);
    int32_t count = 0;
    if (ds->ratings.item_count && item < ds->ratings.n_items)
        count = ds->ratings.item_count[item];
    snprintf(mc->count, sizeof mc->count, "%d", (int)count);
    if (count > 0)
        snprintf(mc->mean, sizeof mc->mean, "%.2f", (double)ds->ratings.item_mean[item]);
    else
        mc->mean[0] = '\0';
    mc->cells[0] = mc->id;
    mc->cells[1] = m->display;
    mc->cells[2] = mc->year;
    mc->cells[3] = mc->genres;
    mc->cells[4] = mc->count;
    mc->cells[5] = mc->mean;
}
