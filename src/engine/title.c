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

/* Bytes of white space at p (a space, a tab, or a UTF-8 no-break space), or 0. */
static size_t space_at(const char *p, const char *e)
{
    if (p < e && (*p == ' ' || *p == '\t'))
        return 1;
    if (e - p >= 2 && (unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xA0)
        return 2;
    return 0;
}

/* End of [b, e) without its trailing white space. */
static const char *trim_end(const char *b, const char *e)
{
    for (;;) {
        if (e > b && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        else if (e - b >= 2 && (unsigned char)e[-2] == 0xC2 && (unsigned char)e[-1] == 0xA0)
            e -= 2;
        else
            return e;
    }
}

/* If white space then '(' starts at p, the position of the '('; else NULL. */
static const char *group_start(const char *p, const char *e)
{
    size_t n, total = 0;
    while ((n = space_at(p + total, e)) > 0)
        total += n;
    return total > 0 && p + total < e && p[total] == '(' ? p + total : NULL;
}

/* Length of the article that [b, e) ends with after ", ", or 0. */
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

/* Writes an article and the space that follows it ("L'" is glued to the next word). */
static void put_article(struct title_out *o, const char *article, size_t n)
{
    out_put(o, article, n);
    if (article[n - 1] != '\'')
        out_put(o, " ", 1);
}

/* Writes segment [b, e) with a trailing ", Article" moved to its front; also the article of
 * a title before a subtitle ("Crow, The: Wicked Prayer" -> "The Crow: Wicked Prayer").  An
 * "a.k.a. " prefix stays where it is and the rest is treated as the title. */
static void put_segment(struct title_out *o, const char *b, const char *e)
{
    static const char aka[] = "a.k.a. ";
    e = trim_end(b, e);
    if ((size_t)(e - b) > sizeof aka - 1 && memcmp(b, aka, sizeof aka - 1) == 0) {
        out_put(o, b, sizeof aka - 1);
        b += sizeof aka - 1;
    }
    size_t n = trailing_article(b, e);
    if (n > 0) {
        put_article(o, e - n, n);
        out_put(o, b, (size_t)(e - n - 2 - b));
        return;
    }
    const char *colon = memchr(b, ':', (size_t)(e - b));
    n = colon ? trailing_article(b, colon) : 0;
    if (n > 0) {
        put_article(o, colon - n, n);
        out_put(o, b, (size_t)(colon - n - 2 - b));
        out_put(o, colon, (size_t)(e - colon));
        return;
    }
    out_put(o, b, (size_t)(e - b));
}

/* End of the parenthesised group whose '(' is at p (just past its ')'), or NULL. */
static const char *group_end(const char *p, const char *e)
{
    int depth = 0;
    for (const char *q = p; q < e; q++) {
        if (*q == '(')
            depth++;
        else if (*q == ')' && --depth == 0)
            return q + 1;
    }
    return NULL;
}

char *mr_title_display(const char *title, char *buf, size_t len)
{
    struct title_out o = {buf, len, 0};
    if (len)
        buf[0] = '\0';
    const char *b, *e;
    title_trim(title, &b, &e);
    e = trim_end(b, e);

    /* The main title runs up to the first parenthesised group after white space. */
    const char *main_end = b;
    while (main_end < e && !group_start(main_end, e))
        main_end++;

    /* A rare form puts the article after the first group: "Title (Part), The (2011)". */
    const char *first = main_end < e ? group_start(main_end, e) : NULL;
    const char *first_end = first ? group_end(first, e) : NULL;
    const char *late = NULL; /* ", Article" after the first group */
    size_t late_n = 0;
    if (first_end && !trailing_article(b, trim_end(b, main_end)) && first_end[0] == ',') {
        const char *stop = first_end;
        while (stop < e && !group_start(stop, e))
            stop++;
        late_n = trailing_article(first_end - 1, stop);
        if (late_n > 0 && stop - first_end == (ptrdiff_t)late_n + 2)
            late = first_end;
        else
            late_n = 0;
    }
    if (late)
        put_article(&o, late + 2, late_n);
    put_segment(&o, b, main_end);

    /* Then " (alternative title)" groups, the last one usually the year. */
    const char *p = main_end;
    while (p < e) {
        if (p == late) {
            p += late_n + 2;
            continue;
        }
        const char *open = group_start(p, e);
        const char *close = open ? group_end(open, e) : NULL;
        if (!close) { /* not a group, or unbalanced: keep the rest as it is */
            out_put(&o, p, (size_t)(e - p));
            break;
        }
        out_put(&o, " (", 2);
        put_segment(&o, open + 1, close - 1);
        out_put(&o, ")", 1);
        p = close;
    }
    return buf;
}
