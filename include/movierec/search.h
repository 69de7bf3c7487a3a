/* search.h — finding movies by title.
 *
 * Titles are folded (lower case, accents removed, punctuation to spaces, leading or
 * trailing articles ignored) and indexed by word.  A query matches by whole title,
 * word prefix, substring, and with one or two typos; hits are ranked by match quality,
 * then popularity. */
#ifndef MOVIEREC_SEARCH_H
#define MOVIEREC_SEARCH_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/catalog.h"

struct mr_search_index;

struct mr_search_hit {
    int32_t item; /* catalog item index */
    int quality;  /* higher is a better match; comparable within one query only */
};

/* Builds an index over c.  popularity (n_movies counts, e.g. ratings.item_count) breaks ties
 * between equal matches and may be NULL.  c and popularity must outlive the index.
 * Returns NULL when out of memory. */
struct mr_search_index *mr_search_build(const struct mr_catalog *c, const int32_t *popularity);

/* Finds up to max_hits movies for query, best first; returns how many were written.
 * An empty or blank query matches nothing. */
int mr_search(const struct mr_search_index *ix, const char *query, struct mr_search_hit *hits,
              int max_hits);

struct mr_writer;
struct mr_reader;

/* Writes the index's arrays (for the data snapshot, snapshot.h).  Returns 0, or -1 when the
 * writer failed. */
int mr_search_save(const struct mr_search_index *ix, struct mr_writer *w);

/* Reads an index written by mr_search_save over catalog c and popularity (as for
 * mr_search_build), its arrays used in place in r's buffer, which must outlive the index.
 * Every offset and index is checked, so that no query reads outside it.  Returns the index,
 * or NULL (r->failed set when the data is wrong, not set when out of memory). */
struct mr_search_index *mr_search_load(struct mr_reader *r, const struct mr_catalog *c,
                                       const int32_t *popularity);

/* Frees the index (NULL is fine). */
void mr_search_free(struct mr_search_index *ix);

/* Folds UTF-8 text for matching: lower case, accents stripped ("Amélie" -> "amelie"),
 * every non-alphanumeric run becomes one space, no leading/trailing space.
 * Latin-1 and Latin Extended-A letters become ASCII ("ß" -> "ss", "ł" -> "l"); other
 * letters (Cyrillic, Greek, CJK) stay, lower-cased where that is a fixed offset; combining
 * accents are dropped; invalid UTF-8 bytes are skipped.  The output is never longer than
 * the input.  Writes at most len bytes including the NUL, cut before a character that does
 * not fit (out may be NULL when len is 0); returns the length of the whole folded text,
 * as snprintf does, so a result >= len means it was cut. */
size_t mr_text_fold(const char *text, char *out, size_t len);

/* Title completion (e.g. readline's Tab): writes to items up to max movies whose folded
 * display title, year included, starts with the folded prefix ("matr" also finds "The
 * Matrix (1999)": a leading article may be left out), most popular first, then
 * alphabetically.  An empty prefix lists the most popular movies.  Returns how many. */
int mr_search_complete(const struct mr_search_index *ix, const char *prefix, int32_t *items,
                       int max);

/* How a MOVIE argument resolved. */
enum mr_resolve_result { MR_RESOLVED = 0, MR_RESOLVE_NONE = 1, MR_RESOLVE_AMBIGUOUS = 2 };

/* Resolves a MOVIE argument: a movieId (all digits) or a title.  A title resolves when
 * exactly one movie matches it well (its folded title, with or without year, equals the
 * query, or it is the only hit); otherwise up to max_candidates hits are written to
 * candidates and *n_candidates is set.  *item is set on MR_RESOLVED.
 * Details: equal titles are narrowed by the query's year ("heat 1995") and then by its
 * articles ("The Heat" vs "Heat"); a lone hit found only by dropping a query word is
 * offered as a candidate (ambiguous), not taken.  candidates may be NULL when
 * max_candidates is 0. */
enum mr_resolve_result mr_resolve_movie(const struct mr_search_index *ix,
                                        const struct mr_catalog *c, const char *arg, int32_t *item,
                                        struct mr_search_hit *candidates, int max_candidates,
                                        int *n_candidates);

#endif
