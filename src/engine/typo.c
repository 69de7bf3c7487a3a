/* typo.c — optimal string alignment distance, bit-parallel over the pattern (after
 * Hyyrö's 2003 extension of Myers' bit-vector algorithm to adjacent transpositions). */
#include <string.h>
#include "typo.h"

int mr_typo_compile(struct mr_typo_pattern *p, const char *word, size_t len)
{
    if (len == 0 || len > MR_TYPO_MAX_LEN)
        return -1;
    memset(p->peq, 0, sizeof p->peq);
    for (size_t i = 0; i < len; i++)
        p->peq[(unsigned char)word[i]] |= (uint64_t)1 << i;
    p->len = (int)len;
    return 0;
}

/* The vertical deltas of column j of the dynamic-programming table are kept as bit vectors:
 * VP (+1) and VN (-1).  D0 marks the cells whose value equals their diagonal neighbour's;
 * TR adds the cells reached by swapping the previous two bytes. */
int mr_typo_distance(const struct mr_typo_pattern *p, const char *text, size_t n, int *best_prefix)
{
    const uint64_t last = (uint64_t)1 << (p->len - 1);
    uint64_t vp = ~(uint64_t)0, vn = 0, d0 = 0, pm_prev = 0;
    int score = p->len;
    int best = p->len + (int)n;
    for (size_t j = 0; j < n; j++) {
        uint64_t pm = p->peq[(unsigned char)text[j]];
        uint64_t tr = (((~d0) & pm) << 1) & pm_prev;
        d0 = (((pm & vp) + vp) ^ vp) | pm | vn | tr;
        uint64_t hp = vn | ~(d0 | vp);
        uint64_t hn = d0 & vp;
        if (hp & last)
            score++;
        else if (hn & last)
            score--;
        if (score < best)
            best = score;
        hp = (hp << 1) | 1; /* the top row grows by one per column: a global alignment */
        hn <<= 1;
        vp = hn | ~(d0 | hp);
        vn = hp & d0;
        pm_prev = pm;
    }
    if (best_prefix)
        *best_prefix = best;
    return score;
}
