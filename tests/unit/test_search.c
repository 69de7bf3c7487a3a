/* test_search.c — text folding, typo distance, the title index (ranking, typos, articles,
 * years), resolving MOVIE arguments and completion; on small hand-made catalogs, on
 * ml-latest-small and on the 62,423-movie ml-25m catalog (skipped when it is absent). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/dataset.h"
#include "movierec/search.h"
#include "../../src/engine/typo.h"

#define SMALL_DIR "data/ml-latest-small"

/* ---- helpers ---- */

static const char *fold(const char *text)
{
    static char buf[512];
    size_t n = mr_text_fold(text, buf, sizeof buf);
    assert_int_equal(n, strlen(buf));
    return buf;
}

/* Whether s[0..n) is well-formed UTF-8 (no overlongs, surrogates or stray bytes). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char b = s[i];
        size_t len = b < 0x80                 ? 1
                     : b >= 0xC2 && b <= 0xDF ? 2
                     : b >= 0xE0 && b <= 0xEF ? 3
                     : b >= 0xF0 && b <= 0xF4 ? 4
                                              : 0;
        if (len == 0 || i + len > n)
            return 0;
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        if ((b == 0xE0 && s[i + 1] < 0xA0) || (b == 0xED && s[i + 1] > 0x9F) ||
            (b == 0xF0 && s[i + 1] < 0x90) || (b == 0xF4 && s[i + 1] > 0x8F))
            return 0;
        i += len;
    }
    return 1;
}

/* A catalog built from titles; movie i gets id i + 1, so its item index is i. */
static void catalog_of(struct mr_catalog *c, const char *const *titles, int n)
{
    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++)
        assert_int_equal(mr_catalog_add(c, i + 1, titles[i], 0), MR_OK);
    mr_catalog_finish(c, NULL, NULL, "test");
    assert_int_equal(c->n_movies, n);
}

/* Position of item among the hits, or -1. */
static int rank_of(const struct mr_search_hit *hits, int n, int32_t item)
{
    for (int i = 0; i < n; i++)
        if (hits[i].item == item)
            return i;
    return -1;
}

static void assert_best_first(const struct mr_search_hit *hits, int n)
{
    for (int i = 1; i < n; i++)
        assert_true(hits[i - 1].quality >= hits[i].quality);
}

/* ---- folding ---- */

static void test_fold_ascii(void **state)
{
    (void)state;
    assert_string_equal(fold("The Matrix (1999)"), "the matrix 1999");
    assert_string_equal(fold("  --Hello,   World!!  "), "hello world");
    assert_string_equal(fold("Schindler's List"), "schindler s list");
    assert_string_equal(fold("S.W.A.T."), "s w a t");
    assert_string_equal(fold(""), "");
    assert_string_equal(fold(" ... "), "");
    assert_string_equal(fold("ABC123xyz"), "abc123xyz");
}

static void test_fold_latin(void **state)
{
    (void)state;
    assert_string_equal(fold("Amélie"), "amelie");
    assert_string_equal(fold("Le Fabuleux destin d'Amélie Poulain"),
                        "le fabuleux destin d amelie poulain");
    assert_string_equal(fold("Straße"), "strasse");
    assert_string_equal(fold("Æon Flux"), "aeon flux");
    assert_string_equal(fold("Smørrebrød"), "smorrebrod");
    assert_string_equal(fold("ÀÉÎÕÜ Ç Ñ Ý ÿ"), "aeiou c n y y");
    assert_string_equal(fold("Þór"), "thor");
    assert_string_equal(fold("Łódź"), "lodz");
    assert_string_equal(fold("Dvořák"), "dvorak");
    assert_string_equal(fold("Œuvre"), "oeuvre");
    assert_string_equal(fold("İstanbul ĳssel Ğ"), "istanbul ijssel g");
    assert_string_equal(fold("Ţară Şcoală"), "tara scoala"); /* cedilla forms (Ext-A) */
    assert_string_equal(fold("Țară Școală"), "tara scoala"); /* comma-below forms (Ext-B) */
    assert_string_equal(fold("3×4÷2"), "3 4 2");
    /* A decomposed accent (e + U+0301 combining acute) folds like the composed one. */
    assert_string_equal(fold("Ame\xCC\x81lie"), "amelie");
}

static void test_fold_other_scripts(void **state)
{
    (void)state;
    assert_string_equal(fold("МОСКВА Ёлка"), "москва ёлка");
    assert_string_equal(fold("ΑΘΗΝΑ"), "αθηνα");
    assert_string_equal(fold("千と千尋の神隠し"), "千と千尋の神隠し");
    assert_string_equal(fold("東京、物語。"), "東京 物語"); /* CJK punctuation separates */
    assert_string_equal(fold("Ocean\xE2\x80\x99s Eleven"), "ocean s eleven"); /* U+2019 */
    assert_string_equal(fold("\xE2\x80\x9CQuoted\xE2\x80\x9D \xE2\x80\x94 dash"), "quoted dash");
    assert_string_equal(fold("a\xC2\xA0"
                             "b"),
                        "a b");                                 /* no-break space */
    assert_string_equal(fold("ＡＢＣ１"), "abc1");              /* full-width forms */
    assert_string_equal(fold("Léon\xF0\x9F\x8E\xAC!"), "leon"); /* emoji separates */
}

