/* test_load_lines.c — the helpers the line-based loaders share (white box, loaders.h): the id
 * parsers at their bounds, the bad-id description, mr_read_rating_lines() with layouts of its
 * own (a one-byte and a two-byte separator, report words taken from the layout, over-long
 * lines) and mr_read_movie_lines() reporting a duplicate at its own line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/catalog.h"
#include "movierec/dataset.h"
#include "movierec/error.h"
#include "movierec/ratings.h"
#include "../../src/engine/loaders.h" /* white box: the shared loader helpers */

/* ---- helpers ---- */

#define MAX_REPORTS 16

struct reports {
    int n;
    long line[MAX_REPORTS];
    char what[MAX_REPORTS][160];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    (void)file;
    struct reports *rs = ctx;
    assert_true(rs->n < MAX_REPORTS);
    rs->line[rs->n] = line;
    snprintf(rs->what[rs->n], sizeof rs->what[0], "%s", what);
    rs->n++;
}

/* Writes text to a new temporary file; its path goes into path (size 64). */
static void write_temp(char *path, const char *text)
{
    snprintf(path, 64, "/tmp/mr-test-load-lines-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = strlen(text);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    assert_int_equal(close(fd), 0);
}

/* A finished catalog of movies 10 and 20 (items 0 and 1). */
static void two_movies(struct mr_catalog *c)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(mr_catalog_add(c, 20, "Twenty (2000)", 0), MR_OK);
    assert_int_equal(mr_catalog_add(c, 10, "Ten (1990)", 0), MR_OK);
    mr_catalog_finish(c, NULL, NULL, "test");
}

/* ---- the id parsers ---- */

static int parse_id(const char *s, int32_t *out)
{
    *out = -7;
    return mr_parse_id(s, strlen(s), out);
}

static void test_parse_id_bounds(void **state)
{
    (void)state;
    int32_t v;
    assert_true(parse_id("1", &v));
    assert_int_equal(v, 1);
    assert_true(parse_id("2147483647", &v));
    assert_int_equal(v, INT32_MAX);
    assert_true(parse_id("0000000042", &v)); /* ten digits, leading zeros */
    assert_int_equal(v, 42);
    /* refused: out is left alone */
    const char *bad[] = {"",   "0",  "2147483648", "9999999999", "00000000001",
                         "-1", "+1", "1a",         " 1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse_id(bad[i], &v))
            fail_msg("'%s' was taken as an id", bad[i]);
        assert_int_equal(v, -7);
    }
}

static void test_parse_u63_bounds(void **state)
{
    (void)state;
    int64_t v = -1;
    assert_true(mr_parse_u63("0", 1, &v));
    assert_int_equal(v, 0);
    assert_true(mr_parse_u63("999999999999999999", 18, &v));
    assert_int_equal(v, 999999999999999999ll);
    assert_false(mr_parse_u63("1000000000000000000", 19, &v)); /* 19 digits */
    assert_false(mr_parse_u63("", 0, &v));
    assert_false(mr_parse_u63("1.5", 3, &v));
    /* only the first n bytes count */
    assert_true(mr_parse_u63("12x", 2, &v));
    assert_int_equal(v, 12);
}

static void test_describe_bad_id(void **state)
{
    (void)state;
    char what[128];
    const char *got = mr_describe_bad_id("UserID", "x1", 2, what, sizeof what);
    assert_ptr_equal(got, what);
    assert_string_equal(what, "UserID 'x1' is not a positive integer");
    /* a long field is shown cut to its first 24 bytes */
    const char *id = "abcdefghijklmnopqrstuvwxyz0123";
    mr_describe_bad_id("movie id", id, strlen(id), what, sizeof what);
    assert_string_equal(what, "movie id 'abcdefghijklmnopqrstuvwx' is not a positive integer");
    /* a short buffer is filled, never overrun */
    char small[8];
    mr_describe_bad_id("movieId", "7x", 2, small, sizeof small);
    assert_string_equal(small, "movieId");
}

