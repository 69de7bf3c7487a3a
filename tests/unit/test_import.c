/* test_import.c — importing ratings exports: format detection, matching (IMDb ids through
 * links, Letterboxd titles and years with alternative titles, articles and one-year slack,
 * MovieLens ids and users), applying to a profile without importing anything twice, and
 * hostile input (over-long records, a million fields, runaway quotes, NUL bytes, CRLF, a BOM,
 * a FIFO, a directory). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/import.h"
#include "movierec/profile.h"

#define FIX "tests/fixtures/import/"

/* ---- helpers ---- */

/* The ml-latest-small catalog (with links), loaded once for the tests that use real titles. */
static struct mr_dataset small;

static int load_small(void **state)
{
    (void)state;
    struct mr_load_opts opts = {.skip_ratings = 1};
    struct mr_error err;
    return mr_dataset_load("data/ml-latest-small", &opts, &small, &err) == MR_OK ? 0 : -1;
}

static int free_small(void **state)
{
    (void)state;
    mr_dataset_free(&small);
    return 0;
}

/* The row of im that starts at line, or NULL. */
static const struct mr_import_row *row_at(const struct mr_import *im, long line)
{
    for (size_t i = 0; i < im->n_rows; i++)
        if (im->rows[i].line == line)
            return &im->rows[i];
    return NULL;
}

/* Asserts that the row at line matched movieId id with half stars half. */
static void assert_matched(const struct mr_import *im, const struct mr_catalog *c, long line,
                           int32_t id, int half)
{
    const struct mr_import_row *r = row_at(im, line);
    assert_non_null(r);
    assert_int_equal(r->outcome, MR_IMPORT_MATCHED);
    assert_int_equal(c->movies[r->item].id, id);
    assert_int_equal(r->half, half);
}

static void assert_outcome(const struct mr_import *im, long line, enum mr_import_outcome o)
{
    const struct mr_import_row *r = row_at(im, line);
    assert_non_null(r);
    assert_int_equal(r->outcome, o);
}

/* Parses text (NUL-terminated) against c. */
static int parse(const char *text, const struct mr_catalog *c, int32_t user, struct mr_import *im,
                 struct mr_error *err)
{
    struct mr_import_opts opts = {user};
    return mr_import_parse(text, strlen(text), "test.csv", c, &opts, im, err);
}

/* A small hand-made catalog: titles chosen for the matching rules. */
static void tiny_catalog(struct mr_catalog *c)
{
    memset(c, 0, sizeof *c);
    static const struct {
        int32_t id;
        const char *title;
        int64_t imdb;
    } movies[] = {
        {1, "Matrix, The (1999)", 133093},
        {2, "Heat (1995)", 113277},
        {3, "Heat, The (1995)", 0}, /* made up: same year, differs by its article only */
        {4, "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)", 211915},
        {5, "Twin Film (2005)", 500},
        {6, "Twin Film (2005)", 500}, /* two movies sharing a title, a year and an IMDb id */
        {7, "Late Release (2003)", 0},
        {8, "No Year Known", 0},
    };
    for (size_t i = 0; i < sizeof movies / sizeof *movies; i++)
        assert_int_equal(mr_catalog_add(c, movies[i].id, movies[i].title, 0), MR_OK);
    mr_catalog_finish(c, NULL, NULL, NULL);
    for (size_t i = 0; i < sizeof movies / sizeof *movies; i++)
        c->movies[mr_catalog_find(c, movies[i].id)].imdb_id = movies[i].imdb;
}

struct tmpdir {
    char dir[64];
    char profile[128];
};

static void tmp_make(struct tmpdir *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/mr-import-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->profile, sizeof t->profile, "%s/me.csv", t->dir);
}

static void tmp_remove(struct tmpdir *t)
{
    DIR *d = opendir(t->dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", t->dir, e->d_name);
            unlink(path);
        }
    }
    closedir(d);
    rmdir(t->dir);
}

/* ---- formats and matching on the real catalog ---- */

