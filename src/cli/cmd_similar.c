/* cmd_similar.c — `movierec similar MOVIE [-n N] [--algo NAME] [--explain] [--tsv]`: the films
 * most like one film, by similarity, each with the reason the model gives (with --explain). */
#include <stdlib.h>
#include "cli.h"
#include "listing.h"
#include "rec_table.h"

#define DEFAULT_SIMILAR 10
#define MAX_SIMILAR     1000

int cmd_similar(struct cli *cli, int argc, char **argv)
{
    struct listing ls = {
        .accept = LISTING_N | LISTING_ALGO | LISTING_EXPLAIN,
        .n_max = MAX_SIMILAR,
        .n = DEFAULT_SIMILAR,
        .missing = "similar to which film? (similar MOVIE)",
    };
    int rc = listing_parse(cli, argc, argv, &ls);
    if (rc != LISTING_GO_ON)
        return rc;

    struct mr_session *s;
    rc = cli_session(cli, NULL, 0, ls.algo, &s); /* no profile: similarity is not personal */
    if (rc != CLI_OK) {
        free(ls.words);
        return rc;
    }
    int32_t item = -1;
    struct mr_rec *recs = calloc((size_t)ls.n, sizeof *recs);
    if (!recs) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        rc = cli_resolve_movie(mr_session_dataset(s), mr_session_search(s), ls.words, &item);
    }
    if (rc == CLI_OK) {
        int got = mr_session_similar(s, item, (int)ls.n, recs);
        if (got == 0)
            cli_warn("no film is known to be similar to %s",
                     mr_session_dataset(s)->catalog.movies[item].display);
        rc = rec_table_print(cli, mr_session_dataset(s), recs, got, ls.explain, ls.tsv);
        if (rc == CLI_OK && got == 0)
            rc = CLI_NOT_FOUND;
    }
    free(recs);
    free(ls.words);
    mr_session_close(s);
    return rc;
}
