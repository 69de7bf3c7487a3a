/* fuzz_import.c — the import parser on any bytes, against a small catalog with IMDb ids and
 * tricky titles: an error says why; otherwise rows are in file order, each outcome carries
 * what it promises, and a dry run against an empty profile adds every last-matched film. */
#include "movierec/import.h"
#include "fuzz_util.h"
#include "fuzz_targets.h"

static struct mr_catalog import_catalog;

static const struct mr_catalog *import_get_catalog(void)
{
    static const struct {
        int32_t id;
        const char *title;
        int64_t imdb;
    } movies[] = {
        {1, "Toy Story (1995)", 114709},
        {2, "Matrix, The (1999)", 133093},
        {3, "Heat (1995)", 113277},
        {4, "Heat, The (2013)", 2404463},
        {5, "Amelie (Fabuleux destin d'Am\xC3\xA9lie Poulain, Le) (2001)", 211915},
        {6, "Emma (1996)", 116191},
        {7, "Emma (1996)", 118308},
        {8, "L\xC3\xA9on: The Professional (a.k.a. The Professional) (L\xC3\xA9on) (1994)", 110413},
        {9, "(500) Days of Summer (2009)", 1022603},
        {10, "Untitled", 0},
        {11, "Broken (Title (1999)", 0},
    };
    if (import_catalog.n_movies == 0) {
        for (size_t i = 0; i < sizeof movies / sizeof *movies; i++)
            if (mr_catalog_add(&import_catalog, movies[i].id, movies[i].title, 0) != MR_OK)
                abort();
        mr_catalog_finish(&import_catalog, NULL, NULL, NULL);
        for (size_t i = 0; i < sizeof movies / sizeof *movies; i++)
            import_catalog.movies[mr_catalog_find(&import_catalog, movies[i].id)].imdb_id =
                movies[i].imdb;
    }
    return &import_catalog;
}

int fuzz_import(const uint8_t *data, size_t size)
{
    const struct mr_catalog *c = import_get_catalog();
    struct mr_import im;
    struct mr_error err;
    mr_error_clear(&err);
    int rc = mr_import_parse((const char *)data, size, "fuzz.csv", c, NULL, &im, &err);
    if (rc != MR_OK) {
        FUZZ_CHECK(rc == MR_EDATA || rc == MR_EUSAGE);
        FUZZ_CHECK(err.status == rc && err.msg[0]);
        FUZZ_CHECK(im.n_rows == 0 && im.rows == NULL);
        return 0;
    }
    long prev = 1;
    for (size_t i = 0; i < im.n_rows; i++) {
        const struct mr_import_row *r = &im.rows[i];
        FUZZ_CHECK(r->line >= prev); /* in file order (records may share a line: bare CRs) */
        prev = r->line;
        FUZZ_CHECK(r->title != NULL);
        switch (r->outcome) {
        case MR_IMPORT_MATCHED:
            FUZZ_CHECK(r->item >= 0 && r->item < c->n_movies);
            FUZZ_CHECK(r->half >= 1 && r->half <= 10 && r->what == NULL);
            break;
        case MR_IMPORT_AMBIGUOUS:
            FUZZ_CHECK(r->n_candidates >= 2 && r->n_candidates <= MR_IMPORT_MAX_CANDIDATES);
            for (int k = 0; k < r->n_candidates; k++)
                FUZZ_CHECK(r->candidates[k] >= 0 && r->candidates[k] < c->n_movies);
            break;
        case MR_IMPORT_UNKNOWN:
            FUZZ_CHECK(r->item == -1);
            break;
        case MR_IMPORT_BAD:
            FUZZ_CHECK(r->what != NULL && r->what[0]);
            break;
        }
    }
    struct mr_profile empty = {.fd = -1};
    struct mr_import_summary s;
    FUZZ_CHECK(mr_import_apply(&im, &empty, c, 1, 1, &s, &err) == MR_OK);
    FUZZ_CHECK(s.rows == (int64_t)im.n_rows);
    FUZZ_CHECK(s.matched + s.ambiguous + s.unknown + s.bad == s.rows);
    FUZZ_CHECK(s.same == 0 && s.updated == 0);
    FUZZ_CHECK(s.added + s.superseded == s.matched);
    FUZZ_CHECK(empty.n == 0);
    mr_import_free(&im);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_import(data, size);
}
#endif