/* ---- ratings through a layout ---- */

static void test_rating_lines_one_byte_separator(void **state)
{
    (void)state;
    static const struct mr_rating_layout semicolons = {";", "4 fields (u;m;r;t)", "U", "M"};
    char path[64];
    write_temp(path, "1;10;4;100\n"     /* 1: item 0, 8 half stars */
                     "2;20;0.5;100\r\n" /* 2: CRLF, item 1, 1 half star */
                     "\n"               /* 3: blank, not counted */
                     "x;10;4;100\n"     /* 4 */
                     "1;y;4;100\n"      /* 5 */
                     "1;30;4;100\n"     /* 6: no movie 30 */
                     "1;10;4\n"         /* 7 */
                     "1;10;4;100;5\n"   /* 8 */
                     "1;10;5.5;100\n"   /* 9 */
                     "1;10;4;soon\n"    /* 10 */
                     "3;10;2.5;100");   /* 11: no final newline */
    struct mr_catalog c;
    two_movies(&c);
    struct reports rs = {0};
    struct mr_load_opts opts = {.report = collect, .report_ctx = &rs};
    struct mr_load_stats stats = {0};
    struct mr_error err;
    mr_error_clear(&err);
    struct mr_load ld;
    mr_load_init(&ld, &opts, &stats, &err);
    struct mr_ratings_builder b = {0};
    assert_int_equal(mr_read_rating_lines(&ld, path, &semicolons, &c, &b), MR_OK);

    assert_int_equal(b.n, 3);
    assert_int_equal(b.user_ids[0], 1);
    assert_int_equal(b.items[0], 0);
    assert_int_equal(b.vals[0], 8);
    assert_int_equal(b.user_ids[1], 2);
    assert_int_equal(b.items[1], 1);
    assert_int_equal(b.vals[1], 1);
    assert_int_equal(b.user_ids[2], 3);
    assert_int_equal(b.vals[2], 5);

    const long lines[] = {4, 5, 6, 7, 8, 9, 10};
    const char *whats[] = {
        "U 'x' is not a positive integer",
        "M 'y' is not a positive integer",
        "unknown M 30",
        "expected 4 fields (u;m;r;t), found 3",
        "expected 4 fields (u;m;r;t), found 5",
        "rating '5.5' outside 0.5..5",
        "timestamp is not a number",
    };
    assert_int_equal(rs.n, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(rs.line[i], lines[i]);
        assert_string_equal(rs.what[i], whats[i]);
    }
    assert_int_equal(stats.lines_read, 10);
    assert_int_equal(stats.lines_skipped, 7);

    mr_ratings_builder_free(&b);
    mr_catalog_free(&c);
    unlink(path);
}

static void test_rating_lines_two_byte_separator(void **state)
{
    (void)state;
    static const struct mr_rating_layout colons = {"::", "four '::' fields", "UserID", "MovieID"};
    char path[64];
    /* A lone ':' is not a separator: "1:10" is one field, so line 2 has 3 fields. */
    write_temp(path, "5::20::3.5::7\n1:10::4::100\n6::10::1::7\n");
    struct mr_catalog c;
    two_movies(&c);
    struct reports rs = {0};
    struct mr_load_opts opts = {.report = collect, .report_ctx = &rs};
    struct mr_load ld;
    mr_load_init(&ld, &opts, NULL, NULL);
    struct mr_ratings_builder b = {0};
    assert_int_equal(mr_read_rating_lines(&ld, path, &colons, &c, &b), MR_OK);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.user_ids[0], 5);
    assert_int_equal(b.items[0], 1);
    assert_int_equal(b.vals[0], 7);
    assert_int_equal(b.user_ids[1], 6);
    assert_int_equal(b.vals[1], 2);
    assert_int_equal(rs.n, 1);
    assert_int_equal(rs.line[0], 2);
    assert_string_equal(rs.what[0], "expected four '::' fields, found 3");
    mr_ratings_builder_free(&b);
    mr_catalog_free(&c);
    unlink(path);
}