static void test_imdb_export(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_read(FIX "imdb_ratings.csv", c, NULL, &im, &err), MR_OK);
    assert_int_equal(im.format, MR_IMPORT_IMDB);
    assert_int_equal(im.n_rows, 7);
    /* Your Rating out of 10 is the number of half stars: 9 -> 4.5 stars. */
    assert_matched(&im, c, 2, 1, 9);           /* tt0114709 Toy Story */
    assert_matched(&im, c, 3, 6, 7);           /* tt0113277 Heat: 7/10 -> 3.5 stars */
    assert_matched(&im, c, 4, 2571, 10);       /* tt0133093 The Matrix */
    assert_outcome(&im, 5, MR_IMPORT_UNKNOWN); /* a TV series: no movie has its id */
    assert_matched(&im, c, 6, 2959, 8);
    assert_matched(&im, c, 7, 293, 8);
    assert_matched(&im, c, 8, 5618, 9);
    const struct mr_import_row *r = row_at(&im, 5);
    assert_string_equal(r->title, "Breaking Bad");
    assert_int_equal(r->year, 2008);
    /* Date Rated 2019-05-12 at midnight UTC: 18028 days after 1970-01-01. */
    assert_int_equal(row_at(&im, 2)->timestamp, 18028LL * 86400);
    mr_import_free(&im);
}

static void test_letterboxd_export(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_read(FIX "letterboxd_ratings.csv", c, NULL, &im, &err), MR_OK);
    assert_int_equal(im.format, MR_IMPORT_LETTERBOXD);
    assert_int_equal(im.n_rows, 11);
    assert_matched(&im, c, 2, 4973, 9);   /* Amélie: the main title "Amelie", accents folded */
    assert_matched(&im, c, 3, 2571, 10);  /* The Matrix: "Matrix, The" in MovieLens */
    assert_matched(&im, c, 4, 293, 8);    /* Léon: The Professional (a.k.a. ...) (Léon) */
    assert_matched(&im, c, 5, 6, 7);      /* Heat 1995, not The Heat 2013 */
    assert_matched(&im, c, 6, 103372, 4); /* The Heat 2013 */
    assert_outcome(&im, 7, MR_IMPORT_AMBIGUOUS); /* two films "Emma (1996)" */
    const struct mr_import_row *emma = row_at(&im, 7);
    assert_int_equal(emma->n_candidates, 2);
    int32_t a = c->movies[emma->candidates[0]].id, b = c->movies[emma->candidates[1]].id;
    assert_true((a == 838 && b == 26958) || (a == 26958 && b == 838));
    assert_outcome(&im, 8, MR_IMPORT_UNKNOWN); /* Parasite 2019: only a 1982 Parasite here */
    assert_matched(&im, c, 9, 32, 8);          /* 12 Monkeys: the a.k.a. title */
    assert_matched(&im, c, 10, 47, 9);         /* Se7en */
    assert_matched(&im, c, 11, 3996, 7);       /* a quoted name with a comma */
    assert_matched(&im, c, 12, 5618, 10);
    assert_int_equal(row_at(&im, 2)->year, 2001);
    mr_import_free(&im);
}

static void test_movielens_users(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct mr_import im;
    struct mr_error err;
    /* Two users and none chosen: refused, pointing at the first row of the second user. */
    assert_int_equal(mr_import_read(FIX "movielens_two_users.csv", c, NULL, &im, &err), MR_EUSAGE);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.msg, "1 and 2"));
    assert_int_equal(im.n_rows, 0);

    struct mr_import_opts two = {2};
    assert_int_equal(mr_import_read(FIX "movielens_two_users.csv", c, &two, &im, &err), MR_OK);
    assert_int_equal(im.format, MR_IMPORT_MOVIELENS);
    assert_int_equal(im.user_id, 2);
    assert_int_equal(im.other_users_rows, 2);
    assert_int_equal(im.n_rows, 6);
    assert_matched(&im, c, 4, 318, 6);
    assert_int_equal(row_at(&im, 4)->timestamp, 1445714835);
    assert_outcome(&im, 6, MR_IMPORT_UNKNOWN); /* movieId 999999 */
    assert_outcome(&im, 8, MR_IMPORT_BAD);     /* rating "six" */
    assert_non_null(strstr(row_at(&im, 8)->what, "six"));
    assert_outcome(&im, 9, MR_IMPORT_BAD); /* 5.5 stars */
    mr_import_free(&im);

    struct mr_import_opts absent = {7};
    assert_int_equal(mr_import_read(FIX "movielens_two_users.csv", c, &absent, &im, &err),
                     MR_EUSAGE);
    assert_non_null(strstr(err.msg, "user 7"));
}

