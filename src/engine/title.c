/* title.c — what a MovieLens title string says: its year and its display form. */
#include <string.h>
#include "movierec/catalog.h"

/* Articles that MovieLens moves behind a comma: "Matrix, The".  An entry ending in an
 * apostrophe is glued to the next word ("Homme, L'" -> "L'Homme"). */
static const char *const title_articles[] = {
    "The", "A",   "An",  "Le", "La",  "Les", "L'",  "Il",
    "Der", "Die", "Das", "El", "Los", "Las", "Det", "Den",
};

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* Bounds [*begin, *end) of title without leading and trailing white space. */
static void title_trim(const char *title, const char **begin, const char **end)
{
    const char *b = title;
    const char *e = title + strlen(title);
    while (b < e && is_space(*b))
        b++;
    while (e > b && is_space(e[-1]))
        e--;
    *begin = b;
    *end = e;
}

int mr_title_year(const char *title)
{
    const char *b, *e;
    title_trim(title, &b, &e);
    if (e == b || e[-1] != ')')
        return 0;
    const char *close = e - 1;
    const char *open = close;
    while (open > b && *open != '(')
        open--;
    if (*open != '(')
        return 0;
    const char *p = open + 1;
    while (p < close && is_space(*p))
        p++;
    int year = 0;
    for (int i = 0; i < 4; i++, p++) {
        if (p >= close || !is_digit(*p))
            return 0;
        year = year * 10 + (*p - '0');
    }
    /* An optional range: "-2013", "–2013" (en dash), or an open "-". */
    if (p < close && *p == '-') {
        p++;
    } else if (close - p >= 3 && memcmp(p, "\xE2\x80\x93", 3) == 0) {
        p += 3;
    } else if (p < close && is_digit(*p)) {
        return 0; /* five digits */
    }
    while (p < close && is_digit(*p))
        p++;
    while (p < close && is_space(*p))
        p++;
    return p == close ? year : 0;
}

/* A bounded writer into the caller's buffer; always NUL-terminated. */
struct title_out {
    char *buf;
    size_t len;
    size_t pos;
};

static void out_put(struct title_out *o, const char *s, size_t n)
{
    if (o->len == 0)
        return;
    size_t room = o->len - 1 - o->pos;
    if (n > room)
        n = room;
    memcpy(o->buf + o->pos, s, n);
    o->pos += n;
    o->buf[o->pos] = '\0';
}

/* Length of the article that segment [b, e) ends with after ", ", or 0. */
static size_t trailing_article(const char *b, const char *e)
{
    for (size_t i = 0; i < sizeof title_articles / sizeof *title_articles; i++) {
        size_t n = strlen(title_articles[i]);
        if ((size_t)(e - b) < n + 3) /* at least one character of title before ", " */
            continue;
        if (memcmp(e - n, title_articles[i], n) == 0 && e[-(ptrdiff_t)n - 2] == ',' &&
            e[-(ptrdiff_t)n - 1] == ' ')
            return n;
    }
    return 0;
}

/* Writes segment [b, e) with a trailing ", Article" moved to its front.  An "a.k.a. "
 * prefix stays where it is and the rest is treated as the title. */
static void put_segment(struct title_out *o, const char *b, const char *e)
{
    static const char aka[] = "a.k.a. ";
    if ((size_t)(e - b) > sizeof aka - 1 && memcmp(b, aka, sizeof aka - 1) == 0) {
        out_put(o, b, sizeof aka - 1);
        b += sizeof aka - 1;
    }
    size_t n = trailing_article(b, e);
    if (n == 0) {
        out_put(o, b, (size_t)(e - b));
        return;
    }
    out_put(o, e - n, n);
    if (e[-1] != '\'')
        out_put(o, " ", 1);
    out_put(o, b, (size_t)(e - n - 2 - b));
}

char *mr_title_display(const char *title, char *buf, size_t len)
{
    struct title_out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    const char *b, *e;
    title_trim(title, &b, &e);

    /* The main title runs up to the first " (". */
    const char *main_end = b;
    while (main_end < e && !(main_end[0] == ' ' && main_end + 1 < e && main_end[1] == '('))
        main_end++;
    put_segment(&o, b, main_end);

    /* Then " (alternative title)" groups, the last one usually the year. */
    const char *p = main_end;
    while (p < e) {
        if (!(p[0] == ' ' && p + 1 < e && p[1] == '(')) {
            out_put(&o, p, (size_t)(e - p));
            break;
        }
        const char *q = p + 2;
        int depth = 1;
        while (q < e && depth > 0) {
            if (*q == '(')
                depth++;
            else if (*q == ')')
                depth--;
            q++;
        }
        if (depth > 0) { /* unbalanced: keep it as it is */
            out_put(&o, p, (size_t)(e - p));
            break;
        }
        out_put(&o, " (", 2);
        put_segment(&o, p + 2, q - 1);
        out_put(&o, ")", 1);
        p = q;
    }
    return buf;
}
