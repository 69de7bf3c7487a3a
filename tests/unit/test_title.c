/* test_title.c — year parsing, display titles and genre names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>
#include "movierec/catalog.h"

static void test_year_plain(void **state)
{
    (void)state;
    assert_int_equal(mr_title_year("Toy Story (1995)"), 1995);
    assert_int_equal(mr_title_year("Matrix, The (1999)"), 1999);
    /* alternative title in parentheses before the year */
    assert_int_equal(
        mr_title_year("City of Lost Children, The (Cité des enfants perdus, La) (1995)"), 1995);
    /* a title that starts with a number in parentheses */
    assert_int_equal(mr_title_year("(500) Days of Summer (2009)"), 2009);
}

static void test_year_ranges_and_spaces(void **state)
{
    (void)state;
    assert_int_equal(mr_title_year("Fawlty Towers (1975-1979)"), 1975);
    assert_int_equal(mr_title_year("Big Bang Theory (2007-2013)"), 2007);
    assert_int_equal(mr_title_year("Dexter (2006-)"), 2006);
    assert_int_equal(mr_title_year("Some Series (2010\xE2\x80\x93"
                                   "2012)"),
                     2010);
    assert_int_equal(mr_title_year("Babylon 5 (1994) "), 1994);
    assert_int_equal(mr_title_year("Trailing (2001)  \t"), 2001);
    assert_int_equal(mr_title_year("Spaces inside ( 2003 )"), 2003);
}

static void test_year_missing(void **state)
{
    (void)state;
    assert_int_equal(mr_title_year("Babylon 5"), 0);
    assert_int_equal(mr_title_year(""), 0);
    assert_int_equal(mr_title_year("Blade Runner (Director's Cut)"), 0);
    assert_int_equal(mr_title_year("Odd (19955)"), 0);
    assert_int_equal(mr_title_year("Short (199)"), 0);
    assert_int_equal(mr_title_year("No close (1995"), 0);
    assert_int_equal(mr_title_year("1995)"), 0);
}

static void assert_display(const char *title, const char *want)
{
    char buf[256];
    assert_string_equal(mr_title_display(title, buf, sizeof buf), want);
}

static void test_display_articles(void **state)
{
    (void)state;
    assert_display("Matrix, The (1999)", "The Matrix (1999)");
    assert_display("Clockwork Orange, A (1971)", "A Clockwork Orange (1971)");
    assert_display("American Werewolf in London, An (1981)",
                   "An American Werewolf in London (1981)");
    assert_display("Postino, Il (1994)", "Il Postino (1994)");
    assert_display("Haine, La (1995)", "La Haine (1995)");
    assert_display("Misérables, Les (1995)", "Les Misérables (1995)");
    assert_display("Boot, Das (1981)", "Das Boot (1981)");
    assert_display("Homme qui aimait les femmes, L' (1977)",
                   "L'Homme qui aimait les femmes (1977)");
    assert_display("Mariachi, El (1992)", "El Mariachi (1992)");
    /* The article is only moved when it ends the main title. */
    assert_display("Good, the Bad and the Ugly, The (1966)",
                   "The Good, the Bad and the Ugly (1966)");
    assert_display("Six Days, Seven Nights (1998)", "Six Days, Seven Nights (1998)");
    assert_display("Toy Story (1995)", "Toy Story (1995)");
    /* "Anne" is not an article even though it starts with "An". */
    assert_display("Raising, Anne (2000)", "Raising, Anne (2000)");
}

static void test_display_alternative_titles(void **state)
{
    (void)state;
    assert_display("City of Lost Children, The (Cité des enfants perdus, La) (1995)",
                   "The City of Lost Children (La Cité des enfants perdus) (1995)");
    assert_display("Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)",
                   "Shanghai Triad (Yao a yao yao dao waipo qiao) (1995)");
    assert_display("Seven (a.k.a. Se7en) (1995)", "Seven (a.k.a. Se7en) (1995)");
    assert_display("Three Colors: Blue (Trois couleurs: Bleu) (1993)",
                   "Three Colors: Blue (Trois couleurs: Bleu) (1993)");
    assert_display("Wedding Banquet, The (Xi yan) (1993)", "The Wedding Banquet (Xi yan) (1993)");
    assert_display("Bandit (a.k.a. Outlaw, The) (1990)", "Bandit (a.k.a. The Outlaw) (1990)");
}

