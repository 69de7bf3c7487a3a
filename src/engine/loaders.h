/* loaders.h — private to the data-set loaders (dataset.c, load_*.c, catalog.c).
 *
 * Not part of the public API: frontends and models use include/movierec/dataset.h. */
#ifndef MOVIEREC_LOADERS_H
#define MOVIEREC_LOADERS_H

#include <stdint.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "movierec/ratings.h"

/* mr_catalog_finish() with the line each movie was read from (lines[i] for the i-th add, or
 * NULL), so that a dropped duplicate is reported at its own line.  Returns how many
 * duplicates were dropped. */
int64_t mr_catalog_finish_lines(struct mr_catalog *c, const int64_t *lines, mr_report_fn report,
                                void *ctx, const char *file);

/* Makes room for n ratings in b (a hint from the file size).  MR_OK or MR_ENOMEM (b is
 * then unchanged but possibly partly grown; it stays valid). */
int mr_ratings_builder_reserve(struct mr_ratings_builder *b, int64_t n);

#endif
