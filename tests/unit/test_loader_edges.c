/* test_loader_edges.c — the edges of reading data files: UTF-8 validation at every boundary
 * (overlongs, surrogates, the top of Unicode, sequences cut by the end of a string or by the
 * 1 MiB read chunk), Latin-1 conversion, a directory, FIFO or symlink loop where a data file
 * should be, an over-long line that straddles the reader's block, progress reports, and layout
 * names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/dataset.h"
#include "../../src/engine/utf8.h" /* white box: the validator the loaders use */

/* ---- helpers ---- */

struct fixture {
    char dir[64]; /* scratch directory, removed after each test */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_loader_edges.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* Writes n bytes of data to dir/name. */
static void write_file(const struct fixture *f, const char *name, const void *data, size_t n)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static void write_str(const struct fixture *f, const char *name, const char *text)
{
    write_file(f, name, text, strlen(text));
}

static void path_in(const struct fixture *f, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", f->dir, name);
}

/* The reports of one load: file base name, line, text. */
struct reports {
    int n;
    char file[16][32];
    long line[16];
    char what[16][128];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    struct reports *rs = ctx;
    assert_true(rs->n < 16);
    const char *base = strrchr(file, '/');
    snprintf(rs->file[rs->n], sizeof rs->file[0], "%s", base ? base + 1 : file);
    rs->line[rs->n] = line;
    snprintf(rs->what[rs->n], sizeof rs->what[0], "%s", what);
    rs->n++;
}

static int valid(const char *s)
{
    return mr_utf8_valid(s, strlen(s));
}

/* ---- UTF-8 and Latin-1 ---- */

static void test_utf8_sequences(void **state)
{
    (void)state;
    /* well formed: 1 to 4 bytes, the lowest and highest of each length */
    assert_true(valid(""));
    assert_true(valid("plain ASCII longer than one eight-byte word"));
    assert_true(valid("\xC2\x80"));               /* U+0080 */
    assert_true(valid("Caf\xC3\xA9"));            /* é */
    assert_true(valid("\xE0\xA0\x80"));           /* U+0800, lowest 3-byte */
    assert_true(valid("\xE2\x82\xAC 5"));         /* € */
    assert_true(valid("\xED\x9F\xBF"));           /* U+D7FF, just below the surrogates */
    assert_true(valid("\xEF\xBF\xBF"));           /* U+FFFF */
    assert_true(valid("\xF0\x90\x80\x80"));       /* U+10000, lowest 4-byte */
    assert_true(valid("clef \xF0\x9D\x84\x9E!")); /* U+1D11E */
    assert_true(valid("\xF4\x8F\xBF\xBF"));       /* U+10FFFF, the top */
    assert_true(valid("abcdefgh\xC3\xA9ijklmnop\xE2\x82\xAC")); /* fast path, then not */

    /* malformed */
    assert_false(valid("\x80"));             /* a lone continuation byte */
    assert_false(valid("\xC0\x80"));         /* overlong NUL */
    assert_false(valid("\xC1\xBF"));         /* overlong */
    assert_false(valid("\xE0\x9F\xBF"));     /* overlong 3-byte */
    assert_false(valid("\xED\xA0\x80"));     /* a surrogate, U+D800 */
    assert_false(valid("\xF0\x8F\xBF\xBF")); /* overlong 4-byte */
    assert_false(valid("\xF4\x90\x80\x80")); /* above U+10FFFF */
    assert_false(valid("\xF5\x80\x80\x80")); /* no such lead byte */
    assert_false(valid("\xFF"));
    assert_false(valid("\xC3(")); /* second byte not a continuation */
    assert_false(valid("\xE2\x82("));
    assert_false(valid("\xF0\x9D\x84("));
    assert_false(valid("Latin-1 caf\xE9 au lait"));

    /* cut short by the end of the input: not valid either */
    assert_false(valid("\xC3"));
    assert_false(valid("\xE2\x82"));
    assert_false(valid("ok \xF0\x9D\x84"));
    /* n is honoured: the same bytes are valid up to the cut */
    assert_true(mr_utf8_valid("ab\xC3\xA9", 2));
    assert_false(mr_utf8_valid("ab\xC3\xA9", 3));
    assert_true(mr_utf8_valid("ab\xC3\xA9", 4));
}

static void test_latin1_to_utf8(void **state)
{
    (void)state;
    char out[64];
    /* ASCII unchanged, 0x80..0xBF -> C2 xx, 0xC0..0xFF -> C3 xx */
    assert_int_equal(mr_latin1_to_utf8("caf\xE9", 4, out), 5);
    assert_string_equal(out, "caf\xC3\xA9");
    assert_int_equal(mr_latin1_to_utf8("\x80\xA0\xBF\xC0\xFF", 5, out), 10);
    assert_string_equal(out, "\xC2\x80\xC2\xA0\xC2\xBF\xC3\x80\xC3\xBF");
    assert_true(mr_utf8_valid(out, 10));
    assert_int_equal(mr_latin1_to_utf8("", 0, out), 0);
    assert_string_equal(out, "");
    /* an embedded NUL is a byte like any other */
    assert_int_equal(mr_latin1_to_utf8("a\0b", 3, out), 3);
    assert_memory_equal(out, "a\0b", 4);
}

/* A file of size bytes of 'x' whose bytes at offset at are replaced by seq. */
static void write_padded(const struct fixture *f, const char *name, size_t size, size_t at,
                         const char *seq)
{
    char *data = malloc(size);
    assert_non_null(data);
    memset(data, 'x', size);
    memcpy(data + at, seq, strlen(seq));
    write_file(f, name, data, size);
    free(data);
}

static void test_utf8_files(void **state)
{
    struct fixture *f = *state;
    char path[256];
    const size_t chunk = 1u << 20; /* the validator's read size */
    int ok = -1;

    /* a 4-byte sequence cut in two by the chunk boundary is carried over: valid */
    write_padded(f, "straddle", chunk + 100, chunk - 2, "\xF0\x9D\x84\x9E");
    path_in(f, "straddle", path, sizeof path);
    assert_int_equal(mr_utf8_file_valid(path, &ok), MR_OK);
    assert_int_equal(ok, 1);

    /* a malformed byte in the second chunk */
    write_padded(f, "late-bad", chunk + 100, chunk + 50, "\xE9");
    path_in(f, "late-bad", path, sizeof path);
    assert_int_equal(mr_utf8_file_valid(path, &ok), MR_OK);
    assert_int_equal(ok, 0);

    /* a sequence cut by the end of the file */
    write_str(f, "cut", "Amelie (2001)\nCaf\xC3");
    path_in(f, "cut", path, sizeof path);
    assert_int_equal(mr_utf8_file_valid(path, &ok), MR_OK);
    assert_int_equal(ok, 0);

    /* an empty file is valid UTF-8 */
    write_str(f, "empty", "");
    path_in(f, "empty", path, sizeof path);
    assert_int_equal(mr_utf8_file_valid(path, &ok), MR_OK);
    assert_int_equal(ok, 1);

    /* a directory opens but cannot be read; a missing file cannot be opened */
    assert_int_equal(mr_utf8_file_valid(f->dir, &ok), MR_EDATA);
    path_in(f, "no-such-file", path, sizeof path);
    assert_int_equal(mr_utf8_file_valid(path, &ok), MR_EDATA);
}

/* ---- files that are not regular files ---- */

static const char movies_csv[] = "movieId,title,genres\n1,Toy Story (1995),Comedy\n"
                                 "2,Heat (1995),Crime\n";
static const char ratings_csv[] = "userId,movieId,rating,timestamp\n1,1,4.0,1\n1,2,3.0,1\n";

static void test_directory_in_place_of_a_file(void **state)
{
    struct fixture *f = *state;
    char path[256];
    struct mr_dataset ds;
    struct mr_error err;

    /* movies.csv is a directory: refused, naming the file */
    path_in(f, "movies.csv", path, sizeof path);
    assert_int_equal(mkdir(path, 0755), 0);
    write_str(f, "ratings.csv", ratings_csv);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, "not a regular file");
    assert_null(ds.dir);
    assert_int_equal(rmdir(path), 0);