static void test_rating_lines_missing_file(void **state)
{
    (void)state;
    static const struct mr_rating_layout tabs = {"\t", "4 fields", "user id", "item id"};
    struct mr_catalog c;
    two_movies(&c);
    struct mr_error err;
    mr_error_clear(&err);
    struct mr_load ld;
    mr_load_init(&ld, NULL, NULL, &err);
    struct mr_ratings_builder b = {0};
    const char *path = "/tmp/mr-test-load-lines-no-such-file";
    assert_int_equal(mr_read_rating_lines(&ld, path, &tabs, &c, &b), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_int_equal(b.n, 0);
    mr_ratings_builder_free(&b);
    mr_catalog_free(&c);
}

/* Over-long lines are skipped at their own line numbers, both one that fits the read block
 * and one longer than the block, and the lines after them still load. */
static void test_rating_lines_over_long(void **state)
{
    (void)state;
    static const struct mr_rating_layout tabs = {"\t", "4 fields", "user id", "item id"};
    size_t mid = MR_MAX_LINE + 10, huge = (size_t)3 << 19; /* 1.5 MiB: more than one block */
    size_t cap = mid + huge + 256, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    n += (size_t)snprintf(text + n, cap - n, "1\t10\t4\t1\n");
    memset(text + n, 'x', mid);
    n += mid;
    n += (size_t)snprintf(text + n, cap - n, "\n2\t20\t3\t1\n");
    memset(text + n, '7', huge);
    n += huge;
    n += (size_t)snprintf(text + n, cap - n, "\n3\t10\t5\t1\n");
    char path[64];
    write_temp(path, "");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
    free(text);

    struct mr_catalog c;
    two_movies(&c);
    struct reports rs = {0};
    struct mr_load_opts opts = {.report = collect, .report_ctx = &rs};
    struct mr_load_stats stats = {0};
    struct mr_load ld;
    mr_load_init(&ld, &opts, &stats, NULL);
    struct mr_ratings_builder b = {0};
    assert_int_equal(mr_read_rating_lines(&ld, path, &tabs, &c, &b), MR_OK);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.user_ids[0], 1);
    assert_int_equal(b.user_ids[1], 2);
    assert_int_equal(b.user_ids[2], 3);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.line[0], 2);
    assert_int_equal(rs.line[1], 4);
    assert_string_equal(rs.what[0], "line longer than 65536 bytes");
    assert_string_equal(rs.what[1], "line longer than 65536 bytes");
    assert_int_equal(stats.lines_read, 5);
    assert_int_equal(stats.lines_skipped, 2);
    mr_ratings_builder_free(&b);
    mr_catalog_free(&c);
    unlink(path);
}

/* ---- line ends: "\n", "\r\n" and a lone "\r" (old Mac files) ---- */

