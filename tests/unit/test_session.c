/* test_session.c — the session over ml-latest-small with the default (hybrid) model: cold
 * start, onboarding, rating and undo, reopening, incremental state against a rebuilt one,
 * recommendations that follow the ratings, similar films, read-only users, the profile lock
 * and failed writes.  The models are fitted once into a temporary cache shared by the tests. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "movierec/session.h"
#include "movierec/topn.h"

#define DATA "data/ml-latest-small"

static char tmpdir[64];
static char cache_dir[128];
static int n_profiles;

/* A fresh profile path for one test. */
static const char *new_profile(char *buf, size_t len)
{
    snprintf(buf, len, "%s/profile-%d.csv", tmpdir, ++n_profiles);
    return buf;
}

static struct mr_session *open_session(const char *profile, int32_t user_id)
{
    struct mr_session_opts o = {
        .data_dir = DATA, .profile_path = profile, .user_id = user_id, .cache_dir = cache_dir};
    struct mr_session *s = NULL;
    struct mr_error err;
    int rc = mr_session_open(&o, &s, &err);
    if (rc != MR_OK)
        fprintf(stderr, "open: %s\n", err.msg);
    assert_int_equal(rc, MR_OK);
    rc = mr_session_prepare(s, &err);
    if (rc != MR_OK)
        fprintf(stderr, "prepare: %s\n", err.msg);
    assert_int_equal(rc, MR_OK);
    return s;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int group_setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/mr-session-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(cache_dir, sizeof cache_dir, "%s/cache", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    remove_tree(tmpdir);
    return 0;
}

static uint32_t genres(const struct mr_session *s, int32_t item)
{
    return mr_session_dataset(s)->catalog.movies[item].genres;
}

static int32_t item_of(const struct mr_session *s, int32_t movie_id)
{
    int32_t item = mr_catalog_find(&mr_session_dataset(s)->catalog, movie_id);
    assert_true(item >= 0);
    return item;
}

/* ---- Tests ---- */

static void test_cold_start_spans_genres(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    const struct mr_ratings *r = &mr_session_dataset(s)->ratings;
    struct mr_rec rec[5];
    assert_int_equal(mr_session_recommend(s, 5, rec), 5);
    uint32_t all = 0;
    int per_genre[MR_GENRE_COUNT] = {0};
    for (int k = 0; k < 5; k++) {
        uint32_t g = genres(s, rec[k].item);
        all |= g;
        for (int b = 0; b < MR_GENRE_COUNT; b++)
            per_genre[b] += (g >> b) & 1;
        /* Good and popular: widely seen and above the average rating. */
        assert_true(r->item_count[rec[k].item] >= 50);
        assert_true(r->item_mean[rec[k].item] > r->global_mean);
        assert_true(rec[k].reason[0] != '\0');
        for (int j = 0; j < k; j++)
            assert_int_not_equal(rec[j].item, rec[k].item);
    }
    int distinct = 0;
    for (int b = 0; b < MR_GENRE_COUNT; b++) {
        distinct += per_genre[b] > 0;
        assert_true(per_genre[b] < 5); /* not five of one kind */
    }
    assert_true(distinct >= 3);
    (void)all;
    mr_session_close(s);
}

static void test_onboarding_never_repeats(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    const struct mr_ratings *r = &mr_session_dataset(s)->ratings;
    int32_t shown[60];
    int n_shown = 0;
    struct mr_error err;
    for (int round = 0; round < 10; round++) {
        int32_t next[5];
        int got = mr_session_onboard_next(s, shown, n_shown, 5, next);
        assert_int_equal(got, 5);
        for (int k = 0; k < got; k++) {
            assert_int_equal(mr_session_user(s)->rated[next[k]], 0);
            for (int j = 0; j < n_shown; j++)
                assert_int_not_equal(shown[j], next[k]);
            for (int j = 0; j < k; j++)
                assert_int_not_equal(next[j], next[k]);
            /* Known films: among the most rated. */
            assert_true(r->item_count[next[k]] >= 30);
        }
        if (round == 0) {
            /* The first questions are spread over the genres. */
            int per_genre[MR_GENRE_COUNT] = {0}, distinct = 0;
            for (int k = 0; k < got; k++)
                for (int b = 0; b < MR_GENRE_COUNT; b++)
                    per_genre[b] += (genres(s, next[k]) >> b) & 1;
            for (int b = 0; b < MR_GENRE_COUNT; b++)
                distinct += per_genre[b] > 0;
            assert_true(distinct >= 5);
        }
        /* The person answers the first two, skips the others. */
        assert_int_equal(mr_session_rate(s, next[0], 8, &err), MR_OK);
        assert_int_equal(mr_session_rate(s, next[1], 4, &err), MR_OK);
        for (int k = 2; k < got; k++)
            shown[n_shown++] = next[k];
    }
    mr_session_close(s);
}

static void test_rate_and_undo(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    struct mr_error err;
    int32_t matrix = item_of(s, 2571), heat = item_of(s, 6);
    assert_int_equal(mr_session_rate(s, matrix, 9, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->rated[matrix], 9);
    int64_t first_ts = mr_session_rated_at(s, matrix);
    assert_true(first_ts > 0);
    assert_true(mr_session_last_update_ms(s) > 0);
    assert_int_equal(mr_session_rate(s, heat, 6, &err), MR_OK);
    sleep(1);
    assert_int_equal(mr_session_rate(s, matrix, 3, &err), MR_OK);
    assert_true(mr_session_rated_at(s, matrix) > first_ts);

    /* Undo the change: the old value and its old time come back. */
    assert_int_equal(mr_session_undo(s, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->rated[matrix], 9);
    assert_int_equal(mr_session_rated_at(s, matrix), first_ts);
    /* Undo the additions, newest first. */
    assert_int_equal(mr_session_undo(s, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->rated[heat], 0);
    assert_int_equal(mr_session_undo(s, &err), MR_OK);
    assert_int_equal(mr_session_user(s)->n, 0);
    assert_int_equal(mr_session_undo(s, &err), MR_ENOTFOUND);
    mr_session_close(s);

    /* Undone means undone on disk too. */
    s = open_session(prof, 0);
    assert_int_equal(mr_session_user(s)->n, 0);
    mr_session_close(s);
}

static void test_rated_film_leaves_recommendations(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    struct mr_error err;
    struct mr_rec rec[10];
    for (int step = 0; step < 8; step++) {
        assert_int_equal(mr_session_recommend(s, 10, rec), 10);
        int32_t taken = rec[0].item;
        assert_int_equal(mr_session_rate(s, taken, step % 2 ? 3 : 9, &err), MR_OK);
        int got = mr_session_recommend(s, 10, rec);
        assert_int_equal(got, 10);
        for (int k = 0; k < got; k++) {
            assert_int_equal(mr_session_user(s)->rated[rec[k].item], 0);
            assert_true(rec[k].reason[0] != '\0');
        }
    }
    mr_session_close(s);
}

static void test_reopened_session_sees_ratings(void **state)
{
    (void)state;
    char prof[128];
    new_profile(prof, sizeof prof);
    struct mr_error err;
    struct mr_session *s = open_session(prof, 0);
    int32_t items[3] = {item_of(s, 1), item_of(s, 318), item_of(s, 4993)};
    int vals[3] = {10, 7, 2};
    for (int k = 0; k < 3; k++)
        assert_int_equal(mr_session_rate(s, items[k], vals[k], &err), MR_OK);
    struct mr_rec before[5];
    int n_before = mr_session_recommend(s, 5, before);
    mr_session_close(s);

    s = open_session(prof, 0);
    const struct mr_user *u = mr_session_user(s);
    assert_int_equal(u->n, 3);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(u->rated[items[k]], vals[k]);
        assert_true(mr_session_rated_at(s, items[k]) > 0);
    }
    /* The same ratings give the same recommendations. */
    struct mr_rec after[5];
    assert_int_equal(mr_session_recommend(s, 5, after), n_before);
    for (int k = 0; k < n_before; k++)
        assert_int_equal(after[k].item, before[k].item);
    mr_session_close(s);
}

static void test_unknown_movies_kept(void **state)
{
    (void)state;
    char prof[128];
    new_profile(prof, sizeof prof);
    FILE *fp = fopen(prof, "w");
    assert_non_null(fp);
    fputs("userId,movieId,rating,timestamp\n0,999999999,4.0,100\n0,1,5.0,101\n", fp);
    fclose(fp);
    struct mr_error err;
    struct mr_session *s = open_session(prof, 0);
    assert_int_equal(mr_session_user(s)->n, 1); /* only the film the catalog knows */
    assert_int_equal(mr_session_rate(s, item_of(s, 2), 6, &err), MR_OK);
    mr_session_close(s);
    char line[256];
    int found = 0;
    fp = fopen(prof, "r");
    while (fgets(line, sizeof line, fp))
        found += strstr(line, ",999999999,4.0,") != NULL;
    fclose(fp);
    assert_int_equal(found, 1);
}

/* After a random sequence of additions, changes and removals, the incrementally kept scores
 * equal those of a state built from scratch from the same ratings. */
static void test_incremental_equals_rebuilt(void **state)
{
    (void)state;
    struct mr_session_opts o = {.data_dir = DATA, .cache_dir = cache_dir};
    struct mr_session *s;
    struct mr_error err;
    assert_int_equal(mr_session_open(&o, &s, &err), MR_OK);
    assert_int_equal(mr_session_prepare(s, &err), MR_OK);
    const struct mr_ratings *r = &mr_session_dataset(s)->ratings;
    int32_t n_items = r->n_items;
    /* Films with ratings, so that every model has something to say about them. */
    int32_t pool[200];
    int n_pool = 0;
    for (int32_t i = 0; i < n_items && n_pool < 200; i++)
        if (r->item_count[i] >= 20)
            pool[n_pool++] = i;
    unsigned seed = 11;
    for (int step = 0; step < 60; step++) {
        seed = seed * 1103515245u + 12345u;
        int32_t item = pool[(seed >> 8) % (unsigned)n_pool];
        int half = (int)((seed >> 20) % 11); /* 0 removes */
        assert_int_equal(mr_session_rate(s, item, half, &err), MR_OK);
        if (step % 7 == 6)
            assert_int_equal(mr_session_undo(s, &err), MR_OK);
    }
    const struct mr_model *m = mr_session_model(s);
    const struct mr_user *u = mr_session_user(s);
    assert_true(u->n > 5);
    float *live = malloc((size_t)n_items * sizeof *live);
    float *fresh = malloc((size_t)n_items * sizeof *fresh);
    assert_int_equal(mr_session_scores(s, live), 0);
    void *st = mr_model_user_from(m, u);
    assert_non_null(st);
    m->ops->score(m, st, u, fresh);
    double max_abs = 0, max_diff = 0;
    for (int32_t i = 0; i < n_items; i++) {
        if (isfinite(fresh[i]) && fabs(fresh[i]) > max_abs)
            max_abs = fabs(fresh[i]);
        double d = fabs((double)live[i] - fresh[i]);
        if (!(d <= max_diff) && !(isinf(live[i]) && live[i] == fresh[i]))
            max_diff = d;
    }
    assert_true(max_diff <= 1e-3 * (1 + max_abs));
    /* And so are the predictions. */
    for (int k = 0; k < 20; k++) {
        int32_t item = pool[k * 7];
        double a = mr_session_predict(s, item);
        double b = m->ops->predict(m, st, u, item);
        b = b < 0.5 ? 0.5 : b > 5 ? 5 : b;
        assert_true(fabs(a - b) < 1e-3);
    }
    m->ops->user_free(m, st);
    free(live);
    free(fresh);
    mr_session_close(s);
}

/* How many of the top 5 have all the genre bits of want. */
static int top5_with(struct mr_session *s, uint32_t want)
{
    struct mr_rec rec[5];
    int got = mr_session_recommend(s, 5, rec), n = 0;
    for (int k = 0; k < got; k++)
        n += (genres(s, rec[k].item) & want) != 0;
    return n;
}

static void test_recommendations_follow_ratings(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    struct mr_error err;
    const uint32_t horror = 1u << MR_GENRE_HORROR;
    const uint32_t kids = (1u << MR_GENRE_ANIMATION) | (1u << MR_GENRE_CHILDREN);
    int horror_cold = top5_with(s, horror), kids_cold = top5_with(s, kids);
    /* The Shining, Psycho, The Exorcist, Scream, 28 Days Later: five stars each. */
    const int32_t horror_ids[] = {1258, 1219, 1997, 1407, 6502};
    for (int k = 0; k < 5; k++)
        assert_int_equal(mr_session_rate(s, item_of(s, horror_ids[k]), 10, &err), MR_OK);
    int horror_now = top5_with(s, horror);
    assert_true(horror_now >= 3);
    assert_true(horror_now > horror_cold);
    mr_session_close(s);

    /* Toy Story, Aladdin, The Lion King, Finding Nemo, Monsters, Inc.: the list turns
     * towards animation. */
    s = open_session(new_profile(prof, sizeof prof), 0);
    const int32_t kids_ids[] = {1, 588, 364, 6377, 4886};
    for (int k = 0; k < 5; k++)
        assert_int_equal(mr_session_rate(s, item_of(s, kids_ids[k]), 10, &err), MR_OK);
    assert_true(top5_with(s, kids) > kids_cold);
    assert_true(top5_with(s, horror) < horror_now);
    mr_session_close(s);
}

static void test_similar(void **state)
{
    (void)state;
    struct mr_session *s = open_session(NULL, 0);
    int32_t toy = item_of(s, 1), toy2 = item_of(s, 3114);
    struct mr_rec rec[20];
    int got = mr_session_similar(s, toy, 20, rec);
    assert_int_equal(got, 20);
    int has_sequel = 0;
    for (int k = 0; k < got; k++) {
        assert_int_not_equal(rec[k].item, toy);
        assert_true(rec[k].reason[0] != '\0');
        if (k > 0)
            assert_true(rec[k].score <= rec[k - 1].score);
        has_sequel |= rec[k].item == toy2;
    }
    assert_true(has_sequel);
    assert_int_equal(mr_session_similar(s, -1, 5, rec), 0);
    mr_session_close(s);
}

static void test_dataset_user_is_read_only(void **state)
{
    (void)state;
    struct mr_session *s = open_session(NULL, 1);
    const struct mr_user *u = mr_session_user(s);
    assert_true(u->n > 20);
    struct mr_error err;
    assert_int_equal(mr_session_rate(s, item_of(s, 2), 8, &err), MR_EUSAGE);
    struct mr_rec rec[10];
    int got = mr_session_recommend(s, 10, rec);
    assert_int_equal(got, 10);
    for (int k = 0; k < got; k++)
        assert_int_equal(u->rated[rec[k].item], 0);
    double p = mr_session_predict(s, rec[0].item);
    assert_true(p >= 0.5 && p <= 5.0);
    mr_session_close(s);

    struct mr_session_opts o = {.data_dir = DATA, .user_id = 987654};
    assert_int_equal(mr_session_open(&o, &s, &err), MR_EUSAGE);
    assert_null(s);
}

static void test_profile_busy(void **state)
{
    (void)state;
    char prof[128];
    new_profile(prof, sizeof prof);
    struct mr_session_opts o = {.data_dir = DATA, .profile_path = prof};
    struct mr_session *a, *b;
    struct mr_error err;
    assert_int_equal(mr_session_open(&o, &a, &err), MR_OK);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int rc = mr_session_open(&o, &b, &err);
        _exit(rc == MR_EBUSY ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    mr_session_close(a);
}

static void test_failed_write_is_retried(void **state)
{
    (void)state;
    char prof[128];
    struct mr_session *s = open_session(new_profile(prof, sizeof prof), 0);
    struct mr_error err;
    int32_t a = item_of(s, 1), b = item_of(s, 2);
    struct stat st;
    assert_int_equal(stat(prof, &st), 0);
    struct mr_rec before[5];
    int n_before = mr_session_recommend(s, 5, before);

    /* The disk is full: nothing changes, the change waits. */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = mr_session_rate(s, a, 10, &err);
    int rc2 = mr_session_rate(s, b, 2, &err);
    int flush = mr_session_flush(s, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, MR_EIO);
    assert_int_equal(rc2, MR_EIO);
    assert_int_equal(flush, MR_EIO);
    assert_int_equal(mr_session_pending(s), 2);
    /* Each waiting change can be read back, oldest first: film, rating, time. */
    int32_t it = -1;
    int half = -1;
    int64_t when = 0;
    assert_int_equal(mr_session_pending_at(s, 0, &it, &half, &when), 0);
    assert_int_equal(it, a);
    assert_int_equal(half, 10);
    assert_true(when > 0);
    assert_int_equal(mr_session_pending_at(s, 1, &it, &half, NULL), 0);
    assert_int_equal(it, b);
    assert_int_equal(half, 2);
    assert_int_equal(mr_session_pending_at(s, 2, &it, &half, &when), -1);
    assert_int_equal(mr_session_pending_at(s, -1, NULL, NULL, NULL), -1);
    assert_int_equal(it, b); /* untouched */
    assert_int_equal(mr_session_user(s)->n, 0);
    struct mr_rec now[5];
    assert_int_equal(mr_session_recommend(s, 5, now), n_before);
    for (int k = 0; k < n_before; k++)
        assert_int_equal(now[k].item, before[k].item);

    /* Room again: the next change first writes the waiting ones, in order. */
    int32_t c = item_of(s, 3);
    assert_int_equal(mr_session_rate(s, c, 6, &err), MR_OK);
    assert_int_equal(mr_session_pending(s), 0);
    const struct mr_user *u = mr_session_user(s);
    assert_int_equal(u->n, 3);
    assert_int_equal(u->items[0], a);
    assert_int_equal(u->items[1], b);
    assert_int_equal(u->items[2], c);
    mr_session_close(s);
    s = open_session(prof, 0);
    assert_int_equal(mr_session_user(s)->n, 3);
    mr_session_close(s);
}

static void test_bad_input(void **state)
{
    (void)state;
    struct mr_session *s = open_session(NULL, 0);
    struct mr_error err;
    int32_t n_items = mr_session_dataset(s)->ratings.n_items;
    assert_int_equal(mr_session_rate(s, -1, 5, &err), MR_EUSAGE);
    assert_int_equal(mr_session_rate(s, n_items, 5, &err), MR_EUSAGE);
    assert_int_equal(mr_session_rate(s, 0, 11, &err), MR_EUSAGE);
    assert_int_equal(mr_session_predict(s, n_items), 0);
    mr_session_close(s);

    struct mr_session_opts o = {.data_dir = "/nonexistent/movierec"};
    assert_int_not_equal(mr_session_open(&o, &s, &err), MR_OK);
    o.data_dir = DATA;
    o.algo = "no-such-model";
    assert_int_equal(mr_session_open(&o, &s, &err), MR_EUSAGE);
    mr_session_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cold_start_spans_genres),
        cmocka_unit_test(test_onboarding_never_repeats),
        cmocka_unit_test(test_rate_and_undo),
        cmocka_unit_test(test_rated_film_leaves_recommendations),
        cmocka_unit_test(test_reopened_session_sees_ratings),
        cmocka_unit_test(test_unknown_movies_kept),
        cmocka_unit_test(test_incremental_equals_rebuilt),
        cmocka_unit_test(test_recommendations_follow_ratings),
        cmocka_unit_test(test_similar),
        cmocka_unit_test(test_dataset_user_is_read_only),
        cmocka_unit_test(test_profile_busy),
        cmocka_unit_test(test_failed_write_is_retried),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