    /* an optional file (tags.csv) that is a directory is an error too, not skipped */
    write_str(f, "movies.csv", movies_csv);
    path_in(f, "tags.csv", path, sizeof path);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, "not a regular file");
    assert_int_equal(rmdir(path), 0);

    /* the ::-layout: ratings.dat a directory */
    char sub[128];
    path_in(f, "dat", sub, sizeof sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/movies.dat", sub);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("1::Toy Story (1995)::Comedy\n", fp);
    fclose(fp);
    snprintf(path, sizeof path, "%s/ratings.dat", sub);
    assert_int_equal(mkdir(path, 0755), 0);
    assert_int_equal(mr_dataset_load(sub, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, "not a regular file");
}

static void test_fifo_and_symlink_loop(void **state)
{
    struct fixture *f = *state;
    char path[256];
    struct mr_dataset ds;
    struct mr_error err;
    write_str(f, "movies.csv", movies_csv);
    write_str(f, "ratings.csv", ratings_csv);

    /* links.csv is a FIFO with no writer: refused at once instead of waiting */
    path_in(f, "links.csv", path, sizeof path);
    assert_int_equal(mkfifo(path, 0644), 0);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, "not a regular file");
    assert_int_equal(unlink(path), 0);

    /* tags.csv is a link to itself: there, but cannot be opened */
    path_in(f, "tags.csv", path, sizeof path);
    assert_int_equal(symlink("tags.csv", path), 0);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_int_equal(unlink(path), 0);

    /* a dangling link is the same as no file: skipped */
    assert_int_equal(symlink("nowhere.csv", path), 0);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_OK);
    assert_int_equal(ds.catalog.n_movies, 2);
    assert_int_equal(ds.ratings.n_ratings, 2);
    mr_dataset_free(&ds);

    /* the required ratings.csv as a loop: named, not called missing */
    path_in(f, "ratings.csv", path, sizeof path);
    assert_int_equal(unlink(path), 0);
    assert_int_equal(symlink("ratings.csv", path), 0);
    assert_int_equal(mr_dataset_load(f->dir, NULL, &ds, &err), MR_EDATA);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_null(strstr(err.msg, "missing"));
}