/* Writes n bytes of text to a new temporary file (path of size 64). */
static void write_temp_bytes(char *path, const char *text, size_t n)
{
    write_temp(path, "");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

/* The line reader ends a line at "\n", "\r\n" or a lone "\r", also when a "\r\n" is cut
 * between two reads (a 1 MiB block) and when a lone "\r" ends the file; line numbers count
 * every line once; an over-long line ended by "\r" is skipped up to that "\r" only. */
static void test_lines_cr_ends(void **state)
{
    (void)state;
    size_t cap = (size_t)3 << 20, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    /* 1048 lines of 1000 bytes with "\r\n", then one whose '\r' is the block's last byte. */
    for (int i = 0; i < 1048; i++) {
        memset(text + n, 'a', 998);
        n += 998;
        memcpy(text + n, "\r\n", 2);
        n += 2;
    }
    memset(text + n, 'b', 575);
    n += 575;
    assert_int_equal(n, (1u << 20) - 1);
    memcpy(text + n, "\r\n", 2);
    n += 2;
    for (int i = 0; i < 10; i++)
        n += (size_t)snprintf(text + n, cap - n, "c%d\r", i);
    memset(text + n, 'z', MR_MAX_LINE + 5); /* over-long, ended by a lone '\r' */
    n += MR_MAX_LINE + 5;
    n += (size_t)snprintf(text + n, cap - n, "\rd\ne\r\r\nf\r");
    char path[64];
    write_temp_bytes(path, text, n);
    free(text);

    struct mr_load_stats stats = {0};
    struct mr_load ld;
    mr_load_init(&ld, NULL, &stats, NULL);
    struct mr_lines lr;
    assert_int_equal(mr_lines_open(&lr, &ld, path, "test"), MR_OK);
    char *t;
    size_t len;
    for (int i = 0; i < 1048; i++) {
        assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_OK);
        assert_int_equal(len, 1000);
        assert_int_equal(t[0], 'a');
    }
    assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_OK);
    assert_int_equal(len, 577); /* 'b' x 575 and the "\r\n" cut between two reads */
    assert_memory_equal(t + 575, "\r\n", 2);
    assert_int_equal(lr.line, 1049);
    for (int i = 0; i < 10; i++) {
        char want[8];
        snprintf(want, sizeof want, "c%d\r", i);
        assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_OK);
        assert_int_equal(len, strlen(want));
        assert_memory_equal(t, want, len);
        assert_int_equal(lr.line, 1050 + i);
    }
    assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_LONG);
    assert_int_equal(lr.line, 1060);
    const char *rest[] = {"d\n", "e\r", "\r\n", "f\r"};
    for (int i = 0; i < 4; i++) {
        assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_OK);
        assert_int_equal(len, strlen(rest[i]));
        assert_memory_equal(t, rest[i], len);
        assert_int_equal(lr.line, 1061 + i);
    }
    assert_int_equal(mr_lines_next(&lr, &t, &len), MR_LINE_EOF);
    assert_int_equal(stats.lines_skipped, 1);
    mr_lines_close(&lr);
    unlink(path);
}

/* Writes dir/name with the lines of text ('\n' separated) ended by eol instead. */
static void write_with_ends(const char *dir, const char *name, const char *text, const char *eol)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            fputs(eol, f);
        else
            fputc(*p, f);
    }
    assert_int_equal(fclose(f), 0);
}

/* A data set whose files end lines with a lone '\r' (old Mac) loads as the same one with
 * "\n" and "\r\n": a ratings.csv of more than 64 KiB is not one over-long line, and a bad line
 * is reported at its own line number. */
static void test_dataset_cr_only(void **state)
{
    (void)state;
    const char *movies = "movieId,title,genres\n1,Toy Story (1995),Animation|Comedy\n"
                         "2,Jumanji (1995),Adventure\n3,\"Heat, Again (1995)\",Crime\n";
    size_t cap = 200000, n = 0;
    char *ratings = malloc(cap);
    assert_non_null(ratings);
    n += (size_t)snprintf(ratings, cap, "userId,movieId,rating,timestamp\n");
    for (int i = 0; i < 5000; i++) {
        if (i == 3000) /* file line 3002 */
            n += (size_t)snprintf(ratings + n, cap - n, "7,abc,4.0,964982224\n");
        else
            n += (size_t)snprintf(ratings + n, cap - n, "%d,%d,%.1f,964982224\n", 1 + i / 3,
                                  1 + i % 3, 0.5 + (i % 10) * 0.5);
    }
    assert_true(n > 64 * 1024);
    const char *eols[] = {"\n", "\r\n", "\r"};
    struct mr_dataset ds[3];
    for (int k = 0; k < 3; k++) {
        char dir[64];
        snprintf(dir, sizeof dir, "/tmp/mr-test-eol-XXXXXX");
        assert_non_null(mkdtemp(dir));
        write_with_ends(dir, "movies.csv", movies, eols[k]);
        write_with_ends(dir, "ratings.csv", ratings, eols[k]);
        struct reports rs = {0};
        struct mr_load_opts opts = {.report = collect, .report_ctx = &rs};
        struct mr_error err;
        int rc = mr_dataset_load(dir, &opts, &ds[k], &err);
        if (rc != MR_OK)
            fail_msg("line ends %d: %s", k, err.msg);
        assert_int_equal(rs.n, 1);
        assert_int_equal(rs.line[0], 3002);
        assert_int_equal(ds[k].stats.lines_read, 3 + 5000);
        assert_int_equal(ds[k].stats.lines_skipped, 1);
        assert_int_equal(ds[k].catalog.n_movies, 3);
        assert_string_equal(ds[k].catalog.movies[2].title, "Heat, Again (1995)");
        assert_int_equal(ds[k].ratings.n_ratings, 4999);
        for (int i = 0; i < 3; i++)
            assert_int_equal(ds[k].ratings.item_count[i], ds[0].ratings.item_count[i]);
        assert_memory_equal(ds[k].ratings.user_vals, ds[0].ratings.user_vals, 4999);
        char path[128];
        snprintf(path, sizeof path, "%s/movies.csv", dir);
        unlink(path);
        snprintf(path, sizeof path, "%s/ratings.csv", dir);
        unlink(path);
        rmdir(dir);
    }
    for (int k = 0; k < 3; k++)
        mr_dataset_free(&ds[k]);
    free(ratings);
}

