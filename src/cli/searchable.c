/* searchable.c — the data set with its title index (see searchable.h). */
#include "searchable.h"

int searchable_load(struct cli *cli, struct searchable *s)
{
    int rc = cli_load(cli, 0, &s->ds);
    if (rc != CLI_OK)
        return rc;
    s->ix = mr_search_build(&s->ds.catalog, s->ds.ratings.item_count);
    if (!s->ix) {
        cli_warn("out of memory");
        mr_dataset_free(&s->ds);
        return CLI_DATA;
    }
    return CLI_OK;
}

void searchable_free(struct searchable *s)
{
    mr_search_free(s->ix);
    s->ix = NULL;
    mr_dataset_free(&s->ds);
}