/* ---- an over-long line across the reader's 1 MiB block ---- */

static void test_long_line_across_blocks(void **state)
{
    struct fixture *f = *state;
    write_str(f, "movies.dat", "1::Toy Story (1995)::Comedy\n2::Heat (1995)::Crime\n");
    /* line 2 is 1.5 MiB: it starts in the first block and ends in the second */
    size_t big = 3u << 19;
    char *data = malloc(big + 200);
    assert_non_null(data);
    size_t n = (size_t)sprintf(data, "1::1::4::978300760\n");
    memset(data + n, '9', big);
    n += big;
    n += (size_t)sprintf(data + n, "\n2::2::3.5::978300760\n2::7::3::978300760\n");
    write_file(f, "ratings.dat", data, n);
    free(data);

    struct reports rs = {0};
    struct mr_load_opts opts = {0};
    opts.report = collect;
    opts.report_ctx = &rs;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load(f->dir, &opts, &ds, &err), MR_OK);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rs.file[0], "ratings.dat");
    assert_int_equal(rs.line[0], 2);
    assert_string_equal(rs.what[0], "line longer than 65536 bytes");
    /* the lines after it keep their own numbers */
    assert_int_equal(rs.line[1], 4);
    assert_string_equal(rs.what[1], "unknown MovieID 7");
    assert_int_equal(ds.stats.lines_skipped, 2);
    assert_int_equal(ds.ratings.n_ratings, 2);
    int32_t u2 = mr_ratings_find_user(&ds.ratings, 2);
    assert_true(u2 >= 0);
    assert_int_equal(mr_ratings_get(&ds.ratings, u2, mr_catalog_find(&ds.catalog, 2)), 7);
    mr_dataset_free(&ds);
}

/* ---- progress and names ---- */

struct progress_log {
    int calls;
    int movies, ratings, matrix_start, matrix_end;
    double last_ratings;
    int backwards;
};

static void log_progress(void *ctx, const char *stage, double fraction)
{
    struct progress_log *p = ctx;
    p->calls++;
    assert_true(fraction >= 0.0 && fraction <= 1.0);
    if (strcmp(stage, "movies") == 0) {
        p->movies++;
    } else if (strcmp(stage, "ratings") == 0) {
        if (fraction < p->last_ratings)
            p->backwards++;
        p->last_ratings = fraction;
        p->ratings++;
    } else if (strcmp(stage, "matrix") == 0) {
        assert_true(fraction == 0.0 || fraction == 1.0);
        if (fraction == 0.0)
            p->matrix_start++;
        else
            p->matrix_end++;
    }
}

static void test_progress_and_names(void **state)
{
    (void)state;
    struct progress_log p = {0};
    struct mr_load_opts opts = {0};
    opts.progress = log_progress;
    opts.progress_ctx = &p;
    struct mr_dataset ds;
    struct mr_error err;
    assert_int_equal(mr_dataset_load("tests/fixtures/ml-1m-tiny", &opts, &ds, &err), MR_OK);
    assert_true(p.movies >= 1);
    assert_true(p.ratings >= 1);
    assert_int_equal(p.backwards, 0);
    assert_float_equal(p.last_ratings, 1.0, 1e-9); /* the whole file was read */
    assert_int_equal(p.matrix_start, 1);
    assert_int_equal(p.matrix_end, 1);
    assert_int_equal(ds.layout, MR_LAYOUT_DAT);
    mr_dataset_free(&ds);

    assert_string_equal(mr_layout_name(MR_LAYOUT_CSV), "ml-latest (CSV)");
    assert_string_equal(mr_layout_name(MR_LAYOUT_DAT), "ml-1m/ml-10m (::)");
    assert_string_equal(mr_layout_name(MR_LAYOUT_100K), "ml-100k");
    assert_string_equal(mr_layout_name((enum mr_layout)42), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_sequences),
        cmocka_unit_test(test_latin1_to_utf8),
        cmocka_unit_test_setup_teardown(test_utf8_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_in_place_of_a_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_and_symlink_loop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_line_across_blocks, setup, teardown),
        cmocka_unit_test(test_progress_and_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
