/* catalog.c — the movies sorted by MovieLens id: adding, finishing, finding, tags, genres. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "movierec/catalog.h"
#include "movierec/error.h"
#include "loaders.h"

static const char *const genre_names[MR_GENRE_COUNT] = {
    "Action", "Adventure",   "Animation", "Children", "Comedy",
    "Crime",  "Documentary", "Drama",     "Fantasy",  "Film-Noir",
    "Horror", "IMAX",        "Musical",   "Mystery",  "Romance",
    "Sci-Fi", "Thriller",    "War",       "Western",  "(no genres listed)",
};

const char *mr_genre_name(int g)
{
    return g >= 0 && g < MR_GENRE_COUNT ? genre_names[g] : NULL;
}

int mr_genre_parse(const char *name)
{
    for (int g = 0; g < MR_GENRE_COUNT; g++)
        if (strcasecmp(name, genre_names[g]) == 0)
            return g;
    if (strcasecmp(name, "Children's") == 0)
        return MR_GENRE_CHILDREN;
    return -1;
}

char *mr_genres_format(uint32_t genres, char *buf, size_t len)
{
    if (!len)
        return buf;
    buf[0] = '\0';
    size_t pos = 0;
    for (int g = 0; g < MR_GENRE_COUNT; g++) {
        if (!(genres & (1u << g)))
            continue;
        int n = snprintf(buf + pos, len - pos, "%s%s", pos ? "|" : "", genre_names[g]);
        if (n < 0 || (size_t)n >= len - pos) {
            buf[pos] = '\0'; /* leave out the genre that does not fit whole */
            break;
        }
        pos += (size_t)n;
    }
    return buf;
}

int mr_catalog_add(struct mr_catalog *c, int32_t id, const char *title, uint32_t genres)
{
    if (c->borrowed)
        return MR_EUSAGE;
    if (!title || id < 0)
        return MR_EDATA;
    if (c->n_movies == c->cap) {
        int32_t cap = c->cap ? c->cap * 2 : 256;
        struct mr_movie *m = realloc(c->movies, (size_t)cap * sizeof *m);
        if (!m)
            return MR_ENOMEM;
        c->movies = m;
        c->cap = cap;
    }
    size_t n = strlen(title);
    char *copy = malloc(n + 1);
    char *display = malloc(n + 2); /* a display title is never longer than the title */
    if (!copy || !display) {
        free(copy);
        free(display);
        return MR_ENOMEM;
    }
    memcpy(copy, title, n + 1);
    mr_title_display(title, display, n + 2);
    struct mr_movie *m = &c->movies[c->n_movies++];
    memset(m, 0, sizeof *m);
    m->id = id;
    m->title = copy;
    m->display = display;
    m->year = (int16_t)mr_title_year(title);
    m->genres = genres;
    return MR_OK;
}

static void movie_free(struct mr_movie *m)
{
    free(m->title);
    free(m->display);
    for (int32_t t = 0; t < m->n_tags; t++)
        free(m->tags[t].text);
    free(m->tags);
    memset(m, 0, sizeof *m);
}

/* Sort key of one added movie: its id, then the order it was added in. */
struct add_order {
    int32_t id;
    int32_t pos;
};