/* ---- movies through a line function ---- */

/* "id|title" lines, for mr_read_movie_lines() (mr_line_fn). */
static const char *id_title_line(void *ctx, char *text, size_t n, long line, char *what, size_t len,
                                 int *fatal)
{
    const char *f[2];
    size_t fl[2];
    if (mr_split(text, n, "|", 1, f, fl, 2) != 2)
        return "expected id|title";
    int32_t id;
    if (!mr_parse_id(f[0], fl[0], &id))
        return mr_describe_bad_id("id", f[0], fl[0], what, len);
    if (mr_movie_adder_add(ctx, id, f[1], fl[1], 0, line) != MR_OK)
        *fatal = MR_ENOMEM;
    return NULL;
}

static void test_movie_lines(void **state)
{
    (void)state;
    char path[64];
    write_temp(path, "30|Thirty (2003)\n10|Ten (1990)\nq|Bad\n\n30|Again (2004)\n20|Twenty\n");
    struct mr_catalog c = {0};
    struct reports rs = {0};
    struct mr_load_opts opts = {.report = collect, .report_ctx = &rs};
    struct mr_load_stats stats = {0};
    struct mr_load ld;
    mr_load_init(&ld, &opts, &stats, NULL);
    assert_int_equal(mr_read_movie_lines(&ld, path, id_title_line, &c), MR_OK);
    /* finished: sorted by id, the later 30 dropped */
    assert_int_equal(c.n_movies, 3);
    assert_int_equal(c.movies[0].id, 10);
    assert_int_equal(c.movies[1].id, 20);
    assert_int_equal(c.movies[2].id, 30);
    assert_string_equal(c.movies[2].title, "Thirty (2003)");
    assert_int_equal(mr_catalog_find(&c, 20), 1);
    assert_int_equal(rs.n, 2);
    assert_int_equal(rs.line[0], 3);
    assert_string_equal(rs.what[0], "id 'q' is not a positive integer");
    assert_int_equal(rs.line[1], 5); /* the duplicate, at its own line */
    assert_non_null(strstr(rs.what[1], "duplicate movieId 30"));
    assert_int_equal(stats.lines_read, 5);
    assert_int_equal(stats.lines_skipped, 2);
    mr_catalog_free(&c);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_id_bounds),
        cmocka_unit_test(test_parse_u63_bounds),
        cmocka_unit_test(test_describe_bad_id),
        cmocka_unit_test(test_rating_lines_one_byte_separator),
        cmocka_unit_test(test_rating_lines_two_byte_separator),
        cmocka_unit_test(test_rating_lines_missing_file),
        cmocka_unit_test(test_rating_lines_over_long),
        cmocka_unit_test(test_movie_lines),
        cmocka_unit_test(test_lines_cr_ends),
        cmocka_unit_test(test_dataset_cr_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
