/* resolve.c — turning a MOVIE argument (movieId or title) into a catalog item for a command. */
#include <ctype.h>
#include "cli.h"

#define MAX_CANDIDATES 10

/* 1 when s is all digits (a movieId). */
static int all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int cli_resolve_movie(const struct mr_dataset *ds, const struct mr_search_index *ix,
                      const char *arg, int32_t *item)
{
    struct mr_search_hit hits[MAX_CANDIDATES];
    int n = 0;
    const struct mr_catalog *c = &ds->catalog;
    switch (mr_resolve_movie(ix, c, arg, item, hits, MAX_CANDIDATES, &n)) {
    case MR_RESOLVED:
        return CLI_OK;
    case MR_RESOLVE_NONE:
        if (all_digits(arg))
            cli_warn("no film has movieId %s", arg);
        else
            cli_warn("no film matches '%s'", arg);
        return CLI_NOT_FOUND;
    case MR_RESOLVE_AMBIGUOUS:
        break;
    }
    cli_warn("'%s' matches more than one film; give its movieId or more of its title:", arg);
    for (int i = 0; i < n; i++) {
        const struct mr_movie *m = &c->movies[hits[i].item];
        fprintf(stderr, "  %8d  %s\n", (int)m->id, m->display);
    }
    return CLI_NOT_FOUND;
}