/* Forms found in the ml-25m catalog. */
static void test_display_catalog_oddities(void **state)
{
    (void)state;
    /* two spaces, or a no-break space, before the year */
    assert_display("Underground Comedy Movie, The  (1999)", "The Underground Comedy Movie (1999)");
    assert_display("Emperor's New Clothes, The\xC2\xA0(1972)", "The Emperor's New Clothes (1972)");
    /* the article of a title followed by a subtitle */
    assert_display("Crow, The: Wicked Prayer (2005)", "The Crow: Wicked Prayer (2005)");
    assert_display("Power of Nightmares, The: The Rise of the Politics of Fear (2004)",
                   "The Power of Nightmares: The Rise of the Politics of Fear (2004)");
    /* the article after a first group */
    assert_display("Human Centipede II (Full Sequence), The (2011)",
                   "The Human Centipede II (Full Sequence) (2011)");
    assert_display("Human Centipede II (Full Sequence), The",
                   "The Human Centipede II (Full Sequence)");
    /* commas that are not an article stay */
    assert_display("Rob Roy, The Highland Rogue (1954)", "Rob Roy, The Highland Rogue (1954)");
    assert_display("Die, Monster, Die! (1965)", "Die, Monster, Die! (1965)");
    assert_display("Foo (Bar), Then (1999)", "Foo (Bar), Then (1999)");
    assert_int_equal(mr_title_year("Emperor's New Clothes, The\xC2\xA0(1972)"), 1972);
}

static void test_display_edges(void **state)
{
    (void)state;
    assert_display("Matrix, The", "The Matrix");
    assert_display("  Matrix, The (1999)  ", "The Matrix (1999)");
    assert_display("", "");
    assert_display(", The", ", The");
    assert_display("Unbalanced, The (1999", "The Unbalanced (1999");
    /* a small buffer truncates but stays terminated */
    char small[5];
    assert_string_equal(mr_title_display("Matrix, The (1999)", small, sizeof small), "The ");
}

static void test_genres_round_trip(void **state)
{
    (void)state;
    for (int g = 0; g < MR_GENRE_COUNT; g++)
        assert_int_equal(mr_genre_parse(mr_genre_name(g)), g);
    assert_null(mr_genre_name(-1));
    assert_null(mr_genre_name(MR_GENRE_COUNT));
    assert_string_equal(mr_genre_name(MR_GENRE_SCI_FI), "Sci-Fi");
    assert_string_equal(mr_genre_name(MR_GENRE_CHILDREN), "Children");
    assert_int_equal(mr_genre_parse("Children's"), MR_GENRE_CHILDREN);
    assert_int_equal(mr_genre_parse("(no genres listed)"), MR_GENRE_NONE);
    assert_int_equal(mr_genre_parse("Space Opera"), -1);

    char buf[256];
    uint32_t all = (1u << MR_GENRE_COUNT) - 1;
    mr_genres_format(all, buf, sizeof buf);
    /* parse the joined string back, bit by bit */
    uint32_t back = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, "|", &save); tok; tok = strtok_r(NULL, "|", &save)) {
        int g = mr_genre_parse(tok);
        assert_true(g >= 0);
        back |= 1u << g;
    }
    assert_int_equal(back, all);

    uint32_t two = (1u << MR_GENRE_ACTION) | (1u << MR_GENRE_CRIME);
    assert_string_equal(mr_genres_format(two, buf, sizeof buf), "Action|Crime");
    assert_string_equal(mr_genres_format(0, buf, sizeof buf), "");
    char tiny[8];
    assert_string_equal(mr_genres_format(two, tiny, sizeof tiny), "Action");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_year_plain),
        cmocka_unit_test(test_year_ranges_and_spaces),
        cmocka_unit_test(test_year_missing),
        cmocka_unit_test(test_display_articles),
        cmocka_unit_test(test_display_alternative_titles),
        cmocka_unit_test(test_display_catalog_oddities),
        cmocka_unit_test(test_display_edges),
        cmocka_unit_test(test_genres_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
