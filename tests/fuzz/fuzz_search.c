/* fuzz_search.c — the search query path on any bytes: mr_text_fold (its length contract, cut
 * output a prefix of the whole, folding twice changes nothing), then mr_search,
 * mr_resolve_movie and mr_search_complete over a small catalog of tricky titles; every hit
 * must be a real item, at most as many as asked. */
#include "movierec/search.h"
#include "fuzz_util.h"
#include "fuzz_targets.h"

static struct mr_catalog search_catalog;
static struct mr_search_index *search_index;

static const struct mr_search_index *search_get_index(void)
{
    static const char *const titles[] = {
        "Toy Story (1995)",
        "Toy Story 2 (1999)",
        "Matrix, The (1999)",
        "Heat (1995)",
        "Heat, The (2013)",
        "Amelie (Fabuleux destin d'Am\xC3\xA9lie Poulain, Le) (2001)",
        "Schindler's List (1993)",
        "Spider-Man (2002)",
        "Stra\xC3\x9F"
        "e (2010)",
        "\xD0\x91\xD1\x80\xD0\xB0\xD1\x82 (1997)",                 /* Cyrillic */
        "\xE5\x8D\x83\xE3\x81\xA8\xE5\x8D\x83\xE5\xB0\x8B (2001)", /* CJK */
        "(500) Days of Summer (2009)",
        "Se7en (a.k.a. Seven) (1995)",
        "A (2015)",
        "The (1900)",
        "Untitled",
        "",
    };
    if (!search_index) {
        for (size_t i = 0; i < sizeof titles / sizeof *titles; i++)
            if (mr_catalog_add(&search_catalog, (int32_t)i + 1, titles[i], 0) != MR_OK)
                abort();
        mr_catalog_finish(&search_catalog, NULL, NULL, NULL);
        search_index = mr_search_build(&search_catalog, NULL);
        if (!search_index)
            abort();
    }
    return search_index;
}

int fuzz_search(const uint8_t *data, size_t size)
{
    const struct mr_search_index *ix = search_get_index();
    const struct mr_catalog *c = &search_catalog;
    char *query = malloc(size + 1);
    char *folded = malloc(size + 1);
    char *twice = malloc(size + 1);
    char *cut = malloc(size + 1);
    FUZZ_CHECK(query && folded && twice && cut);
    memcpy(query, data, size);
    query[size] = '\0'; /* the text up to a NUL byte is the query */
    size_t qlen = strlen(query);

    size_t n = mr_text_fold(query, folded, qlen + 1);
    FUZZ_CHECK(n <= qlen && strlen(folded) == n);
    FUZZ_CHECK(mr_text_fold(query, NULL, 0) == n);
    for (size_t len = 1; len <= n + 1; len += 1 + len / 3) {
        FUZZ_CHECK(mr_text_fold(query, cut, len) == n);
        size_t got = strlen(cut);
        FUZZ_CHECK(got < len && memcmp(cut, folded, got) == 0);
    }
    FUZZ_CHECK(mr_text_fold(folded, twice, n + 1) == n && strcmp(folded, twice) == 0);

    struct mr_search_hit hits[8];
    int nh = mr_search(ix, query, hits, 8);
    FUZZ_CHECK(nh >= 0 && nh <= 8);
    for (int i = 0; i < nh; i++)
        FUZZ_CHECK(hits[i].item >= 0 && hits[i].item < c->n_movies);
    int32_t item = -1;
    int nc = -1;
    enum mr_resolve_result rr = mr_resolve_movie(ix, c, query, &item, hits, 8, &nc);
    if (rr == MR_RESOLVED)
        FUZZ_CHECK(item >= 0 && item < c->n_movies);
    FUZZ_CHECK(nc >= 0 && nc <= 8);
    for (int i = 0; i < nc; i++)
        FUZZ_CHECK(hits[i].item >= 0 && hits[i].item < c->n_movies);
    int32_t items[8];
    int ni = mr_search_complete(ix, query, items, 8);
    FUZZ_CHECK(ni >= 0 && ni <= 8);
    for (int i = 0; i < ni; i++)
        FUZZ_CHECK(items[i] >= 0 && items[i] < c->n_movies);
    free(query);
    free(folded);
    free(twice);
    free(cut);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_search(data, size);
}
#endif
