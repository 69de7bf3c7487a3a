/* typo.h — private: bounded typo distance between short words, for the search index.
 *
 * The distance is the optimal string alignment (restricted Damerau-Levenshtein) distance:
 * insertions, deletions, substitutions and swaps of two adjacent bytes each cost one.
 * It is computed bit-parallel (one machine word per column), so a pattern is at most
 * MR_TYPO_MAX_LEN bytes. */
#ifndef MOVIEREC_TYPO_H
#define MOVIEREC_TYPO_H

#include <stddef.h>
#include <stdint.h>

#define MR_TYPO_MAX_LEN 64

struct mr_typo_pattern {
    uint64_t peq[256]; /* bit i of peq[c]: byte i of the pattern is c */
    int len;
};

/* Prepares word[0..len) as a pattern.  Returns 0, or -1 when len is 0 or above
 * MR_TYPO_MAX_LEN (p is then unusable). */
int mr_typo_compile(struct mr_typo_pattern *p, const char *word, size_t len);

/* Distance between the pattern and text[0..n).  When best_prefix is not NULL it receives
 * the smallest distance between the pattern and any non-empty prefix of text (n > 0). */
int mr_typo_distance(const struct mr_typo_pattern *p, const char *text, size_t n, int *best_prefix);

#endif