static void test_crlf_and_bom(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_read(FIX "movielens_crlf.csv", c, NULL, &im, &err), MR_OK);
    assert_int_equal(im.n_rows, 3);
    assert_matched(&im, c, 2, 1, 9);
    assert_matched(&im, c, 4, 6, 6);
    assert_int_equal(row_at(&im, 4)->timestamp, 1600000002);
    mr_import_free(&im);

    /* A byte order mark before the header, as spreadsheet programs write. */
    assert_int_equal(parse("\xEF\xBB\xBF"
                           "Const,Your Rating\ntt0133093,10\n",
                           c, 0, &im, &err),
                     MR_OK);
    assert_int_equal(im.format, MR_IMPORT_IMDB);
    assert_matched(&im, c, 2, 2571, 10);
    assert_string_equal(row_at(&im, 2)->title, "tt0133093"); /* no Title column: the id */
    mr_import_free(&im);
}

static void test_headers(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_read(FIX "unknown_format.csv", c, NULL, &im, &err), MR_EDATA);
    assert_int_equal(err.line, 1);
    assert_int_equal(parse("", c, 0, &im, &err), MR_EDATA);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(parse("\n\n\n", c, 0, &im, &err), MR_EDATA);
    /* Columns are found by name, in any order and case, with spaces around them. */
    assert_int_equal(parse("\n Rating , NAME,year\n4,The Matrix,1999\n", c, 0, &im, &err), MR_OK);
    assert_int_equal(im.format, MR_IMPORT_LETTERBOXD);
    assert_matched(&im, c, 3, 2571, 8);
    mr_import_free(&im);
    /* A header alone is an empty export, not an error. */
    assert_int_equal(parse("Date,Name,Year,Letterboxd URI,Rating\n", c, 0, &im, &err), MR_OK);
    assert_int_equal(im.n_rows, 0);
    mr_import_free(&im);
    /* MovieLens without a timestamp column. */
    assert_int_equal(parse("userId,movieId,rating\n5,1,3\n", c, 0, &im, &err), MR_OK);
    assert_matched(&im, c, 2, 1, 6);
    assert_int_equal(row_at(&im, 2)->timestamp, 0);
    mr_import_free(&im);
}

/* ---- matching rules on a hand-made catalog ---- */

