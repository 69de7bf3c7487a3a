/* test_import_apply.c — importing rows of every outcome and applying them: ambiguous,
 * unknown and bad rows are counted and never written, a row superseded by a later one for the
 * same film is skipped, a rating the profile already has is left alone, a row without a
 * timestamp gets "now", bad fields are quoted (cut to 24 characters) in the reason, header
 * names may carry spaces, and an apply that fails part way keeps what it wrote and leaves the
 * remaining rows unapplied. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/import.h"

struct fixture {
    char dir[64];
    char profile[128];
    struct mr_catalog c;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_import_apply.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->profile, sizeof f->profile, "%s/p.csv", f->dir);
    /* two different films called "Heat" from 1995 */
    if (mr_catalog_add(&f->c, 1, "Toy Story (1995)", 0) ||
        mr_catalog_add(&f->c, 6, "Heat (1995)", 0) || mr_catalog_add(&f->c, 7, "Heat (1995)", 0) ||
        mr_catalog_add(&f->c, 260, "Star Wars: Episode IV - A New Hope (1977)", 0))
        return -1;
    mr_catalog_finish(&f->c, NULL, NULL, "test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    mr_catalog_free(&f->c);
    free(f);
    return rc == 0 ? 0 : -1;
}

static void parse(struct fixture *f, const char *text, struct mr_import *im)
{
    struct mr_error err;
    int rc = mr_import_parse(text, strlen(text), "test.csv", &f->c, NULL, im, &err);
    if (rc != MR_OK)
        fail_msg("parse: %s", err.msg);
}

static void test_letterboxd_outcomes(void **state)
{
    struct fixture *f = *state;
    struct mr_import im;
    parse(f,
          "Date,Name,Year,Letterboxd URI,Rating\n"
          "2020-01-02,Toy Story,1995,https://boxd.it/a,4.5\n"
          "2020-01-03,Heat,1995,https://boxd.it/b,4\n"
          "2020-01-04,Nope Movie,2000,https://boxd.it/c,3\n"
          "2020-01-05,,2000,https://boxd.it/d,3\n"
          "2020-01-06,Star Wars: Episode IV - A New Hope,1977,https://boxd.it/e,7\n"
          "2020-01-07,Toy Story,1995,https://boxd.it/a,5\n",
          &im);
    assert_int_equal(im.format, MR_IMPORT_LETTERBOXD);
    assert_int_equal(im.n_rows, 6);
    assert_int_equal(im.rows[0].outcome, MR_IMPORT_MATCHED);
    assert_int_equal(im.rows[1].outcome, MR_IMPORT_AMBIGUOUS);
    assert_int_equal(im.rows[1].n_candidates, 2);
    assert_int_equal(im.rows[2].outcome, MR_IMPORT_UNKNOWN);
    assert_int_equal(im.rows[3].outcome, MR_IMPORT_BAD);
    assert_string_equal(im.rows[3].what, "no film name");
    assert_int_equal(im.rows[4].outcome, MR_IMPORT_BAD);
    assert_int_equal(im.rows[5].outcome, MR_IMPORT_MATCHED);
    assert_int_equal(im.rows[5].half, 10);
    assert_int_equal(im.rows[1].line, 3);

    /* the profile already has Toy Story at 5 stars */
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->profile, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 1, 10, 100, &err), MR_OK);
    struct mr_import_summary s;
    assert_int_equal(mr_import_apply(&im, &p, &f->c, 5000, 0, &s, &err), MR_OK);
    assert_int_equal(s.rows, 6);
    assert_int_equal(s.matched, 2);
    assert_int_equal(s.ambiguous, 1);
    assert_int_equal(s.unknown, 1);
    assert_int_equal(s.bad, 2);
    assert_int_equal(s.superseded, 1);
    assert_int_equal(s.same, 1);
    assert_int_equal(s.added + s.updated, 0);
    assert_int_equal(im.rows[0].change, MR_IMPORT_SUPERSEDED);
    assert_int_equal(im.rows[5].change, MR_IMPORT_SAME);
    for (int i = 1; i <= 4; i++)
        assert_int_equal(im.rows[i].change, MR_IMPORT_NONE);
    assert_int_equal(p.n, 1); /* nothing written */
    mr_profile_close(&p);
    mr_import_free(&im);
    assert_null(im.rows);
}

