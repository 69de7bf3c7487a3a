/* movie_cells.h — the movie columns every film listing starts with:
 * movieId title year genres ratings mean. */
#ifndef MOVIEREC_CLI_MOVIE_CELLS_H
#define MOVIEREC_CLI_MOVIE_CELLS_H

#include <stdint.h>
#include "movierec/dataset.h"
#include "table.h"

#define MOVIE_N_COLUMNS 6

/* The column definitions (title and genres shrink to fit the terminal). */
extern const struct table_column movie_columns[MOVIE_N_COLUMNS];

/* The text of one film's movie columns; cells[] point into the struct. */
struct movie_cells {
    char id[16];
    char year[8]; /* "" when unknown */
    char genres[256];
    char count[16];
    char mean[16]; /* two decimals; "" when nobody rated the film */
    const char *cells[MOVIE_N_COLUMNS];
};

/* Fills mc for catalog item `item` of ds (the ratings columns are 0 / "" when the data set was
 * loaded without ratings). */
void movie_cells_fill(struct movie_cells *mc, const struct mr_dataset *ds, int32_t item);

#endif