static void test_title_rules(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct mr_import im;
    struct mr_error err;
    const char *text = "Name,Year,Rating\n"
                       "Heat,1995,4\n"       /* 2: exact title beats "Heat, The" */
                       "The Heat,1995,3\n"   /* 3: exact title beats "Heat" */
                       "Matrix,1999,5\n"     /* 4: no exact title: the article is ignored */
                       "THE MATRIX,2000,5\n" /* 5: one year off is accepted */
                       "The Matrix,2003,5\n" /* 6: four years off is not */
                       "Twin Film,2005,1\n"  /* 7: two films */
                       "Le Fabuleux destin d'Amelie Poulain,2001,4.5\n" /* 8: alternative */
                       "No Year Known,2010,2\n" /* 9: a film of unknown year takes any */
                       "Late Release,,2.5\n"    /* 10: no year in the file: title alone */
                       "!!!,1999,3\n";          /* 11: nothing left after folding */
    assert_int_equal(parse(text, &c, 0, &im, &err), MR_OK);
    assert_matched(&im, &c, 2, 2, 8);
    assert_matched(&im, &c, 3, 3, 6);
    assert_matched(&im, &c, 4, 1, 10);
    assert_matched(&im, &c, 5, 1, 10);
    assert_outcome(&im, 6, MR_IMPORT_UNKNOWN);
    assert_outcome(&im, 7, MR_IMPORT_AMBIGUOUS);
    assert_matched(&im, &c, 8, 4, 9);
    assert_matched(&im, &c, 9, 8, 4);
    assert_matched(&im, &c, 10, 7, 5);
    assert_outcome(&im, 11, MR_IMPORT_UNKNOWN);
    mr_import_free(&im);

    /* IMDb: a shared id is ambiguous; 0 is never an id. */
    assert_int_equal(
        parse("Const,Your Rating\ntt0000500,6\ntt0000000,6\ntt0211915,1\n", &c, 0, &im, &err),
        MR_OK);
    assert_outcome(&im, 2, MR_IMPORT_AMBIGUOUS);
    assert_int_equal(row_at(&im, 2)->n_candidates, 2);
    assert_outcome(&im, 3, MR_IMPORT_BAD);
    assert_matched(&im, &c, 4, 4, 1); /* 1/10 is half a star */
    mr_import_free(&im);
    mr_catalog_free(&c);
}

static void test_bad_values(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct mr_import im;
    struct mr_error err;
    const char *text = "Name,Year,Rating,Date\n"
                       "Heat,1995,5.5,2020-01-01\n"  /* 2 */
                       "Heat,1995,0,2020-01-01\n"    /* 3 */
                       "Heat,1995,3.3,2020-01-01\n"  /* 4 */
                       "Heat,1995,,2020-01-01\n"     /* 5 */
                       ",1995,3,2020-01-01\n"        /* 6 */
                       "Heat,1995,-3,2020-01-01\n"   /* 7 */
                       "Heat,1995,3.50,not a date\n" /* 8: fine, no date */
                       "Heat,1995\n";                /* 9: too few fields */
    assert_int_equal(parse(text, &c, 0, &im, &err), MR_OK);
    for (long line = 2; line <= 7; line++) {
        assert_outcome(&im, line, MR_IMPORT_BAD);
        assert_non_null(row_at(&im, line)->what);
    }
    assert_matched(&im, &c, 8, 2, 7);
    assert_int_equal(row_at(&im, 8)->timestamp, 0);
    assert_outcome(&im, 9, MR_IMPORT_BAD);
    assert_non_null(strstr(row_at(&im, 9)->what, "at least 4 fields"));
    mr_import_free(&im);
    mr_catalog_free(&c);
}

/* ---- hostile input ---- */