static void test_fold_invalid_bytes(void **state)
{
    (void)state;
    assert_string_equal(fold("ab\xFF"
                             "cd"),
                        "abcd");
    assert_string_equal(fold("ab\xC3"), "ab"); /* truncated sequence */
    assert_string_equal(fold("a\xC0\xAF"
                             "b"),
                        "ab"); /* overlong '/' */
    assert_string_equal(fold("a\xED\xA0\x80"
                             "b"),
                        "ab"); /* UTF-16 surrogate */
    assert_string_equal(fold("a\xF4\x90\x80\x80"
                             "b"),
                        "ab");                             /* above U+10FFFF */
    assert_string_equal(fold("\x80\x80M\xE9lie"), "mlie"); /* Latin-1 é is not UTF-8 */
}

static void test_fold_truncates_whole_characters(void **state)
{
    (void)state;
    char out[8];
    /* The full length is returned; the output stops before a character that does not fit. */
    assert_int_equal(mr_text_fold("Amélie Poulain", out, 5), strlen("amelie poulain"));
    assert_string_equal(out, "amel");
    assert_int_equal(mr_text_fold("Москва", out, 6), strlen("москва"));
    assert_string_equal(out, "мо"); /* 4 bytes: a third letter would need 6 + NUL */
    assert_true(valid_utf8((const unsigned char *)out, strlen(out)));
    /* A cut right after a word leaves no trailing space. */
    assert_int_equal(mr_text_fold("ab cd", out, 4), 5);
    assert_string_equal(out, "ab");
    assert_int_equal(mr_text_fold("abc", out, 1), 3);
    assert_string_equal(out, "");
    assert_int_equal(mr_text_fold("abc", NULL, 0), 3);
}

/* Random bytes, biased towards UTF-8 lead and continuation bytes: the output is always
 * valid UTF-8, never longer than the input, with single inner spaces and no upper-case
 * ASCII. */
static void test_fold_random_bytes_stay_valid(void **state)
{
    (void)state;
    static const unsigned char pool[] = {'a',  'Z',  ' ',  '-',  '\'', '.',  '7',  0x80, 0xBF,
                                         0xC2, 0xC3, 0xC5, 0xCC, 0xD0, 0xE0, 0xE2, 0xE3, 0xED,
                                         0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9C, 0xA9};
    unsigned seed = 12345;
    char in[64], out[256];
    for (int round = 0; round < 20000; round++) {
        int n = (int)(seed % 40);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)pool[(seed >> 16) % sizeof pool];
        }
        in[n] = '\0';
        size_t len = mr_text_fold(in, out, sizeof out);
        assert_int_equal(len, strlen(out));
        assert_true(len <= (size_t)n);
        assert_true(valid_utf8((const unsigned char *)out, len));
        if (len) {
            assert_true(out[0] != ' ' && out[len - 1] != ' ');
            assert_null(strstr(out, "  "));
        }
        for (size_t i = 0; i < len; i++)
            assert_false(out[i] >= 'A' && out[i] <= 'Z');
        seed = seed * 1103515245u + 12345u;
    }
}

/* ---- typo distance ---- */

