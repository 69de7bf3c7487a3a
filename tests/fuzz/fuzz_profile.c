/* fuzz_profile.c — a profile journal of any bytes: opening it must succeed (bad lines are
 * reported, the original kept as a backup and the journal rewritten) with ratings in range
 * and one per film; after one more rating, reopening finds exactly those ratings and no bad
 * line. */
#include "movierec/profile.h"
#include "fuzz_util.h"
#include "fuzz_targets.h"

/* Removes the journal and what opening it may leave beside it. */
static void profile_clean(const char *path)
{
    char other[600];
    unlink(path);
    snprintf(other, sizeof other, "%s.tmp", path);
    unlink(other);
    snprintf(other, sizeof other, "%s.bak", path);
    unlink(other);
    snprintf(other, sizeof other, "%s.bak.tmp", path);
    unlink(other);
}

int fuzz_profile(const uint8_t *data, size_t size)
{
    char path[512];
    fuzz_write("profile", "me.csv", data, size, path, sizeof path);
    long reports = 0;
    struct mr_profile p;
    struct mr_error err;
    int rc = mr_profile_open(path, fuzz_count_report, &reports, &p, &err);
    FUZZ_CHECK(rc == MR_OK);
    for (int32_t i = 0; i < p.n; i++) {
        FUZZ_CHECK(p.ratings[i].movie_id > 0);
        FUZZ_CHECK(p.ratings[i].half >= 1 && p.ratings[i].half <= 10);
        FUZZ_CHECK(p.ratings[i].timestamp >= 0);
        FUZZ_CHECK(mr_profile_get(&p, p.ratings[i].movie_id) == p.ratings[i].half);
        for (int32_t j = 0; j < i; j++)
            FUZZ_CHECK(p.ratings[j].movie_id != p.ratings[i].movie_id);
    }
    /* One more rating (a change when the film is rated already). */
    int32_t movie = 7;
    int half = mr_profile_get(&p, movie) == 3 ? 4 : 3;
    FUZZ_CHECK(mr_profile_set(&p, movie, half, 1234, &err) == MR_OK);
    int32_t n = p.n;
    struct mr_profile_rating *before = malloc(((size_t)n + 1) * sizeof *before);
    FUZZ_CHECK(before != NULL);
    memcpy(before, p.ratings, (size_t)n * sizeof *before);
    mr_profile_close(&p);

    long again = 0;
    FUZZ_CHECK(mr_profile_open(path, fuzz_count_report, &again, &p, &err) == MR_OK);
    FUZZ_CHECK(again == 0);
    FUZZ_CHECK(p.n == n);
    for (int32_t i = 0; i < n; i++)
        FUZZ_CHECK(mr_profile_get(&p, before[i].movie_id) == before[i].half);
    mr_profile_close(&p);
    free(before);
    profile_clean(path);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_profile(data, size);
}
#endif