/* Appends s to a growing buffer. */
struct buf {
    char *p;
    size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void puts_buf(struct buf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void test_hostile_records(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct buf b = {0};
    puts_buf(&b, "Name,Year,Rating\n");
    puts_buf(&b, "Heat,1995,4\n"); /* 2 */
    puts_buf(&b, "\"");            /* 3: a 100 KB quoted title */
    for (int i = 0; i < 100 * 1024; i++)
        put(&b, "x", 1);
    puts_buf(&b, "\",1995,4\n");
    for (int i = 0; i < 1000 * 1000; i++) /* 4: a line of a million fields */
        put(&b, "1,", 2);
    puts_buf(&b, "1\n");
    puts_buf(&b, "The Matrix,1999,5\n");     /* 5 */
    put(&b, "Heat\0\0,1995,3\n", 14);        /* 6: NUL bytes in the name */
    puts_buf(&b, "\"Never closed,1999,5\n"); /* 7: a quote that runs to the end */
    for (int i = 0; i < 5000; i++)           /* 90 KB: more than a record may hold */
        puts_buf(&b, "The Matrix,1999,5\n");
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_parse(b.p, b.n, "hostile.csv", &c, NULL, &im, &err), MR_OK);
    assert_matched(&im, &c, 2, 2, 8);
    assert_outcome(&im, 3, MR_IMPORT_BAD);
    assert_non_null(strstr(row_at(&im, 3)->what, "longer than"));
    assert_outcome(&im, 4, MR_IMPORT_BAD);
    assert_matched(&im, &c, 5, 1, 10); /* line numbers still right after the cut records */
    assert_matched(&im, &c, 6, 2, 6);  /* "Heat" + NULs folds to "heat" */
    assert_outcome(&im, 7, MR_IMPORT_BAD);
    /* The runaway quote swallowed lines until the cap; reading went on after it. */
    const struct mr_import_row *last = &im.rows[im.n_rows - 1];
    assert_int_equal(last->line, 7 + 5000);
    assert_int_equal(last->outcome, MR_IMPORT_MATCHED);
    mr_import_free(&im);

    /* An over-long header is an error, not a hang. */
    b.n = 0;
    for (int i = 0; i < 200 * 1024; i++)
        put(&b, "Name,", 5);
    assert_int_equal(mr_import_parse(b.p, b.n, "wide.csv", &c, NULL, &im, &err), MR_EDATA);
    free(b.p);
    mr_catalog_free(&c);
}

/* mr_import_read() reads 64 KB blocks: records that cross a block end (and CRLF pairs cut
 * between \r and \n) still come out whole, at their own lines. */
static void test_file_blocks(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct tmpdir t;
    tmp_make(&t);
    char path[160];
    snprintf(path, sizeof path, "%s/big.csv", t.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("Name,Year,Rating\r\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "\"Heat\",1995,%d\r\n", 1 + i % 5);
    fclose(f);
    struct mr_import im;
    struct mr_error err;
    assert_int_equal(mr_import_read(path, &c, NULL, &im, &err), MR_OK);
    assert_int_equal(im.n_rows, 20000);
    for (size_t i = 0; i < im.n_rows; i++) {
        assert_int_equal(im.rows[i].line, (long)i + 2);
        assert_int_equal(im.rows[i].half, 2 * (1 + (int)i % 5));
        assert_int_equal(im.rows[i].outcome, MR_IMPORT_MATCHED);
    }
    mr_import_free(&im);
    unlink(path);
    tmp_remove(&t);
    mr_catalog_free(&c);
}

/* Old Mac files end each line with a lone CR: every row is reported at its own line, as with
 * LF or CRLF, and a quoted field over two CR-ended lines keeps the count right. */
static void test_cr_line_ends(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct mr_import im;
    struct mr_error err;
    const char *text = "Name,Year,Rating\r"
                       "Heat,1995,4\r"            /* 2 */
                       "Heat,1995,9\r"            /* 3: bad rating */
                       "\r"                       /* 4: blank */
                       "\"Odd\rTitle\",1999,5\r"  /* 5-6: a CR inside quotes */
                       "Nothing Like It,1999,3\r" /* 7: unknown */
                       "Heat,1995\r";             /* 8: too few fields */
    assert_int_equal(parse(text, &c, 0, &im, &err), MR_OK);
    assert_int_equal(im.n_rows, 5);
    assert_matched(&im, &c, 2, 2, 8);
    assert_outcome(&im, 3, MR_IMPORT_BAD);
    assert_outcome(&im, 5, MR_IMPORT_UNKNOWN);
    assert_outcome(&im, 7, MR_IMPORT_UNKNOWN);
    assert_outcome(&im, 8, MR_IMPORT_BAD);
    mr_import_free(&im);

    /* Mixed: LF, CRLF and CR lines count one each. */
    assert_int_equal(parse("Name,Year,Rating\nHeat,1995,1\r\nHeat,1995,2\rHeat,1995,3\n"
                           "Heat,1995,7\r\r\nHeat,1995,5",
                           &c, 0, &im, &err),
                     MR_OK);
    assert_int_equal(im.n_rows, 5);
    assert_matched(&im, &c, 2, 2, 2);
    assert_matched(&im, &c, 3, 2, 4);
    assert_matched(&im, &c, 4, 2, 6);
    assert_outcome(&im, 5, MR_IMPORT_BAD); /* line 6 is the blank "\r\n" */
    assert_matched(&im, &c, 7, 2, 10);
    mr_import_free(&im);
    mr_catalog_free(&c);
}

/* A CRLF split between two reads of the file (they are 64 KiB long) is one line end, and a
 * CR-only file read in blocks numbers its lines like the same text parsed whole. */
static void test_cr_line_ends_in_blocks(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct tmpdir t;
    tmp_make(&t);
    char path[160];
    snprintf(path, sizeof path, "%s/split.csv", t.dir);
    const long block = 64 * 1024;
    for (int variant = 0; variant < 2; variant++) {
        const char *eol = variant == 0 ? "\r\n" : "\r";
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "Name,Year,Rating%s", eol);
        long rows = 0;
        /* Rows up to just before the block end, then one whose '\r' is the block's last byte. */
        while (ftell(f) + 40 < block) {
            fprintf(f, "Heat,1995,%d%s", 1 + (int)(rows % 5), eol);
            rows++;
        }
        long pad = block - ftell(f) - (long)strlen("Heat,1995,3\r");
        fprintf(f, "%*sHeat,1995,3%s", (int)pad, "", eol);
        rows++;
        fprintf(f, "Heat,1995,2%sHeat,1995,1%s", eol, eol);
        rows += 2;
        fclose(f);
        struct mr_import im;
        struct mr_error err;
        assert_int_equal(mr_import_read(path, &c, NULL, &im, &err), MR_OK);
        assert_int_equal(im.n_rows, rows);
        for (size_t i = 0; i < im.n_rows; i++)
            assert_int_equal(im.rows[i].line, (long)i + 2);
        assert_int_equal(im.rows[rows - 1].half, 2);
        mr_import_free(&im);
    }
    unlink(path);
    tmp_remove(&t);
    mr_catalog_free(&c);
}

static void test_not_regular_files(void **state)
{
    (void)state;
    struct mr_catalog c;
    tiny_catalog(&c);
    struct tmpdir t;
    tmp_make(&t);
    char fifo[160];
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", t.dir);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    struct mr_import im;
    struct mr_error err;
    /* No writer ever opens the FIFO: a blocking open would never return. */
    assert_int_equal(mr_import_read(fifo, &c, NULL, &im, &err), MR_EDATA);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_int_equal(mr_import_read(t.dir, &c, NULL, &im, &err), MR_EDATA);
    assert_int_equal(mr_import_read("/nonexistent/ratings.csv", &c, NULL, &im, &err), MR_EDATA);
    unlink(fifo);
    tmp_remove(&t);
    mr_catalog_free(&c);
}

/* ---- applying ---- */

static void test_apply_once(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct tmpdir t;
    tmp_make(&t);
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(t.profile, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 6, 2, 100, &err), MR_OK);     /* Heat: will change */
    assert_int_equal(mr_profile_set(&p, 2571, 10, 100, &err), MR_OK); /* Matrix: the same */

