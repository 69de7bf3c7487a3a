/* searchable.c — the data set with its title index (see searchable.h). */
#include "searchable.h"

int searchable_load(struct cli *cli, struct searchable *s)
{
    /* The index comes from the data snapshot, or is built (and saved with it). */
    s->ix = NULL;
    return cli_load(cli, 0, &s->ds, &s->ix);
}

void searchable_free(struct searchable *s)
{
    mr_search_free(s->ix);
    s->ix = NULL;
    mr_dataset_free(&s->ds);
}