/* Optimal string alignment distance by the textbook dynamic programme. */
static int osa_reference(const char *a, int n, const char *b, int m)
{
    int d[20][20];
    for (int i = 0; i <= n; i++)
        d[i][0] = i;
    for (int j = 0; j <= m; j++)
        d[0][j] = j;
    for (int i = 1; i <= n; i++) {
        for (int j = 1; j <= m; j++) {
            int v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    }
    return d[n][m];
}

static int typo(const char *a, const char *b, int *prefix)
{
    struct mr_typo_pattern p;
    assert_int_equal(mr_typo_compile(&p, a, strlen(a)), 0);
    return mr_typo_distance(&p, b, strlen(b), prefix);
}

static void test_typo_distance_examples(void **state)
{
    (void)state;
    int prefix;
    assert_int_equal(typo("godfater", "godfather", NULL), 1);
    assert_int_equal(typo("matirx", "matrix", NULL), 1); /* a swap costs one */
    assert_int_equal(typo("mtrx", "matrix", NULL), 2);
    assert_int_equal(typo("matrix", "matrix", &prefix), 0);
    assert_int_equal(prefix, 0);
    assert_int_equal(typo("godfat", "godfather", &prefix), 3);
    assert_int_equal(prefix, 0); /* "godfat" is a prefix */
    assert_int_equal(typo("godfaht", "godfather", &prefix), 3);
    assert_int_equal(prefix, 1); /* "godfath" with one swap */
    struct mr_typo_pattern p;
    assert_int_equal(mr_typo_compile(&p, "", 0), -1);
    char longword[MR_TYPO_MAX_LEN + 2];
    memset(longword, 'a', sizeof longword - 1);
    longword[sizeof longword - 1] = '\0';
    assert_int_equal(mr_typo_compile(&p, longword, MR_TYPO_MAX_LEN + 1), -1);
    assert_int_equal(mr_typo_compile(&p, longword, MR_TYPO_MAX_LEN), 0);
    assert_int_equal(mr_typo_distance(&p, longword, MR_TYPO_MAX_LEN, NULL), 0);
}

/* The bit-parallel distance and its best-prefix variant agree with the reference on
 * random short strings over small alphabets (many repeats and swaps). */
static void test_typo_distance_matches_reference(void **state)
{
    (void)state;
    unsigned seed = 7;
    for (int round = 0; round < 50000; round++) {
        char a[20], b[20];
        seed = seed * 1103515245u + 12345u;
        int n = 1 + (int)((seed >> 16) % 12), m = (int)((seed >> 8) % 14);
        int sigma = 2 + (int)((seed >> 4) % 3);
        for (int i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            a[i] = (char)('a' + (seed >> 16) % (unsigned)sigma);
        }
        for (int j = 0; j < m; j++) {
            seed = seed * 1103515245u + 12345u;
            b[j] = (char)('a' + (seed >> 16) % (unsigned)sigma);
        }
        struct mr_typo_pattern p;
        assert_int_equal(mr_typo_compile(&p, a, (size_t)n), 0);
        int prefix;
        int d = mr_typo_distance(&p, b, (size_t)m, m > 0 ? &prefix : NULL);
        assert_int_equal(d, osa_reference(a, n, b, m));
        if (m > 0) {
            int best = n + m;
            for (int k = 1; k <= m; k++) {
                int x = osa_reference(a, n, b, k);
                if (x < best)
                    best = x;
            }
            assert_int_equal(prefix, best);
        }
    }
}

/* ---- searching a hand-made catalog ---- */

static void test_empty_queries_match_nothing(void **state)
{
    (void)state;
    const char *titles[] = {"Matrix, The (1999)", "Heat (1995)"};
    struct mr_catalog c;
    catalog_of(&c, titles, 2);
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    assert_non_null(ix);
    struct mr_search_hit hits[4];
    assert_int_equal(mr_search(ix, "", hits, 4), 0);
    assert_int_equal(mr_search(ix, "   ", hits, 4), 0);
    assert_int_equal(mr_search(ix, " ,.-!? ", hits, 4), 0);
    assert_int_equal(mr_search(ix, "matrix", hits, 0), 0);
    assert_int_equal(mr_search(ix, "matrix", hits, 4), 1);
    mr_search_free(ix);
    mr_search_free(NULL);
    mr_catalog_free(&c);
}

static void test_empty_catalog(void **state)
{
    (void)state;
    struct mr_catalog c = {0};
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    assert_non_null(ix);
    struct mr_search_hit hits[4];
    int32_t items[4], item;
    int n;
    assert_int_equal(mr_search(ix, "matrix", hits, 4), 0);
    assert_int_equal(mr_search_complete(ix, "", items, 4), 0);
    assert_int_equal(mr_resolve_movie(ix, &c, "matrix", &item, hits, 4, &n), MR_RESOLVE_NONE);
    mr_search_free(ix);
}

/* Exact title > title prefix > word prefix > substring > typo, whatever the popularity. */
static void test_match_quality_beats_popularity(void **state)
{
    (void)state;
    const char *titles[] = {
        "Animatrix, The (2003)",          /* 0: "matrix" inside a word */
        "Matrix Reloaded, The (2003)",    /* 1: starts with the word */
        "Matrix, The (1999)",             /* 2: exactly the title */
        "Return to the Matrix (2004)",    /* 3: the word, not first */
        "Matrox (2010)",                  /* 4: one typo */
        "Something Else Entirely (2001)", /* 5: no match */
    };
    int32_t pop[] = {5000, 4000, 1, 3000, 9000, 10000}; /* popularity favours the worse */
    struct mr_catalog c;
    catalog_of(&c, titles, 6);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    assert_non_null(ix);
    struct mr_search_hit hits[8];
    int n = mr_search(ix, "matrix", hits, 8);
    assert_int_equal(n, 4);
    assert_best_first(hits, n);
    const int32_t order[] = {2, 1, 3, 0};
    for (int i = 0; i < 4; i++)
        assert_int_equal(hits[i].item, order[i]);
    for (int i = 1; i < 4; i++)
        assert_true(hits[i - 1].quality > hits[i].quality); /* strictly: no ties here */
    /* Typos are only tried for words no title has: "matrix" does not bring "Matrox". */
    assert_int_equal(rank_of(hits, n, 4), -1);
    assert_int_equal(rank_of(hits, n, 5), -1);
    /* One typo away from two one-word titles: equally good, so the more popular first. */
    n = mr_search(ix, "matrux", hits, 8);
    assert_int_equal(n, 4);
    assert_int_equal(hits[0].item, 4);
    assert_int_equal(hits[1].item, 2);
    assert_int_equal(hits[0].quality, hits[1].quality);
    /* Then the longer titles that start with it, then the one where it comes later. */
    assert_int_equal(hits[2].item, 1);
    assert_int_equal(hits[3].item, 3);
    assert_true(hits[1].quality > hits[2].quality && hits[2].quality > hits[3].quality);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* A parenthesised alternative title is a title too: equal to it beats starting with it. */
static void test_alternative_titles(void **state)
{
    (void)state;
    const char *titles[] = {"Seven (a.k.a. Se7en) (1995)", "Se7en Deadly Sins (2010)",
                            "City of Lost Children, The (Cité des enfants perdus, La) (1995)"};
    int32_t pop[] = {1, 100, 1};
    struct mr_catalog c;
    catalog_of(&c, titles, 3);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    struct mr_search_hit hits[4];
    assert_int_equal(mr_search(ix, "se7en", hits, 4), 2);
    assert_int_equal(hits[0].item, 0);
    assert_true(hits[0].quality > hits[1].quality);
    assert_int_equal(mr_search(ix, "la cite des enfants perdus", hits, 4), 1);
    assert_int_equal(hits[0].item, 2);
    int32_t item;
    int n;
    assert_int_equal(mr_resolve_movie(ix, &c, "se7en", &item, hits, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 0);
    assert_int_equal(mr_resolve_movie(ix, &c, "cite des enfants perdus", &item, hits, 4, &n),
                     MR_RESOLVED);
    assert_int_equal(item, 2);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* Equal matches are ordered by popularity; turning popularity around turns the order. */
static void test_popularity_breaks_ties(void **state)
{
    (void)state;
    const char *titles[] = {"Star Wars: Episode IV - A New Hope (1977)",
                            "Star Wars: Episode V - The Empire Strikes Back (1980)",
                            "Star Wars: Episode VI - Return of the Jedi (1983)"};
    int32_t up[] = {10, 20, 30}, down[] = {30, 20, 10};
    struct mr_catalog c;
    catalog_of(&c, titles, 3);
    struct mr_search_hit hits[4];
    struct mr_search_index *ix = mr_search_build(&c, up);
    assert_int_equal(mr_search(ix, "star wars", hits, 4), 3);
    assert_int_equal(hits[0].quality, hits[2].quality);
    assert_int_equal(hits[0].item, 2);
    assert_int_equal(hits[1].item, 1);
    assert_int_equal(hits[2].item, 0);
    mr_search_free(ix);
    ix = mr_search_build(&c, down);
    assert_int_equal(mr_search(ix, "star wars", hits, 4), 3);
    assert_int_equal(hits[0].item, 0);
    assert_int_equal(hits[2].item, 2);
    /* Without popularity, catalog order decides. */
    mr_search_free(ix);
    ix = mr_search_build(&c, NULL);
    assert_int_equal(mr_search(ix, "star wars", hits, 4), 3);
    assert_int_equal(hits[0].item, 0);
    assert_int_equal(hits[2].item, 2);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

static void test_articles_case_and_accents(void **state)
{
    (void)state;
    const char *titles[] = {
        "Matrix, The (1999)",
        "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)",
        "Homme qui aimait les femmes, L' (1977)",
        "Chiens, Les (1979)",
    };
    struct mr_catalog c;
    catalog_of(&c, titles, 4);
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    struct mr_search_hit hits[4];
    const char *matrix[] = {"the matrix", "matrix", "MATRIX", "Matrix, The", "the  matrix!"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(mr_search(ix, matrix[i], hits, 4), 1);
        assert_int_equal(hits[0].item, 0);
    }
    const char *amelie[] = {"amelie", "Amélie", "AMÉLIE", "le fabuleux destin", "poulain"};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(mr_search(ix, amelie[i], hits, 4), 1);
        assert_int_equal(hits[0].item, 1);
    }
    assert_true(mr_search(ix, "homme qui aimait", hits, 4) >= 1);
    assert_int_equal(hits[0].item, 2);
    /* An article alone is a query word like any other. */
    int n = mr_search(ix, "les", hits, 4);
    assert_int_equal(n, 2); /* "Les Chiens" and "... aimait les femmes" */
    assert_true(rank_of(hits, n, 3) >= 0);
    assert_true(rank_of(hits, n, 2) >= 0);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

static void test_year_in_query(void **state)
{
    (void)state;
    const char *titles[] = {"Heat (1986)", "Heat (1995)", "Heat, The (2013)",
                            "2001: A Space Odyssey (1968)", "Blow (2001)"};
    int32_t pop[] = {50, 10, 5, 1, 100};
    struct mr_catalog c;
    catalog_of(&c, titles, 5);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    struct mr_search_hit hits[8];
    assert_int_equal(mr_search(ix, "heat", hits, 8), 3);
    assert_int_equal(hits[0].item, 0); /* equal matches: the more popular */
    assert_int_equal(hits[1].item, 1);
    assert_int_equal(hits[2].item, 2); /* "The Heat" only equals once articles are dropped */
    assert_true(hits[1].quality > hits[2].quality);
    assert_int_equal(mr_search(ix, "heat 1995", hits, 8), 3);
    assert_int_equal(hits[0].item, 1);
    assert_int_equal(mr_search(ix, "Heat (1995)", hits, 8), 3);
    assert_int_equal(hits[0].item, 1);
    /* A year-like word that is part of the title still finds it, above movies of 2001. */
    assert_true(mr_search(ix, "2001 a space odyssey", hits, 8) >= 1);
    assert_int_equal(hits[0].item, 3);
    int n = mr_search(ix, "2001", hits, 8);
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].item, 3);
    assert_int_equal(hits[1].item, 4); /* released in 2001 */
    mr_search_free(ix);
    mr_catalog_free(&c);
}

static void test_typos_prefixes_substrings(void **state)
{
    (void)state;
    const char *titles[] = {"Godfather, The (1972)", "Matrix, The (1999)",
                            "Shawshank Redemption, The (1994)", "Odyssey, The (1997)",
                            "Melody Time (1948)"};
    struct mr_catalog c;
    catalog_of(&c, titles, 5);
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    struct mr_search_hit hits[8];
    assert_true(mr_search(ix, "godfater", hits, 8) >= 1); /* one typo */
    assert_int_equal(hits[0].item, 0);
    assert_true(mr_search(ix, "gdofathr", hits, 8) >= 1); /* two typos in 8 letters */
    assert_int_equal(hits[0].item, 0);
    assert_true(mr_search(ix, "matirx", hits, 8) >= 1); /* swapped letters */
    assert_int_equal(hits[0].item, 1);
    assert_int_equal(mr_search(ix, "mtrx", hits, 8), 0);    /* two typos in 4 letters: no */
    assert_int_equal(mr_search(ix, "gdfathr", hits, 8), 0); /* two typos in 7 letters: no */
    assert_int_equal(mr_search(ix, "shawshank redemtion", hits, 8), 1);
    assert_int_equal(hits[0].item, 2);
    assert_int_equal(mr_search(ix, "shaw", hits, 8), 1); /* word prefix */
    assert_int_equal(hits[0].item, 2);
    assert_int_equal(mr_search(ix, "godfahte", hits, 8), 1); /* a typo while typing */
    assert_int_equal(hits[0].item, 0);
    int n = mr_search(ix, "ody", hits, 8); /* prefix of "odyssey", inside "melody" */
    assert_int_equal(n, 2);
    assert_int_equal(hits[0].item, 3);
    assert_int_equal(hits[1].item, 4);
    assert_true(hits[0].quality > hits[1].quality);
    assert_int_equal(mr_search(ix, "demptio", hits, 8), 1); /* inside a word */
    assert_int_equal(hits[0].item, 2);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

static void test_word_order_joined_words_numerals(void **state)
{
    (void)state;
    const char *titles[] = {
        "Wars of the Star Kings (1990)",    "Star Wars (1977)", "Spider-Man (2002)",
        "Schindler's List (1993)",          "Rocky II (1979)",  "Rocky (1976)",
        "Terminator 2: Judgment Day (1991)"};
    int32_t pop[] = {1000, 1, 1, 1, 1, 1000, 1};
    struct mr_catalog c;
    catalog_of(&c, titles, 7);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    struct mr_search_hit hits[8];
    assert_int_equal(mr_search(ix, "star wars", hits, 8), 2);
    assert_int_equal(hits[0].item, 1); /* in order, despite popularity */
    assert_true(hits[0].quality > hits[1].quality);
    assert_int_equal(mr_search(ix, "spiderman", hits, 8), 1);
    assert_int_equal(hits[0].item, 2);
    assert_int_equal(mr_search(ix, "spider man", hits, 8), 1);
    assert_int_equal(mr_search(ix, "schindlers list", hits, 8), 1);
    assert_int_equal(hits[0].item, 3);
    assert_true(mr_search(ix, "rocky 2", hits, 8) >= 1);
    assert_int_equal(hits[0].item, 4);
    assert_true(mr_search(ix, "terminator ii", hits, 8) >= 1);
    assert_int_equal(hits[0].item, 6);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* When no movie has every word, movies with most of them are still offered. */
static void test_missing_word_falls_back(void **state)
{
    (void)state;
    const char *titles[] = {"Star Wars (1977)", "Star Trek (1979)", "Heat (1995)"};
    struct mr_catalog c;
    catalog_of(&c, titles, 3);
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    struct mr_search_hit hits[8];
    int n = mr_search(ix, "star wars qqqzzz", hits, 8);
    assert_true(n >= 1);
    assert_int_equal(hits[0].item, 0);
    assert_int_equal(rank_of(hits, n, 2), -1);
    assert_int_equal(mr_search(ix, "qqqzzz", hits, 8), 0);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

static void test_max_hits_keeps_the_best(void **state)
{
    (void)state;
    enum { N = 300 };
    struct mr_catalog c = {0};
    int32_t pop[N];
    for (int i = 0; i < N; i++) {
        char title[64];
        snprintf(title, sizeof title, "Love Story %d (%d)", i, 1950 + i % 60);
        assert_int_equal(mr_catalog_add(&c, i + 1, title, 0), MR_OK);
        pop[i] = (i * 37) % N; /* a permutation of 0..N-1 */
    }
    mr_catalog_finish(&c, NULL, NULL, "test");
    struct mr_search_index *ix = mr_search_build(&c, pop);
    struct mr_search_hit hits[5];
    assert_int_equal(mr_search(ix, "love story", hits, 5), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(pop[hits[i].item], N - 1 - i);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* ---- resolving ---- */

static void test_resolve(void **state)
{
    (void)state;
    const char *titles[] = {"Heat (1995)", "Heat (1986)", "Heat, The (2013)", "Matrix, The (1999)",
                            "Matrix Reloaded, The (2003)"};
    int32_t pop[] = {100, 10, 5, 50, 40};
    struct mr_catalog c;
    catalog_of(&c, titles, 5);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    struct mr_search_hit cand[4];
    int32_t item = -1;
    int n = -1;
    assert_int_equal(mr_resolve_movie(ix, &c, "4", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 3); /* movieId 4 */
    assert_int_equal(mr_resolve_movie(ix, &c, " 4 ", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(mr_resolve_movie(ix, &c, "99", &item, cand, 4, &n), MR_RESOLVE_NONE);
    assert_int_equal(n, 0);
    assert_int_equal(mr_resolve_movie(ix, &c, "99999999999", &item, cand, 4, &n), MR_RESOLVE_NONE);
    item = -1;
    assert_int_equal(mr_resolve_movie(ix, &c, "The Matrix", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 3);
    assert_int_equal(mr_resolve_movie(ix, &c, "matrix", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 3);
    assert_int_equal(mr_resolve_movie(ix, &c, "Matrix, The (1999)", &item, cand, 4, &n),
                     MR_RESOLVED);
    assert_int_equal(item, 3);
    assert_int_equal(mr_resolve_movie(ix, &c, "matrix reloaded", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 4);
    /* Two films called "Heat": ambiguous, both offered, the more popular first. */
    assert_int_equal(mr_resolve_movie(ix, &c, "heat", &item, cand, 4, &n), MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, 2);
    assert_int_equal(cand[0].item, 0);
    assert_int_equal(cand[1].item, 1);
    assert_int_equal(mr_resolve_movie(ix, &c, "heat", &item, cand, 1, &n), MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, 1);
    /* The year, or the article, decides. */
    assert_int_equal(mr_resolve_movie(ix, &c, "Heat (1986)", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 1);
    assert_int_equal(mr_resolve_movie(ix, &c, "heat 1995", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 0);
    assert_int_equal(mr_resolve_movie(ix, &c, "The Heat", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 2);
    /* Unknown titles. */
    assert_int_equal(mr_resolve_movie(ix, &c, "qqqzzz", &item, cand, 4, &n), MR_RESOLVE_NONE);
    assert_int_equal(n, 0);
    assert_int_equal(mr_resolve_movie(ix, &c, "", &item, cand, 4, &n), MR_RESOLVE_NONE);
    /* Not exact, but the only hit. */
    assert_int_equal(mr_resolve_movie(ix, &c, "reloaded", &item, cand, 4, &n), MR_RESOLVED);
    assert_int_equal(item, 4);
    /* A lone hit that misses one of the words is offered, not taken. */
    assert_int_equal(mr_resolve_movie(ix, &c, "reloaded qqqzzz", &item, cand, 4, &n),
                     MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, 1);
    assert_int_equal(cand[0].item, 4);
    assert_int_equal(mr_resolve_movie(ix, &c, "reloaded qqqzzz", &item, NULL, 0, &n),
                     MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, 0);
    /* Several inexact hits: ambiguous. */
    assert_int_equal(mr_resolve_movie(ix, &c, "matr", &item, cand, 4, &n), MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, 2);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* ---- completion ---- */

static void test_complete(void **state)
{
    (void)state;
    const char *titles[] = {"Matrix, The (1999)",
                            "Matrix Reloaded, The (2003)",
                            "Matrix Revolutions, The (2003)",
                            "Mattress Man (2010)",
                            "Amélie (2001)",
                            "Other (2000)"};
    int32_t pop[] = {300, 200, 100, 400, 50, 1000};
    struct mr_catalog c;
    catalog_of(&c, titles, 6);
    struct mr_search_index *ix = mr_search_build(&c, pop);
    int32_t items[8];
    assert_int_equal(mr_search_complete(ix, "matr", items, 8), 3);
    assert_int_equal(items[0], 0);
    assert_int_equal(items[1], 1);
    assert_int_equal(items[2], 2);
    assert_int_equal(mr_search_complete(ix, "The Matrix R", items, 8), 2);
    assert_int_equal(items[0], 1);
    assert_int_equal(mr_search_complete(ix, "the matrix (1999", items, 8), 1);
    assert_int_equal(items[0], 0);
    assert_int_equal(mr_search_complete(ix, "mat", items, 8), 4);
    assert_int_equal(items[0], 3); /* most popular first */
    assert_int_equal(mr_search_complete(ix, "mat", items, 2), 2);
    assert_int_equal(items[1], 0);
    assert_int_equal(mr_search_complete(ix, "AMÉL", items, 8), 1);
    assert_int_equal(items[0], 4);
    assert_int_equal(mr_search_complete(ix, "matrix reloaded x", items, 8), 0);
    assert_int_equal(mr_search_complete(ix, "atrix", items, 8), 0); /* prefixes only */
    /* "the" matches "The Matrix..." once each, not again through "Matrix...". */
    assert_int_equal(mr_search_complete(ix, "", items, 8), 6);
    assert_int_equal(items[0], 5);
    assert_int_equal(items[5], 4);
    assert_int_equal(mr_search_complete(ix, "the", items, 8), 3);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

/* What completion should answer, worked out the slow way. */
struct expected {
    int32_t item;
    int32_t pop;
    char title[64];
};

static int expected_cmp(const void *a, const void *b)
{
    const struct expected *x = a, *y = b;
    if (x->pop != y->pop)
        return x->pop > y->pop ? -1 : 1;
    int c = strcmp(x->title, y->title);
    return c ? c : (x->item > y->item) - (x->item < y->item);
}

/* Many titles, so that both ways of completing (ranking the matches, or walking the
 * popularity order when they are many) are compared with a brute-force answer. */
static void test_complete_many_titles(void **state)
{
    (void)state;
    enum { N = 6000, MAX = 25 };
    static const char *const names[] = {"The Love", "Love",  "A Lover", "Lost",
                                        "The Last", "Zorro", "Le Loup"};
    struct mr_catalog c = {0};
    static int32_t pop[N];
    unsigned seed = 99;
    for (int i = 0; i < N; i++) {
        char title[64];
        seed = seed * 1103515245u + 12345u;
        snprintf(title, sizeof title, "%s %d (%d)", names[(seed >> 16) % 7], i % 997,
                 1950 + i % 50);
        assert_int_equal(mr_catalog_add(&c, i + 1, title, 0), MR_OK);
        pop[i] = (int32_t)((seed >> 8) % 50); /* many ties */
    }
    mr_catalog_finish(&c, NULL, NULL, "test");
    static struct expected want[N];
    const char *prefixes[] = {"", "l", "lo", "love", "the l", "lost 1", "le loup 99", "zorro 5"};
    for (int with_pop = 0; with_pop < 2; with_pop++) {
        struct mr_search_index *ix = mr_search_build(&c, with_pop ? pop : NULL);
        for (size_t k = 0; k < sizeof prefixes / sizeof *prefixes; k++) {
            const char *p = prefixes[k];
            size_t pn = strlen(p);
            int n_want = 0;
            for (int32_t i = 0; i < N; i++) {
                char f[64];
                mr_text_fold(c.movies[i].display, f, sizeof f);
                const char *rest = strchr(f, ' ');
                int article = rest && (strncmp(f, "the ", 4) == 0 || strncmp(f, "a ", 2) == 0 ||
                                       strncmp(f, "le ", 3) == 0);
                if (strncmp(f, p, pn) == 0 || (article && strncmp(rest + 1, p, pn) == 0)) {
                    want[n_want].item = i;
                    want[n_want].pop = with_pop ? pop[i] : 0;
                    snprintf(want[n_want].title, sizeof want[n_want].title, "%s", f);
                    n_want++;
                }
            }
            qsort(want, (size_t)n_want, sizeof *want, expected_cmp);
            int32_t items[MAX];
            int n = mr_search_complete(ix, p, items, MAX);
            assert_int_equal(n, n_want < MAX ? n_want : MAX);
            for (int i = 0; i < n; i++)
                assert_int_equal(items[i], want[i].item);
        }
        mr_search_free(ix);
    }
    mr_catalog_free(&c);
}

/* ---- ml-latest-small ---- */

struct small {
    struct mr_dataset ds;
    struct mr_search_index *ix;
};

static int small_setup(void **state)
{
    struct small *s = calloc(1, sizeof *s);
    struct mr_error err;
    if (!s || mr_dataset_load(SMALL_DIR, NULL, &s->ds, &err) != MR_OK) {
        free(s);
        return -1;
    }
    s->ix = mr_search_build(&s->ds.catalog, s->ds.ratings.item_count);
    *state = s;
    return s->ix ? 0 : -1;
}

static int small_teardown(void **state)
{
    struct small *s = *state;
    mr_search_free(s->ix);
    mr_dataset_free(&s->ds);
    free(s);
    return 0;
}

static int32_t movie_id(const struct mr_catalog *c, const struct mr_search_hit *h)
{
    return c->movies[h->item].id;
}

/* The kinds of query the brief names, on any MovieLens catalog; pop may be NULL. */
static void check_common_queries(const struct mr_search_index *ix, const struct mr_catalog *c,
                                 const int32_t *pop)
{
    struct mr_search_hit hits[20];
    int n;
    assert_true(mr_search(ix, "the matrix", hits, 20) >= 3);
    assert_int_equal(movie_id(c, &hits[0]), 2571);
    assert_true(mr_search(ix, "matrix", hits, 20) >= 3);
    assert_int_equal(movie_id(c, &hits[0]), 2571);
    n = mr_search(ix, "amelie", hits, 20);
    assert_true(n >= 1);
    assert_int_equal(movie_id(c, &hits[0]), 4973);
    n = mr_search(ix, "godfater", hits, 20);
    int found = 0;
    for (int i = 0; i < n && i < 3; i++)
        found |= movie_id(c, &hits[i]) == 858;
    assert_true(found);

    n = mr_search(ix, "star wars", hits, 20);
    assert_best_first(hits, n);
    int star_wars = 0;
    for (int i = 0; i < n; i++) {
        char folded[512];
        mr_text_fold(c->movies[hits[i].item].title, folded, sizeof folded);
        star_wars += strstr(folded, "star wars") != NULL;
        if (pop && i > 0 && hits[i].quality == hits[i - 1].quality)
            assert_true(pop[hits[i].item] <= pop[hits[i - 1].item]);
    }
    assert_true(star_wars >= 5);
    assert_true(strstr(c->movies[hits[0].item].title, "Star Wars") != NULL);

    n = mr_search(ix, "ody", hits, 20);
    int odyssey = 0;
    for (int i = 0; i < n; i++) {
        char folded[512];
        mr_text_fold(c->movies[hits[i].item].title, folded, sizeof folded);
        assert_non_null(strstr(folded, "ody"));
        odyssey += strstr(folded, "odyssey") != NULL;
    }
    assert_true(odyssey >= 1);
    assert_int_equal(mr_search(ix, "", hits, 20), 0);

    int32_t item;
    struct mr_search_hit cand[8];
    assert_int_equal(mr_resolve_movie(ix, c, "2571", &item, cand, 8, &n), MR_RESOLVED);
    assert_int_equal(c->movies[item].id, 2571);
    assert_int_equal(mr_resolve_movie(ix, c, "The Matrix", &item, cand, 8, &n), MR_RESOLVED);
    assert_int_equal(c->movies[item].id, 2571);
    assert_int_equal(mr_resolve_movie(ix, c, "Toy Story (1995)", &item, cand, 8, &n), MR_RESOLVED);
    assert_int_equal(c->movies[item].id, 1);
    assert_int_equal(mr_resolve_movie(ix, c, "xqzvwk plorptuv", &item, cand, 8, &n),
                     MR_RESOLVE_NONE);
}

static void test_small_common_queries(void **state)
{
    struct small *s = *state;
    check_common_queries(s->ix, &s->ds.catalog, s->ds.ratings.item_count);
}

static void test_small_ambiguous_and_complete(void **state)
{
    struct small *s = *state;
    const struct mr_catalog *c = &s->ds.catalog;
    int32_t item;
    int n;
    struct mr_search_hit cand[8];
    /* ml-latest-small has two films titled "Hamlet" (1990 and 1996)... */
    int hamlets = 0;
    for (int32_t i = 0; i < c->n_movies; i++) {
        char folded[512];
        mr_text_fold(c->movies[i].title, folded, sizeof folded);
        hamlets += strncmp(folded, "hamlet ", 7) == 0 && strlen(folded) == 11;
    }
    assert_true(hamlets >= 2);
    assert_int_equal(mr_resolve_movie(s->ix, c, "Hamlet", &item, cand, 8, &n),
                     MR_RESOLVE_AMBIGUOUS);
    assert_int_equal(n, hamlets);
    for (int i = 0; i < n; i++)
        assert_non_null(strstr(c->movies[cand[i].item].title, "Hamlet ("));

    int32_t items[10];
    n = mr_search_complete(s->ix, "toy st", items, 10);
    assert_true(n >= 3);
    for (int i = 0; i < n; i++) {
        assert_non_null(strstr(c->movies[items[i]].title, "Toy Story"));
        if (i > 0)
            assert_true(s->ds.ratings.item_count[items[i]] <=
                        s->ds.ratings.item_count[items[i - 1]]);
    }
    assert_int_equal(c->movies[items[0]].id, 1);
}

/* Queries from several threads at once (the index keeps one reusable scratch area and
 * makes a private one when it is busy) give the answers of one thread alone. */
struct query_thread {
    const struct mr_search_index *ix;
    int mismatches;
};

static const char *const thread_queries[] = {"star wars", "godfater",  "the matrix", "ody",
                                             "toy sto",   "heat 1995", "s",          "zzqqxx"};
enum { N_THREAD_QUERIES = sizeof thread_queries / sizeof *thread_queries };
static struct mr_search_hit thread_expected[N_THREAD_QUERIES][10];
static int thread_expected_n[N_THREAD_QUERIES];

static void *query_thread_run(void *arg)
{
    struct query_thread *t = arg;
    for (int round = 0; round < 200; round++) {
        int q = round % N_THREAD_QUERIES;
        struct mr_search_hit hits[10];
        int n = mr_search(t->ix, thread_queries[q], hits, 10);
        if (n != thread_expected_n[q] ||
            memcmp(hits, thread_expected[q], (size_t)n * sizeof *hits) != 0)
            t->mismatches++;
    }
    return NULL;
}

static void test_small_concurrent_queries(void **state)
{
    struct small *s = *state;
    for (int q = 0; q < N_THREAD_QUERIES; q++)
        thread_expected_n[q] = mr_search(s->ix, thread_queries[q], thread_expected[q], 10);
    pthread_t threads[4];
    struct query_thread args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct query_thread){s->ix, 0};
        assert_int_equal(pthread_create(&threads[i], NULL, query_thread_run, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(args[i].mismatches, 0);
    }
}

/* ---- the ml-25m catalog ---- */

static void test_ml25m_catalog(void **state)
{
    (void)state;
    const char *mirror = getenv("MOVIELENS_MIRROR");
    char path[1024];
    snprintf(path, sizeof path, "%s/ml-25m-catalog/movies.csv",
             mirror ? mirror : "../shared/movielens");
    FILE *f = fopen(path, "r");
    if (!f) {
        skip();
        return;
    }
    fclose(f);
    struct mr_catalog c = {0};
    struct mr_load_opts opts = {0};
    struct mr_load_stats stats;
    struct mr_error err;
    opts.skip_ratings = 1;
    assert_int_equal(mr_catalog_load_csv(path, &opts, &c, &stats, &err), MR_OK);
    assert_int_equal(c.n_movies, 62423);
    struct mr_search_index *ix = mr_search_build(&c, NULL);
    assert_non_null(ix);
    check_common_queries(ix, &c, NULL);
    /* Four films called "Heat" (1963, 1972, 1986, 1995): ambiguous without the year. */
    int32_t item;
    int n;
    struct mr_search_hit cand[8];
    assert_int_equal(mr_resolve_movie(ix, &c, "Heat", &item, cand, 8, &n), MR_RESOLVE_AMBIGUOUS);
    assert_true(n >= 2);
    assert_int_equal(mr_resolve_movie(ix, &c, "heat 1995", &item, cand, 8, &n), MR_RESOLVED);
    assert_int_equal(c.movies[item].id, 6);
    mr_search_free(ix);
    mr_catalog_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_ascii),
        cmocka_unit_test(test_fold_latin),
        cmocka_unit_test(test_fold_other_scripts),
        cmocka_unit_test(test_fold_invalid_bytes),
        cmocka_unit_test(test_fold_truncates_whole_characters),
        cmocka_unit_test(test_fold_random_bytes_stay_valid),
        cmocka_unit_test(test_typo_distance_examples),
        cmocka_unit_test(test_typo_distance_matches_reference),
        cmocka_unit_test(test_empty_queries_match_nothing),
        cmocka_unit_test(test_empty_catalog),
        cmocka_unit_test(test_match_quality_beats_popularity),
        cmocka_unit_test(test_popularity_breaks_ties),
        cmocka_unit_test(test_alternative_titles),
        cmocka_unit_test(test_articles_case_and_accents),
        cmocka_unit_test(test_year_in_query),
        cmocka_unit_test(test_typos_prefixes_substrings),
        cmocka_unit_test(test_word_order_joined_words_numerals),
        cmocka_unit_test(test_missing_word_falls_back),
        cmocka_unit_test(test_max_hits_keeps_the_best),
        cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_complete),
        cmocka_unit_test(test_complete_many_titles),
        cmocka_unit_test_setup_teardown(test_small_common_queries, small_setup, small_teardown),
        cmocka_unit_test_setup_teardown(test_small_ambiguous_and_complete, small_setup,
                                        small_teardown),
        cmocka_unit_test_setup_teardown(test_small_concurrent_queries, small_setup, small_teardown),
        cmocka_unit_test(test_ml25m_catalog),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