static void test_movielens_bad_fields(void **state)
{
    struct fixture *f = *state;
    struct mr_import im;
    parse(f,
          " userId , movieId ,rating,timestamp \n"
          "5,1,4.0,100\n"
          "5,abcdefghijklmnopqrstuvwxyz0123456789,4.0,100\n"
          "5,6,9,100\n"
          "5,6,4.0,yesterday\n"
          "x,6,4.0,100\n"
          "5,999,3.0,100\n"
          "5,260,2.0,\n",
          &im);
    assert_int_equal(im.format, MR_IMPORT_MOVIELENS);
    assert_int_equal(im.user_id, 5);
    assert_int_equal(im.n_rows, 7);
    assert_int_equal(im.rows[0].outcome, MR_IMPORT_MATCHED);
    assert_string_equal(im.rows[1].what,
                        "movieId 'abcdefghijklmnopqrstuvwx' is not a positive number");
    assert_string_equal(im.rows[2].what, "rating '9' is not 0.5 to 5 in half stars");
    assert_string_equal(im.rows[3].what, "timestamp 'yesterday' is not a number of seconds");
    assert_string_equal(im.rows[4].what, "userId 'x' is not a number");
    assert_int_equal(im.rows[5].outcome, MR_IMPORT_UNKNOWN);
    assert_string_equal(im.rows[5].title, "movieId 999");
    assert_int_equal(im.rows[6].outcome, MR_IMPORT_MATCHED);
    assert_int_equal(im.rows[6].timestamp, 0);

    /* a dry run works every change out and writes nothing */
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->profile, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 260, 6, 50, &err), MR_OK);
    struct mr_import_summary s;
    assert_int_equal(mr_import_apply(&im, &p, &f->c, 5000, 1, &s, &err), MR_OK);
    assert_int_equal(s.added, 1);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.bad, 4);
    assert_int_equal(s.unknown, 1);
    assert_int_equal(im.rows[6].change, MR_IMPORT_UPDATED);
    assert_int_equal(im.rows[6].old_half, 6);
    assert_int_equal(mr_profile_get(&p, 1), 0);
    assert_int_equal(mr_profile_get(&p, 260), 6);

    /* the disk is full: the first change fails, the rows after it stay unapplied */
    struct stat st;
    assert_int_equal(stat(f->profile, &st), 0);
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < (rlim_t)st.st_size)
        skip();
    small = saved;
    small.rlim_cur = (rlim_t)st.st_size;
    void (*old)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = mr_import_apply(&im, &p, &f->c, 5000, 0, &s, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old);
    assert_int_equal(rc, MR_EIO);
    assert_int_equal(im.rows[0].change, MR_IMPORT_NONE);
    assert_int_equal(im.rows[6].change, MR_IMPORT_NONE);
    assert_int_equal(mr_profile_get(&p, 1), 0);
    assert_int_equal(mr_profile_get(&p, 260), 6);

    /* room again: both written, the row without a timestamp at "now" */
    assert_int_equal(mr_import_apply(&im, &p, &f->c, 5000, 0, &s, &err), MR_OK);
    assert_int_equal(s.added, 1);
    assert_int_equal(s.updated, 1);
    assert_int_equal(mr_profile_get(&p, 1), 8);
    assert_int_equal(mr_profile_get(&p, 260), 4);
    int found = 0;
    for (int32_t i = 0; i < p.n; i++) {
        if (p.ratings[i].movie_id == 260) {
            assert_int_equal(p.ratings[i].timestamp, 5000);
            found++;
        }
        if (p.ratings[i].movie_id == 1) {
            assert_int_equal(p.ratings[i].timestamp, 100);
            found++;
        }
    }
    assert_int_equal(found, 2);
    mr_profile_close(&p);
    mr_import_free(&im);
}

static void test_format_names(void **state)
{
    (void)state;
    assert_string_equal(mr_import_format_name(MR_IMPORT_MOVIELENS), "MovieLens ratings.csv");
    assert_string_equal(mr_import_format_name(MR_IMPORT_IMDB), "IMDb ratings export");
    assert_string_equal(mr_import_format_name(MR_IMPORT_LETTERBOXD), "Letterboxd ratings.csv");
    assert_string_equal(mr_import_format_name((enum mr_import_format)9), "unknown");
    struct mr_import zero = {0};
    mr_import_free(&zero); /* a zeroed import is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_letterboxd_outcomes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_movielens_bad_fields, setup, teardown),
        cmocka_unit_test(test_format_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
