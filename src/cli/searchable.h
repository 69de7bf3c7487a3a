/* searchable.h — the data set with its title index, loaded as the commands that look films up
 * by title (search, info) need them: ratings included, so that the index ranks popular films
 * first and the listing can show rating counts. */
#ifndef MOVIEREC_CLI_SEARCHABLE_H
#define MOVIEREC_CLI_SEARCHABLE_H

#include "movierec/dataset.h"
#include "movierec/search.h"
#include "cli.h"

struct searchable {
    struct mr_dataset ds;
    struct mr_search_index *ix;
};

/* Loads the data set (bad lines reported as cli_load() does) with its title index (both from
 * the data snapshot when there is a valid one).
 * Returns CLI_OK, or the exit code after saying why on stderr (CLI_DATA when out of memory);
 * on failure nothing is left to free. */
int searchable_load(struct cli *cli, struct searchable *s);

/* Frees what searchable_load() made. */
void searchable_free(struct searchable *s);

#endif