static int add_order_cmp(const void *a, const void *b)
{
    const struct add_order *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int movie_id_cmp(const void *a, const void *b)
{
    const struct mr_movie *x = a, *y = b;
    return (x->id > y->id) - (x->id < y->id);
}

/* The fallback of mr_catalog_finish_lines() that needs no memory. */
static int64_t catalog_sort_in_place(struct mr_catalog *c, mr_report_fn report, void *ctx,
                                     const char *file)
{
    qsort(c->movies, (size_t)c->n_movies, sizeof *c->movies, movie_id_cmp);
    int64_t dropped = 0;
    int32_t out = 0;
    for (int32_t i = 0; i < c->n_movies; i++) {
        if (out > 0 && c->movies[out - 1].id == c->movies[i].id) {
            if (report) {
                char what[96];
                snprintf(what, sizeof what, "duplicate movieId %d", (int)c->movies[i].id);
                report(ctx, file, 0, what);
            }
            movie_free(&c->movies[i]);
            dropped++;
            continue;
        }
        c->movies[out++] = c->movies[i];
    }
    c->n_movies = out;
    return dropped;
}

int64_t mr_catalog_finish_lines(struct mr_catalog *c, const int64_t *lines, mr_report_fn report,
                                void *ctx, const char *file)
{
    int32_t n = c->n_movies;
    int sorted = 1;
    for (int32_t i = 1; i < n && sorted; i++)
        sorted = c->movies[i - 1].id < c->movies[i].id;
    if (sorted)
        return 0;

    struct add_order *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    struct mr_movie *movies = malloc((size_t)(n ? n : 1) * sizeof *movies);
    if (!order || !movies) {
        /* Out of memory: sort in place; which of two duplicates survives is then arbitrary. */
        free(order);
        free(movies);
        return catalog_sort_in_place(c, report, ctx, file);
    }
    for (int32_t i = 0; i < n; i++)
        order[i] = (struct add_order){c->movies[i].id, i};
    qsort(order, (size_t)n, sizeof *order, add_order_cmp);

    int64_t dropped = 0;
    int32_t out = 0;
    for (int32_t i = 0; i < n; i++) {
        struct mr_movie *m = &c->movies[order[i].pos];
        if (out > 0 && movies[out - 1].id == m->id) {
            if (report) {
                char what[96];
                snprintf(what, sizeof what, "duplicate movieId %d (the first one is kept)",
                         (int)m->id);
                report(ctx, file, lines ? (long)lines[order[i].pos] : 0, what);
            }
            movie_free(m);
            dropped++;
            continue;
        }
        movies[out++] = *m;
    }
    free(order);
    free(c->movies);
    c->movies = movies;
    c->n_movies = out;
    c->cap = n ? n : 1;
    return dropped;
}

void mr_catalog_finish(struct mr_catalog *c, mr_report_fn report, void *ctx, const char *file)
{
    mr_catalog_finish_lines(c, NULL, report, ctx, file);
}

int32_t mr_catalog_find(const struct mr_catalog *c, int32_t id)
{
    int32_t lo = 0, hi = c->n_movies - 1;
    while (lo <= hi) {
        int32_t mid = lo + (hi - lo) / 2;
        int32_t v = c->movies[mid].id;
        if (v == id)
            return mid;
        if (v < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

int mr_catalog_add_tag(struct mr_catalog *c, int32_t item, const char *tag)
{
    if (c->borrowed || item < 0 || item >= c->n_movies || !tag)
        return MR_EUSAGE;
    struct mr_movie *m = &c->movies[item];
    for (int32_t t = 0; t < m->n_tags; t++) {
        if (strcasecmp(m->tags[t].text, tag) == 0) {
            m->tags[t].count++;
            return MR_OK;
        }
    }
    /* Capacity is implicit: the next power of two >= n_tags, at least 4. */
    int32_t n = m->n_tags;
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        int32_t cap = n == 0 ? 4 : n * 2;
        struct mr_tag *tags = realloc(m->tags, (size_t)cap * sizeof *tags);
        if (!tags)
            return MR_ENOMEM;
        m->tags = tags;
    }
    char *text = strdup(tag);
    if (!text)
        return MR_ENOMEM;
    m->tags[n] = (struct mr_tag){text, 1};
    m->n_tags = n + 1;
    return MR_OK;
}

static int tag_cmp(const void *a, const void *b)
{
    const struct mr_tag *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int r = strcasecmp(x->text, y->text);
    return r ? r : strcmp(x->text, y->text);
}

void mr_catalog_finish_tags(struct mr_catalog *c)
{
    for (int32_t i = 0; i < c->n_movies; i++) {
        struct mr_movie *m = &c->movies[i];
        if (m->n_tags > 1)
            qsort(m->tags, (size_t)m->n_tags, sizeof *m->tags, tag_cmp);
    }
}

void mr_catalog_free(struct mr_catalog *c)
{
    /* A snapshot's strings are not the catalog's: only the arrays are. */
    for (int32_t i = 0; !c->borrowed && i < c->n_movies; i++)
        movie_free(&c->movies[i]);
    free(c->tag_pool);
    free(c->movies);
    memset(c, 0, sizeof *c);
}
