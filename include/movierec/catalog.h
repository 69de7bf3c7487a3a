/* catalog.h — the movies: titles, years, genres, tags, links.
 *
 * Movies are kept sorted by MovieLens movieId.  A movie's position in that order
 * is its dense "item index", used by the ratings matrix and every model. */
#ifndef MOVIEREC_CATALOG_H
#define MOVIEREC_CATALOG_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/error.h" /* mr_report_fn */

/* Genre bits, in the order of mr_genre_name(). ml-100k's "unknown" maps to MR_GENRE_NONE. */
enum mr_genre {
    MR_GENRE_ACTION,
    MR_GENRE_ADVENTURE,
    MR_GENRE_ANIMATION,
    MR_GENRE_CHILDREN,
    MR_GENRE_COMEDY,
    MR_GENRE_CRIME,
    MR_GENRE_DOCUMENTARY,
    MR_GENRE_DRAMA,
    MR_GENRE_FANTASY,
    MR_GENRE_FILM_NOIR,
    MR_GENRE_HORROR,
    MR_GENRE_IMAX,
    MR_GENRE_MUSICAL,
    MR_GENRE_MYSTERY,
    MR_GENRE_ROMANCE,
    MR_GENRE_SCI_FI,
    MR_GENRE_THRILLER,
    MR_GENRE_WAR,
    MR_GENRE_WESTERN,
    MR_GENRE_NONE, /* "(no genres listed)" */
    MR_GENRE_COUNT
};

/* Name of genre g as MovieLens spells it ("Sci-Fi", "Children"), or NULL when out of range. */
const char *mr_genre_name(int g);

/* Genre for a MovieLens genre name (also accepts "Children's"), or -1. */
int mr_genre_parse(const char *name);

/* Joins the genre bits with '|' into buf ("Action|Crime"); "" for none. Returns buf. */
char *mr_genres_format(uint32_t genres, char *buf, size_t len);

struct mr_tag {
    char *text;    /* as first seen, UTF-8 */
    int32_t count; /* how many times users applied it to this movie */
};

struct mr_movie {
    int32_t id;          /* MovieLens movieId */
    char *title;         /* UTF-8, as in the data: "Matrix, The (1999)" */
    char *display;       /* UTF-8, article moved to the front: "The Matrix (1999)" */
    int16_t year;        /* release year, 0 when unknown */
    uint32_t genres;     /* bit (1u << enum mr_genre) per genre */
    int64_t imdb_id;     /* 0 when unknown */
    int64_t tmdb_id;     /* 0 when unknown */
    struct mr_tag *tags; /* sorted by count, descending */
    int32_t n_tags;
};

struct mr_catalog {
    struct mr_movie *movies; /* sorted by id */
    int32_t n_movies;
    int32_t cap;
    /* Set for a catalog read from a snapshot (snapshot.h): the strings (titles, display titles,
     * tag texts) live in the snapshot's mapping, owned by the data set, and every movie's tags
     * are a slice of tag_pool.  Such a catalog is read-only: mr_catalog_add and
     * mr_catalog_add_tag return MR_EUSAGE; mr_catalog_free frees movies and tag_pool only. */
    int borrowed;
    struct mr_tag *tag_pool;
};

/* Adds a movie, copying title; computes display title and year.  Does not keep
 * the order sorted: call mr_catalog_finish() after the last add.
 * Returns MR_OK, or MR_ENOMEM / MR_EDATA (duplicate ids are found by finish). */
int mr_catalog_add(struct mr_catalog *c, int32_t id, const char *title, uint32_t genres);

/* Sorts by id and checks for duplicates (a later duplicate is dropped and reported
 * through report when not NULL).  Must be called once before mr_catalog_find(). */
void mr_catalog_finish(struct mr_catalog *c, mr_report_fn report, void *ctx, const char *file);

/* Item index of movieId id, or -1.  O(log n). */
int32_t mr_catalog_find(const struct mr_catalog *c, int32_t id);

/* Adds one application of tag to the movie at item index (count += 1 when the same tag,
 * compared case-insensitively, is already there). */
int mr_catalog_add_tag(struct mr_catalog *c, int32_t item, const char *tag);

/* Sorts every movie's tags by count (descending); call once after the last tag. */
void mr_catalog_finish_tags(struct mr_catalog *c);

/* Frees everything the catalog owns and zeroes it. */
void mr_catalog_free(struct mr_catalog *c);

/* Title helpers (title.c). */

/* Year from a title ending in "(1995)" or "(1995-2003)" (spaces tolerated), or 0. */
int mr_title_year(const char *title);

/* Writes the display form of title into buf: the trailing ", The" / ", A" / ", An" (and the
 * common foreign articles: Le, La, Les, L', Il, Der, Die, Das, El, Los, Las, Det, Den) before the
 * year is moved to the front.  "Matrix, The (1999)" -> "The Matrix (1999)".  Returns buf. */
char *mr_title_display(const char *title, char *buf, size_t len);

#endif