    struct mr_import im;
    assert_int_equal(mr_import_read(FIX "imdb_ratings.csv", c, NULL, &im, &err), MR_OK);
    struct mr_import_summary s;
    /* A dry run works the changes out and writes nothing. */
    struct stat before, after;
    assert_int_equal(stat(t.profile, &before), 0);
    assert_int_equal(mr_import_apply(&im, &p, c, 5000, 1, &s, &err), MR_OK);
    assert_int_equal(stat(t.profile, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    assert_int_equal(p.n, 2);
    assert_int_equal(s.added, 4);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.same, 1);

    assert_int_equal(mr_import_apply(&im, &p, c, 5000, 0, &s, &err), MR_OK);
    assert_int_equal(s.rows, 7);
    assert_int_equal(s.matched, 6);
    assert_int_equal(s.unknown, 1);
    assert_int_equal(s.added, 4);
    assert_int_equal(s.updated, 1);
    assert_int_equal(s.same, 1);
    assert_int_equal(row_at(&im, 3)->change, MR_IMPORT_UPDATED);
    assert_int_equal(row_at(&im, 3)->old_half, 2);
    assert_int_equal(row_at(&im, 4)->change, MR_IMPORT_SAME);
    assert_int_equal(row_at(&im, 5)->change, MR_IMPORT_NONE);
    assert_int_equal(mr_profile_get(&p, 6), 7);
    assert_int_equal(mr_profile_get(&p, 1), 9);
    assert_int_equal(p.n, 6);
    /* The date rated becomes the rating's timestamp. */
    for (int32_t i = 0; i < p.n; i++)
        if (p.ratings[i].movie_id == 1)
            assert_int_equal(p.ratings[i].timestamp, 18028LL * 86400);

    /* Again: nothing changes, on disk either. */
    assert_int_equal(stat(t.profile, &before), 0);
    assert_int_equal(mr_import_apply(&im, &p, c, 6000, 0, &s, &err), MR_OK);
    assert_int_equal(s.added + s.updated, 0);
    assert_int_equal(s.same, 6);
    assert_int_equal(stat(t.profile, &after), 0);
    assert_int_equal(before.st_size, after.st_size);
    mr_import_free(&im);
    mr_profile_close(&p);

    /* Reopened from disk, the imported ratings are there. */
    assert_int_equal(mr_profile_open(t.profile, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(p.n, 6);
    assert_int_equal(mr_profile_get(&p, 5618), 9);
    mr_profile_close(&p);
    tmp_remove(&t);
}

static void test_apply_superseded_and_round_trip(void **state)
{
    (void)state;
    const struct mr_catalog *c = &small.catalog;
    struct tmpdir t;
    tmp_make(&t);
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(t.profile, NULL, NULL, &p, &err), MR_OK);
    struct mr_import im;
    /* The same film twice: the later line wins, the earlier one is superseded. */
    assert_int_equal(parse("userId,movieId,rating,timestamp\n3,1,2.0,10\n3,6,4,11\n3,1,4.5,12\n", c,
                           0, &im, &err),
                     MR_OK);
    struct mr_import_summary s;
    assert_int_equal(mr_import_apply(&im, &p, c, 99, 0, &s, &err), MR_OK);
    assert_int_equal(s.superseded, 1);
    assert_int_equal(s.added, 2);
    assert_int_equal(row_at(&im, 2)->change, MR_IMPORT_SUPERSEDED);
    assert_int_equal(mr_profile_get(&p, 1), 9);
    mr_import_free(&im);

    /* What export writes, import reads back as already there. */
    char out[160];
    snprintf(out, sizeof out, "%s/export.csv", t.dir);
    assert_int_equal(mr_profile_export(&p, out, 0, &err), MR_OK);
    assert_int_equal(mr_import_read(out, c, NULL, &im, &err), MR_OK);
    assert_int_equal(im.format, MR_IMPORT_MOVIELENS);
    assert_int_equal(mr_import_apply(&im, &p, c, 99, 0, &s, &err), MR_OK);
    assert_int_equal(s.matched, 2);
    assert_int_equal(s.same, 2);
    assert_int_equal(s.added + s.updated, 0);
    mr_import_free(&im);
    unlink(out);
    mr_profile_close(&p);
    tmp_remove(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_imdb_export),
        cmocka_unit_test(test_letterboxd_export),
        cmocka_unit_test(test_movielens_users),
        cmocka_unit_test(test_crlf_and_bom),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_title_rules),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_hostile_records),
        cmocka_unit_test(test_file_blocks),
        cmocka_unit_test(test_cr_line_ends),
        cmocka_unit_test(test_cr_line_ends_in_blocks),
        cmocka_unit_test(test_not_regular_files),
        cmocka_unit_test(test_apply_once),
        cmocka_unit_test(test_apply_superseded_and_round_trip),
    };
    return cmocka_run_group_tests(tests, load_small, free_small);
}
