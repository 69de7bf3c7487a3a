/* search.c — the title index: the words of every folded display title, looked up by whole
 * word, prefix, substring and typo; hits ranked by match quality, then popularity.  Also
 * resolving a MOVIE argument and completing a title prefix.
 *
 * Layout: a sorted vocabulary of distinct words, each with its postings (item, position),
 * and a trigram table over it for substrings; a hash table of "title keys" (a title's words
 * without articles or spaces) for exact matches; a sorted table of folded display titles
 * for completion.  A query walks the postings of the vocabulary words each query word
 * matches and keeps per-item state in scratch arrays that are reset through the list of
 * items they touched, so a query costs what it matches, not the catalog's size. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/search.h"
#include "movierec/serial.h"
#include "fold.h"
#include "typo.h"

#define MAX_QUERY_WORDS 16 /* further query words are ignored */
#define MAX_POS         255
#define TRIGRAM_BUCKETS 65536 /* substring lookup: words by hashed 3-byte sequence */

/* How well one query word matches one title word; higher is better. */
enum word_score {
    SCORE_TYPO2_PREFIX = 2, /* two typos in a prefix of the word (last query word only) */
    SCORE_TYPO2 = 3,
    SCORE_TYPO1_PREFIX = 4,
    SCORE_TYPO1 = 5,
    SCORE_INFIX = 6, /* the query word occurs inside the word */
    SCORE_PREFIX = 9,
    SCORE_EXACT = 12
};

/* Bonuses added to 10 x the sum of the word scores; see hit_quality(). */
enum {
    BONUS_IN_ORDER = 8,     /* the query words appear in the title in the query's order */
    BONUS_STARTS = 6,       /* the first query word is the title's first word */
    BONUS_COVERS = 10,      /* ... and the query has as many words as the main title */
    BONUS_STOPWORD = 2,     /* per article of the query found in the title */
    BONUS_YEAR_WORD = 30,   /* a year of the query is a word of the title */
    BONUS_YEAR = 40,        /* a year of the query is the movie's year */
    BONUS_EXACT_FULL = 100, /* folded title, articles included, equals the query */
    BONUS_EXACT = 500,      /* title key (articles left out) equals the query's */
    BONUS_PER_WORD = 1000   /* relaxed pass only: per query word matched */
};

/* What is known about one item during a query (struct cand.flags, struct ranked.flags). */
enum {
    CAND_IN_ORDER = 1,   /* the required words matched in the query's order so far */
    CAND_STARTS = 2,     /* the first required word matched the title's first word */
    HIT_EXACT_A = 4,     /* a key equals the query's words, its years included */
    HIT_EXACT_B = 8,     /* a key equals the query's words without its years */
    HIT_EXACT_FULL = 16, /* folded title (no year) equals the query, articles and all */
    HIT_YEAR = 32        /* the movie's year is a year of the query */
};

/* Words that are articles (or "and") are left out of keys and are optional in a query. */
static const char *const stopwords[] = {"the", "a",   "an",  "le", "la",  "les", "l",  "il",
                                        "der", "die", "das", "el", "los", "las", "and"};

struct posting {
    int32_t item;
    uint8_t pos;   /* index of the word among the title's non-stopwords */
    uint8_t alias; /* a joined form ("spiderman" for "Spider-Man"), not a word as written */
};

struct title_key {
    uint32_t off; /* into keys */
    int32_t item; /* -1: an empty slot of the key hash table */
    uint32_t hash;
};

struct completion {
    uint32_t off; /* into folded: the whole folded display, or after its leading article */
    int32_t item;
    int stripped; /* 1 when the leading article was skipped */
};

/* Per-item state of one query. */
struct cand {
    int16_t score;    /* sum of word scores of the required words */
    int16_t bonus;    /* from optional words */
    uint16_t mask;    /* required query words matched */
    uint8_t cur;      /* best score of the query word being matched, 0 = none */
    uint8_t cur_pos;  /* its position */
    uint8_t last_pos; /* position of the previous query word's match */
    uint8_t flags;    /* CAND_* and HIT_* */
};

/* One query's working memory; one copy lives in the index and is reused. */
struct scratch {
    struct cand *cand; /* n_items, all zero between queries */
    int32_t *touched;  /* items met by the current query word */
    int32_t *cands;    /* items met by any query word */
    uint32_t *seen;    /* n_words: stamp of the query word that last selected the word */
    uint32_t stamp;
    int32_t *vm_word; /* vocabulary words the current query word matches */
    uint8_t *vm_score;
    struct mr_typo_pattern pattern;
    atomic_flag busy; /* set while a query uses this copy */
};

struct mr_search_index {
    const int32_t *popularity;
    int32_t n_items;

    int32_t n_words; /* the vocabulary, sorted by strcmp */
    char *words;     /* NUL-terminated words in that order */
    uint32_t *word_off;
    uint64_t *word_mask; /* bytes present, for the typo filter */
    int32_t *post_ptr;   /* n_words + 1 */
    struct posting *posts;
    uint32_t *tri_ptr;  /* TRIGRAM_BUCKETS + 1: words holding a trigram of each bucket */
    int32_t *tri_words; /* ascending within a bucket */

    char *folded;          /* folded display titles, year included */
    uint32_t *folded_off;  /* n_items */
    uint32_t *folded_len;  /* without the year */
    uint8_t *n_main_words; /* non-stopwords of the main title */
    int16_t *years;

    char *keys;
    size_t folded_bytes, keys_bytes; /* sizes of folded and keys, NULs included */
    struct title_key *key_slots;     /* open-addressing hash table of the title keys */
    uint32_t key_mask;               /* slots - 1 (a power of two) */

    struct completion *completions; /* sorted by text, then item */
    int32_t n_completions;
    int32_t *title_rank;    /* item -> index of its whole title among the completions */
    int32_t *by_popularity; /* items, most popular first, then by title */

    struct scratch *scratch; /* the copy queries use when it is free */
    int borrowed; /* 1: the arrays are views into a snapshot (mr_search_load); not freed */
};

/* ---- small helpers ---- */

static int is_stopword(const char *w, size_t n)
{
    if (n == 0 || n > 3)
        return 0;
    for (size_t i = 0; i < sizeof stopwords / sizeof *stopwords; i++)
        if (strlen(stopwords[i]) == n && memcmp(stopwords[i], w, n) == 0)
            return 1;
    return 0;
}

/* The year a query word stands for (4 digits, 1870..2099), or 0. */
static int word_year(const char *w, size_t n)
{
    if (n != 4)
        return 0;
    int y = 0;
    for (size_t i = 0; i < 4; i++) {
        if (w[i] < '0' || w[i] > '9')
            return 0;
        y = y * 10 + (w[i] - '0');
    }
    return y >= 1870 && y <= 2099 ? y : 0;
}

/* Bit set of the bytes of a word: letters and digits get their own bit, others share. */
static uint64_t byte_mask(const char *w, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)w[i];
        int bit;
        if (c >= 'a' && c <= 'z')
            bit = c - 'a';
        else if (c >= '0' && c <= '9')
            bit = 26 + (c - '0');
        else
            bit = 36 + c % 28;
        m |= (uint64_t)1 << bit;
    }
    return m;
}

/* Bucket of the 3 bytes at p. */
static uint32_t trigram_bucket(const char *p)
{
    uint32_t x = (uint32_t)(unsigned char)p[0] | (uint32_t)(unsigned char)p[1] << 8 |
                 (uint32_t)(unsigned char)p[2] << 16;
    return (x * 2654435761u) >> 16;
}

/* Number of bits set (no instruction for it is assumed). */
static int bit_count(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555u);
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (int)((x * 0x0101010101010101u) >> 56);
}

static int32_t popularity_of(const struct mr_search_index *ix, int32_t item)
{
    return ix->popularity ? ix->popularity[item] : 0;
}

/* A growable byte buffer; ok drops to 0 on allocation failure. */
struct text_buf {
    char *data;
    size_t len, cap;
    int ok;
};

/* Appends n bytes and a NUL; returns the offset of the copy. */
static uint32_t buf_add(struct text_buf *b, const char *s, size_t n)
{
    if (!b->ok)
        return 0;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = cap <= UINT32_MAX ? realloc(b->data, cap) : NULL; /* offsets are 32-bit */
        if (!d) {
            b->ok = 0;
            return 0;
        }
        b->data = d;
        b->cap = cap;
    }
    uint32_t off = (uint32_t)b->len;
    memcpy(b->data + b->len, s, n);
    b->data[b->len + n] = '\0';
    b->len += n + 1;
    return off;
}

/* ---- building: interning words ---- */

/* Open-addressing hash set of words, giving each a dense id in order of first sight. */
struct word_set {
    int32_t *slots; /* id + 1, 0 = empty */
    size_t n_slots;
    struct text_buf text;
    uint32_t *off; /* id -> offset in text */
    int32_t n, cap;
};

static uint64_t hash_word(const char *w, size_t n)
{
    uint64_t h = 1469598103934665603u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)w[i]) * 1099511628211u;
    return h;
}

static int word_set_grow(struct word_set *ws)
{
    size_t n_slots = ws->n_slots ? ws->n_slots * 2 : 65536;
    int32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < ws->n_slots; i++) {
        int32_t id = ws->slots[i];
        if (!id)
            continue;
        const char *w = ws->text.data + ws->off[id - 1];
        size_t h = (size_t)hash_word(w, strlen(w)) & (n_slots - 1);
        while (slots[h])
            h = (h + 1) & (n_slots - 1);
        slots[h] = id;
    }
    free(ws->slots);
    ws->slots = slots;
    ws->n_slots = n_slots;
    return 0;
}

/* Id of word w[0..n), added when new; -1 when out of memory. */
static int32_t word_set_intern(struct word_set *ws, const char *w, size_t n)
{
    if ((size_t)ws->n * 2 >= ws->n_slots && word_set_grow(ws) != 0)
        return -1;
    size_t h = (size_t)hash_word(w, n) & (ws->n_slots - 1);
    for (; ws->slots[h]; h = (h + 1) & (ws->n_slots - 1)) {
        const char *s = ws->text.data + ws->off[ws->slots[h] - 1];
        if (strncmp(s, w, n) == 0 && s[n] == '\0')
            return ws->slots[h] - 1;
    }
    if (ws->n == ws->cap) {
        int32_t cap = ws->cap ? ws->cap * 2 : 1024;
        uint32_t *off = realloc(ws->off, (size_t)cap * sizeof *off);
        if (!off)
            return -1;
        ws->off = off;
        ws->cap = cap;
    }
    uint32_t o = buf_add(&ws->text, w, n);
    if (!ws->text.ok)
        return -1;
    ws->off[ws->n] = o;
    ws->slots[h] = ws->n + 1;
    return ws->n++;
}

static void word_set_free(struct word_set *ws)
{
    free(ws->slots);
    free(ws->text.data);
    free(ws->off);
}

/* ---- building: one title ---- */

/* One word occurrence of a title, before the vocabulary is sorted. */
struct token {
    int32_t word;
    uint8_t pos;
    uint8_t alias;
};

struct token_list {
    struct token *t;
    size_t n, cap;
};

/* Adds a token unless the title already has that word (keeping the earlier, non-alias one). */
static int token_add(struct token_list *tl, size_t first, int32_t word, int pos, int alias)
{
    for (size_t i = first; i < tl->n; i++) {
        if (tl->t[i].word == word) {
            if (tl->t[i].alias && !alias)
                tl->t[i].alias = 0;
            return 0;
        }
    }
    if (tl->n == tl->cap) {
        size_t cap = tl->cap ? tl->cap * 2 : 4096;
        struct token *t = realloc(tl->t, cap * sizeof *t);
        if (!t)
            return -1;
        tl->t = t;
        tl->cap = cap;
    }
    tl->t[tl->n++] = (struct token){word, (uint8_t)(pos > MAX_POS ? MAX_POS : pos), (uint8_t)alias};
    return 0;
}

/* Roman numerals and the numbers they stand for, so "Rocky II" is found as "rocky 2"
 * and "Terminator 2" as "terminator ii". */
static const char *const numerals[][2] = {
    {"ii", "2"},  {"iii", "3"},  {"iv", "4"}, {"v", "5"},  {"vi", "6"},
    {"vii", "7"}, {"viii", "8"}, {"ix", "9"}, {"x", "10"},
};

/* The other spelling of a number word w[0..n) ("ii" <-> "2"), or NULL. */
static const char *numeral_alias(const char *w, size_t n)
{
    if (n == 0 || n > 4 ||
        !(w[0] == 'i' || w[0] == 'v' || w[0] == 'x' || (w[0] >= '1' && w[0] <= '9')))
        return NULL;
    for (size_t i = 0; i < sizeof numerals / sizeof *numerals; i++)
        for (int side = 0; side < 2; side++)
            if (strlen(numerals[i][side]) == n && memcmp(numerals[i][side], w, n) == 0)
                return numerals[i][1 - side];
    return NULL;
}

/* Tokenises marked folded text (words separated by ' ', parts of a word by MR_FOLD_JOINER):
 * every part is a word; a word of several parts is also added joined, as an alias. */
static int title_tokens(const char *marked, struct word_set *ws, struct token_list *tl)
{
    size_t first = tl->n;
    int pos = 0;
    char joined[256];
    const char *p = marked;
    while (*p) {
        const char *end = p;
        while (*end && *end != ' ')
            end++;
        size_t jn = 0;
        int parts = 0, first_pos = pos;
        for (const char *q = p; q < end;) {
            const char *e = q;
            while (e < end && *e != MR_FOLD_JOINER)
                e++;
            size_t n = (size_t)(e - q);
            int32_t id = word_set_intern(ws, q, n);
            if (id < 0)
                return -1;
            int stop = is_stopword(q, n);
            if (parts == 0)
                first_pos = pos;
            if (token_add(tl, first, id, pos, 0) != 0)
                return -1;
            const char *numeral = numeral_alias(q, n);
            if (numeral) {
                int32_t nid = word_set_intern(ws, numeral, strlen(numeral));
                if (nid < 0 || token_add(tl, first, nid, pos, 1) != 0)
                    return -1;
            }
            if (!stop)
                pos++;
            if (jn + n < sizeof joined) {
                memcpy(joined + jn, q, n);
                jn += n;
            } else {
                jn = sizeof joined; /* too long to alias */
            }
            parts++;
            q = e < end ? e + 1 : e;
        }
        if (parts > 1 && jn < sizeof joined) {
            int32_t id = word_set_intern(ws, joined, jn);
            if (id < 0 || token_add(tl, first, id, first_pos, 1) != 0)
                return -1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}

/* The title keys while they are collected, and work space for one segment. */
struct key_builder {
    struct text_buf text;
    struct title_key *table;
    int32_t n, cap;
    char *segment, *folded; /* work buffers of work_cap bytes */
    size_t work_cap;
};

/* Makes the work buffers hold n bytes and a NUL.  Returns 0 or -1. */
static int key_builder_reserve(struct key_builder *kb, size_t n)
{
    if (n + 1 <= kb->work_cap)
        return 0;
    size_t cap = kb->work_cap ? kb->work_cap : 256;
    while (cap < n + 1)
        cap *= 2;
    char *a = realloc(kb->segment, cap);
    if (!a)
        return -1;
    kb->segment = a;
    char *b = realloc(kb->folded, cap);
    if (!b)
        return -1;
    kb->folded = b;
    kb->work_cap = cap;
    return 0;
}

/* Adds the key of one title segment: its folded words without stopwords (and without a
 * leading "a.k.a."), written with no spaces so "Spider-Man" and "spiderman" meet.  An
 * empty key is not added.  Returns the number of words kept, or -1 when out of memory. */
static int add_key(struct key_builder *kb, const char *segment, size_t n, int32_t item)
{
    if (key_builder_reserve(kb, n) != 0)
        return -1;
    memcpy(kb->segment, segment, n);
    kb->segment[n] = '\0';
    mr_text_fold(kb->segment, kb->folded, n + 1);
    const char *p = kb->folded;
    if (strncmp(p, "a k a ", 6) == 0)
        p += 6;
    else if (strncmp(p, "aka ", 4) == 0)
        p += 4;
    char *key = kb->segment; /* the segment is no longer needed */
    size_t kn = 0;
    int words = 0;
    while (*p) {
        const char *e = strchr(p, ' ');
        if (!e)
            e = p + strlen(p);
        size_t wn = (size_t)(e - p);
        if (!is_stopword(p, wn)) {
            memcpy(key + kn, p, wn);
            kn += wn;
            words++;
        }
        p = *e ? e + 1 : e;
    }
    if (kn == 0)
        return words;
    if (kb->n == kb->cap) {
        int32_t cap = kb->cap ? kb->cap * 2 : 1024;
        struct title_key *t = realloc(kb->table, (size_t)cap * sizeof *t);
        if (!t)
            return -1;
        kb->table = t;
        kb->cap = cap;
    }
    uint32_t off = buf_add(&kb->text, key, kn);
    if (!kb->text.ok)
        return -1;
    kb->table[kb->n++] = (struct title_key){off, item, 0};
    return words;
}

/* Length of title t without a trailing year group "(1995)" / "(1995-2003)" and the
 * spaces before it. */
static size_t without_year(const char *t, int year)
{
    size_t n = strlen(t);
    while (n > 0 && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r' || t[n - 1] == '\n'))
        n--;
    if (year == 0 || n == 0 || t[n - 1] != ')')
        return n;
    size_t open = n - 1;
    while (open > 0 && t[open] != '(')
        open--;
    if (t[open] != '(')
        return n;
    while (open > 0 && t[open - 1] == ' ')
        open--;
    return open;
}

/* Length of the marked fold (len bytes) of display title d without its year, given cut,
 * the length of d without its year: the year group folds to the last word. */
static size_t folded_without_year(const char *marked, size_t len, size_t cut, const char *d)
{
    size_t trimmed = strlen(d);
    while (trimmed > 0 && (d[trimmed - 1] == ' ' || d[trimmed - 1] == '\t' ||
                           d[trimmed - 1] == '\r' || d[trimmed - 1] == '\n'))
        trimmed--;
    if (cut == trimmed) /* no year group */
        return len;
    size_t sp = len;
    while (sp > 0 && marked[sp - 1] != ' ')
        sp--;
    return sp > 0 ? sp - 1 : 0;
}

/* Adds the keys of display title d[0..n) (its year left out): the main title, then each
 * parenthesised alternative title.  Sets *main_words.  Returns 0 or -1. */
static int title_keys(struct key_builder *kb, const char *d, size_t n, int32_t item,
                      int *main_words)
{
    size_t main_end = 0;
    while (main_end < n && !(d[main_end] == ' ' && main_end + 1 < n && d[main_end + 1] == '('))
        main_end++;
    int k = add_key(kb, d, main_end, item);
    if (k < 0)
        return -1;
    *main_words = k;
    size_t p = main_end;
    while (p < n) {
        while (p < n && d[p] != '(')
            p++;
        if (p >= n)
            break;
        size_t q = p + 1;
        int depth = 1;
        while (q < n && depth > 0) {
            if (d[q] == '(')
                depth++;
            else if (d[q] == ')')
                depth--;
            q++;
        }
        size_t inner_end = depth == 0 ? q - 1 : q;
        if (add_key(kb, d + p + 1, inner_end - p - 1, item) < 0)
            return -1;
        p = q;
    }
    return 0;
}

/* ---- building: sorting ---- */

/* A sort record: the text's first 8 bytes as a number decide most comparisons without
 * touching the text; the record carries its text, so comparators need no shared state. */
struct sort_ref {
    uint64_t head;
    const char *text;
    int32_t item; /* item, or word id when sorting the vocabulary */
    uint32_t aux; /* offset << 1 | stripped, for completions */
};

/* The first 8 bytes of s, big-endian and zero-padded: they order as strcmp would. */
static uint64_t text_head(const char *s)
{
    uint64_t h = 0;
    for (int i = 0; i < 8; i++) {
        h <<= 8;
        if (*s)
            h |= (unsigned char)*s++;
    }
    return h;
}

static struct sort_ref sort_ref_make(const char *text, int32_t item, uint32_t aux)
{
    return (struct sort_ref){text_head(text), text, item, aux};
}

/* By text, then item, then the unstripped entry first. */
static int sort_ref_cmp(const void *a, const void *b)
{
    const struct sort_ref *x = a, *y = b;
    if (x->head != y->head)
        return x->head < y->head ? -1 : 1;
    int c = strcmp(x->text, y->text);
    if (c)
        return c;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return (x->aux > y->aux) - (x->aux < y->aux);
}

/* Sorts refs as sort_ref_cmp does: a radix sort on the heads (least significant byte
 * first, stable), then each run of equal heads by the full comparison.  Returns 0, or -1
 * when out of memory (refs is then left unsorted). */
static int sort_refs(struct sort_ref *refs, size_t n)
{
    if (n < 2)
        return 0;
    struct sort_ref *tmp = malloc(n * sizeof *tmp);
    if (!tmp)
        return -1;
    struct sort_ref *from = refs, *to = tmp;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < n; i++)
            count[((from[i].head >> shift) & 0xff) + 1]++;
        if (count[((from[0].head >> shift) & 0xff) + 1] == n)
            continue; /* every head has the same byte here */
        for (int b = 0; b < 256; b++)
            count[b + 1] += count[b];
        for (size_t i = 0; i < n; i++)
            to[count[(from[i].head >> shift) & 0xff]++] = from[i];
        struct sort_ref *t = from;
        from = to;
        to = t;
    }
    if (from != refs)
        memcpy(refs, from, n * sizeof *refs);
    free(tmp);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && refs[j].head == refs[i].head)
            j++;
        if (j - i > 1)
            qsort(refs + i, j - i, sizeof *refs, sort_ref_cmp);
        i = j;
    }
    return 0;
}

static struct scratch *scratch_new(int32_t n_items, int32_t n_words)
{
    struct scratch *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t ni = n_items > 0 ? (size_t)n_items : 1, nw = n_words > 0 ? (size_t)n_words : 1;
    s->cand = calloc(ni, sizeof *s->cand);
    s->touched = malloc(ni * sizeof *s->touched);
    s->cands = malloc(ni * sizeof *s->cands);
    s->seen = calloc(nw, sizeof *s->seen);
    s->vm_word = malloc(nw * sizeof *s->vm_word);
    s->vm_score = malloc(nw);
    if (!s->cand || !s->touched || !s->cands || !s->seen || !s->vm_word || !s->vm_score) {
        free(s->cand), free(s->touched), free(s->cands), free(s->seen), free(s->vm_word);
        free(s->vm_score), free(s);
        return NULL;
    }
    atomic_flag_clear(&s->busy);
    return s;
}

static void scratch_free(struct scratch *s)
{
    if (!s)
        return;
    free(s->cand), free(s->touched), free(s->cands), free(s->seen), free(s->vm_word);
    free(s->vm_score), free(s);
}

void mr_search_free(struct mr_search_index *ix)
{
    if (!ix)
        return;
    if (ix->borrowed) {
        scratch_free(ix->scratch);
        free(ix);
        return;
    }
    free(ix->words), free(ix->word_off), free(ix->word_mask), free(ix->post_ptr), free(ix->posts);
    free(ix->tri_ptr), free(ix->tri_words);
    free(ix->folded), free(ix->folded_off), free(ix->folded_len), free(ix->n_main_words);
    free(ix->years), free(ix->keys), free(ix->key_slots), free(ix->completions);
    free(ix->title_rank), free(ix->by_popularity);
    scratch_free(ix->scratch);
    free(ix);
}

/* Sorts the interned words into the vocabulary and fills the postings from the tokens
 * (item_tok[i]..item_tok[i+1] are item i's).  Returns 0 or -1. */
static int build_vocabulary(struct mr_search_index *ix, struct word_set *ws, struct token_list *tl,
                            const size_t *item_tok)
{
    int32_t nw = ws->n;
    struct sort_ref *sw = malloc((size_t)(nw > 0 ? nw : 1) * sizeof *sw);
    int32_t *rank = malloc((size_t)(nw > 0 ? nw : 1) * sizeof *rank);
    ix->n_words = nw;
    ix->words = malloc(ws->text.len > 0 ? ws->text.len : 1);
    ix->word_off = malloc((size_t)(nw + 1) * sizeof *ix->word_off);
    ix->word_mask = malloc((size_t)(nw > 0 ? nw : 1) * sizeof *ix->word_mask);
    ix->post_ptr = calloc((size_t)nw + 1, sizeof *ix->post_ptr);
    ix->posts = malloc((tl->n > 0 ? tl->n : 1) * sizeof *ix->posts);
    if (!sw || !rank || !ix->words || !ix->word_off || !ix->word_mask || !ix->post_ptr ||
        !ix->posts) {
        free(sw), free(rank);
        return -1;
    }
    for (int32_t i = 0; i < nw; i++)
        sw[i] = sort_ref_make(ws->text.data + ws->off[i], i, 0);
    if (sort_refs(sw, (size_t)nw) != 0) {
        free(sw), free(rank);
        return -1;
    }
    uint32_t off = 0;
    for (int32_t r = 0; r < nw; r++) {
        size_t n = strlen(sw[r].text);
        memcpy(ix->words + off, sw[r].text, n + 1);
        ix->word_off[r] = off;
        ix->word_mask[r] = byte_mask(sw[r].text, n);
        rank[sw[r].item] = r;
        off += (uint32_t)n + 1;
    }
    ix->word_off[nw] = off;
    for (size_t t = 0; t < tl->n; t++)
        ix->post_ptr[rank[tl->t[t].word] + 1]++;
    for (int32_t r = 0; r < nw; r++)
        ix->post_ptr[r + 1] += ix->post_ptr[r];
    int32_t *fill = rank; /* reuse: rank is no longer needed once remapped below */
    for (size_t t = 0; t < tl->n; t++)
        tl->t[t].word = rank[tl->t[t].word];
    for (int32_t r = 0; r < nw; r++)
        fill[r] = ix->post_ptr[r];
    for (int32_t item = 0; item < ix->n_items; item++) {
        for (size_t t = item_tok[item]; t < item_tok[item + 1]; t++) {
            const struct token *tk = &tl->t[t];
            ix->posts[fill[tk->word]++] = (struct posting){item, tk->pos, tk->alias};
        }
    }
    free(sw), free(rank);
    return 0;
}

/* Lists every vocabulary word under the buckets of its trigrams (once per bucket).
 * Returns 0 or -1. */
static int build_trigrams(struct mr_search_index *ix)
{
    int32_t *last = malloc(TRIGRAM_BUCKETS * sizeof *last);
    ix->tri_ptr = calloc(TRIGRAM_BUCKETS + 1, sizeof *ix->tri_ptr);
    if (!last || !ix->tri_ptr) {
        free(last);
        return -1;
    }
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        memset(last, 0xff, TRIGRAM_BUCKETS * sizeof *last);
        for (int32_t v = 0; v < ix->n_words; v++) {
            const char *w = ix->words + ix->word_off[v];
            size_t n = ix->word_off[v + 1] - ix->word_off[v] - 1;
            for (size_t i = 0; i + 3 <= n; i++) {
                uint32_t b = trigram_bucket(w + i);
                if (last[b] == v)
                    continue;
                last[b] = v;
                if (pass == 0)
                    ix->tri_ptr[b + 1]++;
                else
                    ix->tri_words[ix->tri_ptr[b]++] = v;
            }
        }
        if (pass == 0) {
            for (uint32_t b = 0; b < TRIGRAM_BUCKETS; b++)
                ix->tri_ptr[b + 1] += ix->tri_ptr[b];
            ix->tri_words = malloc((ix->tri_ptr[TRIGRAM_BUCKETS] + 1) * sizeof *ix->tri_words);
            if (!ix->tri_words) {
                free(last);
                return -1;
            }
        }
    }
    /* The fill advanced each start to the next bucket's: shift back. */
    for (uint32_t b = TRIGRAM_BUCKETS; b > 0; b--)
        ix->tri_ptr[b] = ix->tri_ptr[b - 1];
    ix->tri_ptr[0] = 0;
    free(last);
    return 0;
}

/* Puts the n title keys of table into the key hash table.  Returns 0 or -1. */
static int build_key_slots(struct mr_search_index *ix, const struct title_key *table, int32_t n)
{
    size_t slots = 16;
    while (slots < (size_t)n * 2)
        slots *= 2;
    ix->key_slots = malloc(slots * sizeof *ix->key_slots);
    if (!ix->key_slots)
        return -1;
    ix->key_mask = (uint32_t)(slots - 1);
    for (size_t i = 0; i < slots; i++) /* whole slots: the index is saved byte for byte */
        ix->key_slots[i] = (struct title_key){0, -1, 0};
    for (int32_t i = 0; i < n; i++) {
        const char *key = ix->keys + table[i].off;
        uint32_t h = (uint32_t)hash_word(key, strlen(key));
        uint32_t at = h & ix->key_mask;
        while (ix->key_slots[at].item >= 0)
            at = (at + 1) & ix->key_mask;
        ix->key_slots[at] = (struct title_key){table[i].off, table[i].item, h};
    }
    return 0;
}

/* An item in the popularity order. */
struct pop_ref {
    int32_t popularity, title_rank, item;
};

/* Most popular first, then by title. */
static int pop_ref_cmp(const void *a, const void *b)
{
    const struct pop_ref *x = a, *y = b;
    if (x->popularity != y->popularity)
        return x->popularity > y->popularity ? -1 : 1;
    return (x->title_rank > y->title_rank) - (x->title_rank < y->title_rank);
}

/* Fills the completion table: every folded display title, and again without its leading
 * article, sorted.  Returns 0 or -1. */
static int build_completions(struct mr_search_index *ix)
{
    size_t cap = (size_t)ix->n_items * 2 + 1;
    size_t ni = (size_t)(ix->n_items > 0 ? ix->n_items : 1);
    struct sort_ref *refs = malloc(cap * sizeof *refs);
    ix->completions = malloc(cap * sizeof *ix->completions);
    ix->title_rank = malloc(ni * sizeof *ix->title_rank);
    ix->by_popularity = malloc(ni * sizeof *ix->by_popularity);
    if (!refs || !ix->completions || !ix->title_rank || !ix->by_popularity) {
        free(refs);
        return -1;
    }
    size_t m = 0;
    for (int32_t item = 0; item < ix->n_items; item++) {
        uint32_t off = ix->folded_off[item];
        const char *t = ix->folded + off;
        refs[m++] = sort_ref_make(t, item, off << 1);
        const char *sp = strchr(t, ' ');
        if (sp && is_stopword(t, (size_t)(sp - t)))
            refs[m++] = sort_ref_make(sp + 1, item, (off + (uint32_t)(sp + 1 - t)) << 1 | 1);
    }
    if (sort_refs(refs, m) != 0) {
        free(refs);
        return -1;
    }
    for (size_t i = 0; i < m; i++) {
        ix->completions[i] =
            (struct completion){refs[i].aux >> 1, refs[i].item, (int)(refs[i].aux & 1)};
        if (!(refs[i].aux & 1))
            ix->title_rank[refs[i].item] = (int32_t)i;
    }
    ix->n_completions = (int32_t)m;
    free(refs);

    struct pop_ref *order = malloc((size_t)(ix->n_items > 0 ? ix->n_items : 1) * sizeof *order);
    if (!order)
        return -1;
    for (int32_t item = 0; item < ix->n_items; item++)
        order[item] = (struct pop_ref){popularity_of(ix, item), ix->title_rank[item], item};
    qsort(order, (size_t)ix->n_items, sizeof *order, pop_ref_cmp);
    for (int32_t i = 0; i < ix->n_items; i++)
        ix->by_popularity[i] = order[i].item;
    free(order);
    return 0;
}

struct mr_search_index *mr_search_build(const struct mr_catalog *c, const int32_t *popularity)
{
    struct mr_search_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->popularity = popularity;
    ix->n_items = c->n_movies;
    size_t ni = (size_t)(ix->n_items > 0 ? ix->n_items : 1);
    struct word_set ws = {0};
    ws.text.ok = 1;
    struct token_list tl = {0};
    struct text_buf folded = {.ok = 1};
    struct key_builder kb = {.text = {.ok = 1}};
    size_t *item_tok = malloc((ni + 1) * sizeof *item_tok);
    size_t buf_cap = 256;
    char *marked = malloc(buf_cap), *plain = malloc(buf_cap);
    ix->folded_off = malloc(ni * sizeof *ix->folded_off);
    ix->folded_len = malloc(ni * sizeof *ix->folded_len);
    ix->n_main_words = malloc(ni);
    ix->years = malloc(ni * sizeof *ix->years);
    int ok = item_tok && marked && plain && ix->folded_off && ix->folded_len && ix->n_main_words &&
             ix->years;

    for (int32_t item = 0; ok && item < ix->n_items; item++) {
        const struct mr_movie *m = &c->movies[item];
        const char *d = m->display ? m->display : m->title;
        size_t n = strlen(d);
        if (n + 1 > buf_cap) {
            while (buf_cap < n + 1)
                buf_cap *= 2;
            char *a = realloc(marked, buf_cap);
            if (a)
                marked = a;
            char *b = realloc(plain, buf_cap);
            if (b)
                plain = b;
            if (!a || !b) {
                ok = 0;
                break;
            }
        }
        ix->years[item] = m->year;
        item_tok[item] = tl.n;
        /* One fold of the whole display title; the year is its last word. */
        size_t cut = without_year(d, m->year);
        size_t len = mr_text_fold_marked(d, marked, buf_cap);
        size_t noyear = folded_without_year(marked, len, cut, d);
        char kept = marked[noyear];
        marked[noyear] = '\0';
        int main_words = 0;
        if (title_tokens(marked, &ws, &tl) != 0 ||
            title_keys(&kb, d, cut, item, &main_words) != 0) {
            ok = 0;
            break;
        }
        marked[noyear] = kept;
        ix->n_main_words[item] = (uint8_t)(main_words > 255 ? 255 : main_words);
        for (size_t i = 0; i <= len; i++)
            plain[i] = marked[i] == MR_FOLD_JOINER ? ' ' : marked[i];
        ix->folded_off[item] = buf_add(&folded, plain, len);
        ix->folded_len[item] = (uint32_t)noyear;
        ok = folded.ok;
    }
    if (ok) {
        item_tok[ix->n_items] = tl.n;
        ix->folded = folded.data;
        ix->folded_bytes = folded.len;
        folded.data = NULL;
        ix->keys = kb.text.data;
        ix->keys_bytes = kb.text.len;
        kb.text.data = NULL;

        if (!ix->folded) { /* an empty catalog */
            ix->folded = calloc(1, 1);
            ix->folded_bytes = 1;
        }
        ok = ix->folded && build_vocabulary(ix, &ws, &tl, item_tok) == 0 &&
             build_trigrams(ix) == 0 && build_key_slots(ix, kb.table, kb.n) == 0 &&
             build_completions(ix) == 0;
    }
    if (ok)
        ix->scratch = scratch_new(ix->n_items, ix->n_words);
    ok = ok && ix->scratch;
    word_set_free(&ws);
    free(tl.t), free(item_tok), free(marked), free(plain), free(folded.data);
    free(kb.text.data), free(kb.table), free(kb.segment), free(kb.folded);
    if (!ok) {
        mr_search_free(ix);
        return NULL;
    }
    return ix;
}

/* ---- the index in a data snapshot ---- */

#define SEARCH_MAGIC 0x53524348u /* "SRCH" */
#define SEARCH_ALIGN 64

static void put(struct mr_writer *w, const void *p, size_t n, size_t size)
{
    mr_write_align(w, SEARCH_ALIGN);
    if (n)
        mr_write(w, p, n * size);
}

int mr_search_save(const struct mr_search_index *ix, struct mr_writer *w)
{
    size_t nw = (size_t)ix->n_words, ni = (size_t)ix->n_items;
    size_t n_posts = (size_t)ix->post_ptr[nw], n_tri = ix->tri_ptr[TRIGRAM_BUCKETS];
    size_t n_slots = (size_t)ix->key_mask + 1;
    mr_write_u32(w, SEARCH_MAGIC);
    mr_write_u32(w, (uint32_t)ix->n_items);
    mr_write_u32(w, (uint32_t)ix->n_words);
    mr_write_u32(w, (uint32_t)ix->n_completions);
    mr_write_u32(w, ix->key_mask);
    mr_write_u64(w, n_posts);
    mr_write_u64(w, n_tri);
    mr_write_u64(w, ix->folded_bytes);
    mr_write_u64(w, ix->keys_bytes);
    mr_write_u64(w, ix->word_off[nw]);
    put(w, ix->words, ix->word_off[nw], 1);
    put(w, ix->word_off, nw + 1, sizeof *ix->word_off);
    put(w, ix->word_mask, nw, sizeof *ix->word_mask);
    put(w, ix->post_ptr, nw + 1, sizeof *ix->post_ptr);
    /* Postings field by field: the struct's padding bytes are never written. */
    mr_write_align(w, SEARCH_ALIGN);
    for (size_t i = 0; i < n_posts; i++) {
        struct posting p;
        memset(&p, 0, sizeof p);
        p.item = ix->posts[i].item;
        p.pos = ix->posts[i].pos;
        p.alias = ix->posts[i].alias;
        mr_write(w, &p, sizeof p);
    }
    put(w, ix->tri_ptr, TRIGRAM_BUCKETS + 1, sizeof *ix->tri_ptr);
    put(w, ix->tri_words, n_tri, sizeof *ix->tri_words);
    put(w, ix->folded, ix->folded_bytes, 1);
    put(w, ix->folded_off, ni, sizeof *ix->folded_off);
    put(w, ix->folded_len, ni, sizeof *ix->folded_len);
    put(w, ix->n_main_words, ni, 1);
    put(w, ix->years, ni, sizeof *ix->years);
    put(w, ix->keys, ix->keys_bytes, 1);
    put(w, ix->key_slots, n_slots, sizeof *ix->key_slots);
    put(w, ix->completions, (size_t)ix->n_completions, sizeof *ix->completions);
    put(w, ix->title_rank, ni, sizeof *ix->title_rank);
    put(w, ix->by_popularity, ni, sizeof *ix->by_popularity);
    return w->failed ? -1 : 0;
}

/* 1 when ptr[0..n] starts at 0, never decreases and ends at total. */
static int ptr_ok32(const uint32_t *ptr, size_t n, uint64_t total)
{
    if (ptr[0] != 0 || ptr[n] != total)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (ptr[i + 1] < ptr[i])
            return 0;
    return 1;
}

/* Every offset and index of a loaded index is in range, so that no query can read outside
 * it.  Returns 1 when sound. */
static int search_valid(const struct mr_search_index *ix, size_t n_posts, size_t n_tri)
{
    size_t nw = (size_t)ix->n_words, ni = (size_t)ix->n_items;
    uint64_t words_bytes = ix->word_off[nw];
    if (!ptr_ok32(ix->word_off, nw, words_bytes) || (words_bytes && ix->words[words_bytes - 1]) ||
        ix->post_ptr[0] != 0 || (size_t)ix->post_ptr[nw] != n_posts ||
        !ptr_ok32(ix->tri_ptr, TRIGRAM_BUCKETS, n_tri) || ix->folded_bytes == 0 ||
        ix->folded[ix->folded_bytes - 1] || (ix->keys_bytes && ix->keys[ix->keys_bytes - 1]))
        return 0;
    /* Every word has its NUL inside its own bytes (the queries take its length from the
     * offsets: an empty range would be a length of -1). */
    for (size_t v = 0; v < nw; v++)
        if (ix->post_ptr[v + 1] < ix->post_ptr[v] || ix->word_off[v + 1] <= ix->word_off[v] ||
            ix->words[ix->word_off[v + 1] - 1] != '\0')
            return 0;
    for (size_t i = 0; i < n_posts; i++)
        if (ix->posts[i].item < 0 || (size_t)ix->posts[i].item >= ni)
            return 0;
    for (size_t i = 0; i < n_tri; i++)
        if (ix->tri_words[i] < 0 || (size_t)ix->tri_words[i] >= nw)
            return 0;
    for (size_t i = 0; i < ni; i++)
        if (ix->folded_off[i] >= ix->folded_bytes ||
            ix->folded_len[i] >= ix->folded_bytes - ix->folded_off[i] || ix->title_rank[i] < 0 ||
            ix->title_rank[i] >= ix->n_completions || ix->by_popularity[i] < 0 ||
            (size_t)ix->by_popularity[i] >= ni)
            return 0;
    for (size_t i = 0; i <= ix->key_mask; i++)
        if (ix->key_slots[i].item >= 0 &&
            ((size_t)ix->key_slots[i].item >= ni || ix->key_slots[i].off >= ix->keys_bytes))
            return 0;
    for (int32_t i = 0; i < ix->n_completions; i++)
        if (ix->completions[i].off >= ix->folded_bytes || ix->completions[i].item < 0 ||
            (size_t)ix->completions[i].item >= ni)
            return 0;
    return 1;
}

struct mr_search_index *mr_search_load(struct mr_reader *r, const struct mr_catalog *c,
                                       const int32_t *popularity)
{
    uint32_t magic = 0, n_items = 0, n_words = 0, n_compl = 0, key_mask = 0;
    uint64_t n_posts = 0, n_tri = 0, folded_bytes = 0, keys_bytes = 0, words_bytes = 0;
    mr_read_u32(r, &magic);
    mr_read_u32(r, &n_items);
    mr_read_u32(r, &n_words);
    mr_read_u32(r, &n_compl);
    mr_read_u32(r, &key_mask);
    mr_read_u64(r, &n_posts);
    mr_read_u64(r, &n_tri);
    mr_read_u64(r, &folded_bytes);
    mr_read_u64(r, &keys_bytes);
    mr_read_u64(r, &words_bytes);
    if (r->failed || magic != SEARCH_MAGIC || n_items != (uint32_t)c->n_movies ||
        n_words > INT32_MAX - 1 || n_compl > 2 * (uint64_t)n_items + 1 ||
        (key_mask & (key_mask + 1)) != 0 || key_mask == UINT32_MAX || n_posts > INT32_MAX ||
        n_tri > UINT32_MAX || words_bytes > UINT32_MAX || folded_bytes > UINT32_MAX ||
        keys_bytes > UINT32_MAX) {
        r->failed = 1;
        return NULL;
    }
    struct mr_search_index *ix = calloc(1, sizeof *ix);
    if (!ix)
        return NULL;
    ix->borrowed = 1;
    ix->popularity = popularity;
    ix->n_items = (int32_t)n_items;
    ix->n_words = (int32_t)n_words;
    ix->n_completions = (int32_t)n_compl;
    ix->key_mask = key_mask;
    ix->folded_bytes = (size_t)folded_bytes;
    ix->keys_bytes = (size_t)keys_bytes;
    size_t nw = n_words, ni = n_items;
#define VIEW(field, n)                                                                             \
    do {                                                                                           \
        mr_read_align(r, SEARCH_ALIGN);                                                            \
        ix->field = (void *)(uintptr_t)mr_read_view(r, (n), sizeof *ix->field);                    \
    } while (0)
    VIEW(words, (size_t)words_bytes);
    VIEW(word_off, nw + 1);
    VIEW(word_mask, nw);
    VIEW(post_ptr, nw + 1);
    VIEW(posts, (size_t)n_posts);
    VIEW(tri_ptr, (size_t)TRIGRAM_BUCKETS + 1);
    VIEW(tri_words, (size_t)n_tri);
    VIEW(folded, (size_t)folded_bytes);
    VIEW(folded_off, ni);
    VIEW(folded_len, ni);
    VIEW(n_main_words, ni);
    VIEW(years, ni);
    VIEW(keys, (size_t)keys_bytes);
    VIEW(key_slots, (size_t)key_mask + 1);
    VIEW(completions, (size_t)n_compl);
    VIEW(title_rank, ni);
    VIEW(by_popularity, ni);
#undef VIEW
    if (r->failed || ix->word_off[nw] != words_bytes ||
        !search_valid(ix, (size_t)n_posts, (size_t)n_tri)) {
        r->failed = 1;
        mr_search_free(ix);
        return NULL;
    }
    ix->scratch = scratch_new(ix->n_items, ix->n_words);
    if (!ix->scratch) {
        mr_search_free(ix);
        return NULL;
    }
    return ix;
}

/* ---- querying ---- */

struct qword {
    const char *text;
    size_t len;
    int stop;     /* an article (or "and") */
    int year;     /* the year it may name, else 0 */
    int optional; /* only adds a bonus: articles and years next to other words */
    int bit;      /* its bit in struct cand.mask when required, else -1 */
};

struct query {
    char *mem; /* owns folded and the four strings below */
    struct qword w[MAX_QUERY_WORDS];
    int n, n_req;
    int open_last;         /* the last word may be unfinished (no separator after it) */
    int has_year;          /* some word is an optional year */
    char *key_a, *key_b;   /* non-stopwords, with and without years */
    char *full_a, *full_b; /* all words, with and without years */
};

/* Joins the words of q that pass the filter into out, with spaces when spaced (title keys
 * have none). */
static void query_join(const struct query *q, char *out, int skip_stop, int skip_year, int spaced)
{
    size_t n = 0;
    for (int i = 0; i < q->n; i++) {
        const struct qword *w = &q->w[i];
        if ((skip_stop && w->stop) || (skip_year && w->optional && w->year))
            continue;
        if (n && spaced)
            out[n++] = ' ';
        memcpy(out + n, w->text, w->len);
        n += w->len;
    }
    out[n] = '\0';
}

/* Folds and splits text into q.  Returns 0, or -1 when out of memory. */
static int query_parse(const char *text, struct query *q)
{
    memset(q, 0, sizeof *q);
    size_t n = strlen(text);
    q->mem = malloc(5 * (n + 1));
    if (!q->mem)
        return -1;
    char *folded = q->mem;
    q->key_a = folded + (n + 1);
    q->key_b = q->key_a + (n + 1);
    q->full_a = q->key_b + (n + 1);
    q->full_b = q->full_a + (n + 1);
    mr_text_fold(text, folded, n + 1);
    for (char *p = folded; *p && q->n < MAX_QUERY_WORDS;) {
        char *e = strchr(p, ' ');
        if (!e)
            e = p + strlen(p);
        struct qword *w = &q->w[q->n++];
        w->text = p;
        w->len = (size_t)(e - p);
        w->stop = is_stopword(p, w->len);
        w->year = word_year(p, w->len);
        p = *e ? e + 1 : e;
    }
    int content = 0, non_stop = 0;
    for (int i = 0; i < q->n; i++) {
        content += !q->w[i].stop && !q->w[i].year;
        non_stop += !q->w[i].stop;
    }
    for (int i = 0; i < q->n; i++) {
        struct qword *w = &q->w[i];
        w->optional = content ? (w->stop || w->year) : non_stop ? w->stop : 0;
        w->bit = w->optional ? -1 : q->n_req++;
        q->has_year |= w->optional && w->year;
    }
    unsigned char last = n ? (unsigned char)text[n - 1] : ' ';
    q->open_last = (last >= '0' && last <= '9') || (last >= 'a' && last <= 'z') ||
                   (last >= 'A' && last <= 'Z') || last >= 0x80;
    query_join(q, q->key_a, 1, 0, 0);
    query_join(q, q->key_b, 1, 1, 0);
    query_join(q, q->full_a, 0, 0, 1);
    query_join(q, q->full_b, 0, 1, 1);
    return 0;
}

/* Compares vocabulary word id with w[0..n): <0, 0 or >0 as strcmp would. */
static int word_cmp(const struct mr_search_index *ix, int32_t id, const char *w, size_t n)
{
    const char *v = ix->words + ix->word_off[id];
    int c = strncmp(v, w, n);
    if (c)
        return c;
    return v[n] != '\0';
}

/* First vocabulary word not below w[0..n). */
static int32_t vocab_lower_bound(const struct mr_search_index *ix, const char *w, size_t n)
{
    int32_t lo = 0, hi = ix->n_words;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (word_cmp(ix, mid, w, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void vm_add(struct scratch *s, int *n, int32_t word, int score)
{
    s->seen[word] = s->stamp;
    s->vm_word[*n] = word;
    s->vm_score[*n] = (uint8_t)score;
    (*n)++;
}

/* Collects into s->vm_* the vocabulary words that query word w matches, with their
 * scores.  Typos are tried when forced or when w is not itself a word of the vocabulary;
 * typos in a prefix only for the unfinished last word.  Returns how many. */
static int vocab_matches(const struct mr_search_index *ix, struct scratch *s, const struct qword *w,
                         int open, int force_typo)
{
    int n = 0;
    if (++s->stamp == 0) { /* wrapped: forget every old stamp */
        memset(s->seen, 0, (size_t)ix->n_words * sizeof *s->seen);
        s->stamp = 1;
    }
    int32_t id = vocab_lower_bound(ix, w->text, w->len);
    int exact = id < ix->n_words && word_cmp(ix, id, w->text, w->len) == 0;
    if (exact)
        vm_add(s, &n, id++, SCORE_EXACT);
    for (; id < ix->n_words && strncmp(ix->words + ix->word_off[id], w->text, w->len) == 0; id++)
        vm_add(s, &n, id, SCORE_PREFIX);

    if (w->len >= 3) { /* substrings: the words in the smallest bucket of a query trigram */
        uint32_t best = trigram_bucket(w->text);
        for (size_t i = 1; i + 3 <= w->len; i++) {
            uint32_t b = trigram_bucket(w->text + i);
            if (ix->tri_ptr[b + 1] - ix->tri_ptr[b] < ix->tri_ptr[best + 1] - ix->tri_ptr[best])
                best = b;
        }
        for (uint32_t t = ix->tri_ptr[best]; t < ix->tri_ptr[best + 1]; t++) {
            int32_t v = ix->tri_words[t];
            const char *text = ix->words + ix->word_off[v];
            size_t len = ix->word_off[v + 1] - ix->word_off[v] - 1;
            if (s->seen[v] != s->stamp && memmem(text, len, w->text, w->len))
                vm_add(s, &n, v, SCORE_INFIX);
        }
    }

    if ((exact && !force_typo) || w->len < 4 || mr_typo_compile(&s->pattern, w->text, w->len) != 0)
        return n;
    int k = w->len >= 8 ? 2 : 1;
    int qlen = (int)w->len;
    int prefix = open && qlen >= 5;
    uint64_t qmask = byte_mask(w->text, w->len);
    for (int32_t v = 0; v < ix->n_words; v++) {
        if (s->seen[v] == s->stamp || bit_count(qmask & ~ix->word_mask[v]) > k)
            continue;
        int vlen = (int)(ix->word_off[v + 1] - ix->word_off[v] - 1);
        int whole =
            vlen >= qlen - k && vlen <= qlen + k && bit_count(ix->word_mask[v] & ~qmask) <= k;
        int part = prefix && vlen >= qlen - k;
        if (!whole && !part)
            continue;
        int best_prefix = k + 1;
        int d = mr_typo_distance(&s->pattern, ix->words + ix->word_off[v], (size_t)vlen,
                                 part ? &best_prefix : NULL);
        if (whole && d <= k)
            vm_add(s, &n, v, d <= 1 ? SCORE_TYPO1 : SCORE_TYPO2);
        else if (part && best_prefix <= k)
            vm_add(s, &n, v, best_prefix <= 1 ? SCORE_TYPO1_PREFIX : SCORE_TYPO2_PREFIX);
    }
    return n;
}

/* Whether a match at pos is better placed than one at cur: after the previous query word's
 * match if possible, else earlier in the title. */
static int better_pos(const struct cand *c, int pos)
{
    if (c->mask) {
        int after_new = pos > c->last_pos, after_cur = c->cur_pos > c->last_pos;
        if (after_new != after_cur)
            return after_new;
    }
    return pos < c->cur_pos;
}

/* Offers item a match of the current query word; first offers are listed in touched. */
static void offer(struct scratch *s, int32_t item, int score, int pos, int32_t *n_touched)
{
    struct cand *c = &s->cand[item];
    if (c->cur == 0) {
        s->touched[(*n_touched)++] = item;
    } else if (!(score > c->cur || (score == c->cur && better_pos(c, pos)))) {
        return;
    }
    c->cur = (uint8_t)score;
    c->cur_pos = (uint8_t)pos;
}

/* Matches required word w (bit j) against the candidates.  Strict: word 0 makes the
 * candidates and each later word keeps those that match it too.  Relaxed: any match
 * counts.  Returns 0, or -1 when strict matching left no candidate. */
static int match_required(const struct mr_search_index *ix, struct scratch *s,
                          const struct query *q, const struct qword *w, int relaxed,
                          int32_t *n_cands)
{
    int j = w->bit;
    uint16_t prev = (uint16_t)((1u << j) - 1);
    int open = q->open_last && w == &q->w[q->n - 1];
    int n_vm = vocab_matches(ix, s, w, open, relaxed);
    int32_t n_touched = 0;
    for (int m = 0; m < n_vm; m++) {
        int32_t v = s->vm_word[m];
        int score = s->vm_score[m];
        for (int32_t p = ix->post_ptr[v]; p < ix->post_ptr[v + 1]; p++) {
            const struct posting *ps = &ix->posts[p];
            if (!relaxed && j > 0 && s->cand[ps->item].mask != prev)
                continue;
            /* A word as written beats the same word as an alias. */
            offer(s, ps->item, score - (ps->alias && score > 1), ps->pos, &n_touched);
        }
    }
    if (w->year) { /* only when years are all the query has: the movie's year matches */
        for (int32_t item = 0; item < ix->n_items; item++)
            if (ix->years[item] == w->year && (relaxed || j == 0 || s->cand[item].mask == prev))
                offer(s, item, SCORE_PREFIX, MAX_POS, &n_touched);
    }
    for (int32_t t = 0; t < n_touched; t++) {
        int32_t item = s->touched[t];
        struct cand *c = &s->cand[item];
        if (c->mask == 0) {
            s->cands[(*n_cands)++] = item;
            c->flags = CAND_IN_ORDER | (j == 0 && c->cur_pos == 0 ? CAND_STARTS : 0);
        } else if (c->cur_pos <= c->last_pos) {
            c->flags &= (uint8_t)~CAND_IN_ORDER;
        }
        c->last_pos = c->cur_pos;
        c->mask |= (uint16_t)(1u << j);
        c->score = (int16_t)(c->score + c->cur);
        c->cur = 0;
    }
    return !relaxed && n_touched == 0 ? -1 : 0;
}

/* Whether candidate c has enough required words to be a hit. */
static int cand_qualifies(const struct cand *c, int n_req, int relaxed)
{
    uint16_t full = (uint16_t)((1u << n_req) - 1);
    if (!relaxed)
        return c->mask == full;
    int need = (n_req + 1) / 2;
    return bit_count(c->mask) >= (need > 0 ? need : 1);
}

/* Adds the bonus of optional word w (an article, or a year among other words). */
static void match_optional(const struct mr_search_index *ix, struct scratch *s,
                           const struct query *q, const struct qword *w, int relaxed,
                           int32_t n_cands)
{
    int32_t v = vocab_lower_bound(ix, w->text, w->len);
    if (v < ix->n_words && word_cmp(ix, v, w->text, w->len) == 0) {
        int bonus = w->year ? BONUS_YEAR_WORD : BONUS_STOPWORD;
        for (int32_t p = ix->post_ptr[v]; p < ix->post_ptr[v + 1]; p++) {
            struct cand *c = &s->cand[ix->posts[p].item];
            if (c->mask && cand_qualifies(c, q->n_req, relaxed))
                c->bonus = (int16_t)(c->bonus + bonus);
        }
    }
    if (w->year) {
        for (int32_t i = 0; i < n_cands; i++) {
            int32_t item = s->cands[i];
            struct cand *c = &s->cand[item];
            if (ix->years[item] == w->year && !(c->flags & HIT_YEAR)) {
                c->flags |= HIT_YEAR;
                c->bonus = (int16_t)(c->bonus + BONUS_YEAR);
            }
        }
    }
}

/* Flags the candidates whose title key equals key (HIT_EXACT_A or _B). */
static void match_key(const struct mr_search_index *ix, struct scratch *s, const char *key,
                      int flag)
{
    if (!*key)
        return;
    uint32_t h = (uint32_t)hash_word(key, strlen(key));
    for (uint32_t at = h & ix->key_mask; ix->key_slots[at].item >= 0;
         at = (at + 1) & ix->key_mask) {
        const struct title_key *k = &ix->key_slots[at];
        if (k->hash == h && strcmp(ix->keys + k->off, key) == 0 && s->cand[k->item].mask)
            s->cand[k->item].flags |= (uint8_t)flag;
    }
}

/* One hit while ranking. */
struct ranked {
    int32_t item;
    int quality;
    int32_t popularity;
    int flags;
};

/* Whether a ranks before b: quality, then popularity, then catalog order. */
static int ranks_before(const struct ranked *a, const struct ranked *b)
{
    if (a->quality != b->quality)
        return a->quality > b->quality;
    if (a->popularity != b->popularity)
        return a->popularity > b->popularity;
    return a->item < b->item;
}

/* Keeps the best max entries in a heap whose root is the worst kept. */
static void heap_offer(struct ranked *heap, int *n, int max, const struct ranked *r)
{
    int i;
    if (*n < max) {
        i = (*n)++;
        while (i > 0 && ranks_before(&heap[(i - 1) / 2], r)) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = *r;
        return;
    }
    if (!ranks_before(r, &heap[0]))
        return;
    i = 0;
    for (;;) {
        int l = 2 * i + 1, worst = i;
        const struct ranked *w = r;
        if (l < *n && ranks_before(w, &heap[l]))
            worst = l, w = &heap[l];
        if (l + 1 < *n && ranks_before(w, &heap[l + 1]))
            worst = l + 1;
        if (worst == i)
            break;
        heap[i] = heap[worst];
        i = worst;
    }
    heap[i] = *r;
}

/* Sorts the heap's entries best first. */
static void heap_sort(struct ranked *heap, int n)
{
    for (int i = 1; i < n; i++) { /* n is small: insertion sort */
        struct ranked r = heap[i];
        int k = i;
        while (k > 0 && ranks_before(&r, &heap[k - 1])) {
            heap[k] = heap[k - 1];
            k--;
        }
        heap[k] = r;
    }
}

/* Match quality of a qualified candidate; see the BONUS_* constants. */
static int hit_quality(const struct mr_search_index *ix, const struct query *q,
                       const struct cand *c, int32_t item, int relaxed)
{
    int quality = 10 * c->score + c->bonus;
    if (q->n_req > 1 && (c->flags & CAND_IN_ORDER))
        quality += BONUS_IN_ORDER;
    if (c->flags & CAND_STARTS) {
        quality += BONUS_STARTS;
        if ((c->flags & CAND_IN_ORDER) && q->n_req >= ix->n_main_words[item])
            quality += BONUS_COVERS;
    }
    if (c->flags & (HIT_EXACT_A | HIT_EXACT_B))
        quality += BONUS_EXACT;
    if (c->flags & HIT_EXACT_FULL)
        quality += BONUS_EXACT_FULL;
    if (relaxed)
        quality += BONUS_PER_WORD * bit_count(c->mask);
    return quality;
}

/* Whether item's folded title without its year equals s, spaces aside ("Spider-Man"
 * folds to "spider man" and equals "spiderman"). */
static int folded_equals(const struct mr_search_index *ix, int32_t item, const char *s)
{
    const char *t = ix->folded + ix->folded_off[item];
    const char *end = t + ix->folded_len[item];
    for (;;) {
        while (t < end && *t == ' ')
            t++;
        while (*s == ' ')
            s++;
        if (t == end || !*s)
            return t == end && !*s;
        if (*t++ != *s++)
            return 0;
    }
}

/* One pass over the query: strict (every required word must match) or relaxed (typos
 * everywhere, half the words suffice).  Writes up to max hits to out, best first. */
static int search_pass(const struct mr_search_index *ix, struct scratch *s, const struct query *q,
                       int relaxed, struct ranked *out, int max)
{
    int32_t n_cands = 0;
    int alive = 1;
    for (int i = 0; i < q->n && alive; i++)
        if (!q->w[i].optional)
            alive = match_required(ix, s, q, &q->w[i], relaxed, &n_cands) == 0;
    int n = 0;
    if (alive) {
        for (int i = 0; i < q->n; i++)
            if (q->w[i].optional)
                match_optional(ix, s, q, &q->w[i], relaxed, n_cands);
        match_key(ix, s, q->key_a, HIT_EXACT_A);
        match_key(ix, s, q->key_b, HIT_EXACT_B);
        for (int32_t i = 0; i < n_cands; i++) {
            int32_t item = s->cands[i];
            struct cand *c = &s->cand[item];
            if (!cand_qualifies(c, q->n_req, relaxed))
                continue;
            if ((c->flags & (HIT_EXACT_A | HIT_EXACT_B)) &&
                (folded_equals(ix, item, q->full_a) || folded_equals(ix, item, q->full_b)))
                c->flags |= HIT_EXACT_FULL;
            struct ranked r = {item, hit_quality(ix, q, c, item, relaxed), popularity_of(ix, item),
                               c->flags};
            heap_offer(out, &n, max, &r);
        }
        heap_sort(out, n);
    }
    for (int32_t i = 0; i < n_cands; i++)
        memset(&s->cand[s->cands[i]], 0, sizeof *s->cand);
    return n;
}

/* Runs a parsed query: strictly, then relaxed when that found nothing (*relaxed is then
 * set, when not NULL). */
static int search_run(const struct mr_search_index *ix, const struct query *q, struct ranked *out,
                      int max, int *relaxed)
{
    if (relaxed)
        *relaxed = 0;
    if (q->n == 0 || max <= 0)
        return 0;
    struct scratch *s = ix->scratch, *own = NULL;
    if (atomic_flag_test_and_set(&s->busy)) { /* another thread is searching */
        own = scratch_new(ix->n_items, ix->n_words);
        if (!own)
            return 0;
        s = own;
    }
    int n = search_pass(ix, s, q, 0, out, max);
    if (n == 0) {
        n = search_pass(ix, s, q, 1, out, max);
        if (relaxed)
            *relaxed = 1;
    }
    if (own)
        scratch_free(own);
    else
        atomic_flag_clear(&s->busy);
    return n;
}

int mr_search(const struct mr_search_index *ix, const char *query, struct mr_search_hit *hits,
              int max_hits)
{
    if (!ix || !query || max_hits <= 0)
        return 0;
    struct query q;
    struct ranked *r = malloc((size_t)max_hits * sizeof *r);
    if (!r || query_parse(query, &q) != 0) {
        free(r);
        return 0;
    }
    int n = search_run(ix, &q, r, max_hits, NULL);
    for (int i = 0; i < n; i++)
        hits[i] = (struct mr_search_hit){r[i].item, r[i].quality};
    free(q.mem);
    free(r);
    return n;
}

/* ---- resolving a MOVIE argument ---- */

#define RESOLVE_POOL 64 /* hits examined when resolving a title */

enum mr_resolve_result mr_resolve_movie(const struct mr_search_index *ix,
                                        const struct mr_catalog *c, const char *arg, int32_t *item,
                                        struct mr_search_hit *candidates, int max_candidates,
                                        int *n_candidates)
{
    *n_candidates = 0;
    while (*arg == ' ' || *arg == '\t')
        arg++;
    size_t n = strlen(arg);
    while (n > 0 && (arg[n - 1] == ' ' || arg[n - 1] == '\t' || arg[n - 1] == '\n'))
        n--;
    if (n == 0)
        return MR_RESOLVE_NONE;
    size_t digits = 0;
    while (digits < n && arg[digits] >= '0' && arg[digits] <= '9')
        digits++;
    if (digits == n) {
        if (n > 9)
            return MR_RESOLVE_NONE;
        int32_t found = mr_catalog_find(c, (int32_t)strtol(arg, NULL, 10));
        if (found < 0)
            return MR_RESOLVE_NONE;
        *item = found;
        return MR_RESOLVED;
    }

    struct query q;
    struct ranked pool[RESOLVE_POOL];
    if (query_parse(arg, &q) != 0)
        return MR_RESOLVE_NONE;
    q.open_last = 0; /* an argument is complete: no typos in mere prefixes */
    int relaxed;
    int n_hits = search_run(ix, &q, pool, RESOLVE_POOL, &relaxed);
    free(q.mem);

    /* The exact matches, narrowed to the query's year when it gave one that matches. */
    int keep[RESOLVE_POOL], n_keep = 0, n_dated = 0;
    for (int i = 0; i < n_hits; i++) {
        int f = pool[i].flags;
        n_dated += (f & HIT_EXACT_A) || ((f & HIT_EXACT_B) && (f & HIT_YEAR));
    }
    for (int i = 0; i < n_hits; i++) {
        int f = pool[i].flags;
        int dated = (f & HIT_EXACT_A) || ((f & HIT_EXACT_B) && (f & HIT_YEAR));
        if (n_dated ? dated : (f & (HIT_EXACT_A | HIT_EXACT_B)) != 0)
            keep[n_keep++] = i;
    }
    if (n_keep > 1) { /* titles equal as written, articles included, go first */
        int n_full = 0;
        for (int k = 0; k < n_keep; k++)
            if (pool[keep[k]].flags & HIT_EXACT_FULL)
                keep[n_full++] = keep[k];
        if (n_full > 0)
            n_keep = n_full;
    }
    if (n_keep == 0) { /* no exact match: every hit is a candidate */
        for (int i = 0; i < n_hits; i++)
            keep[n_keep++] = i;
        if (relaxed && n_keep == 1) { /* a lone guess that misses words is only offered */
            if (max_candidates > 0) {
                candidates[0] = (struct mr_search_hit){pool[0].item, pool[0].quality};
                *n_candidates = 1;
            }
            return MR_RESOLVE_AMBIGUOUS;
        }
    }
    if (n_keep == 1) {
        *item = pool[keep[0]].item;
        return MR_RESOLVED;
    }
    for (int k = 0; k < n_keep && k < max_candidates; k++)
        candidates[(*n_candidates)++] =
            (struct mr_search_hit){pool[keep[k]].item, pool[keep[k]].quality};
    return n_keep == 0 ? MR_RESOLVE_NONE : MR_RESOLVE_AMBIGUOUS;
}

/* ---- completion ---- */

/* Whether item's folded display title, or the same without its leading article, starts
 * with p[0..n). */
static int title_starts_with(const struct mr_search_index *ix, int32_t item, const char *p,
                             size_t n)
{
    const char *t = ix->folded + ix->folded_off[item];
    if (strncmp(t, p, n) == 0)
        return 1;
    const char *sp = strchr(t, ' ');
    return sp && is_stopword(t, (size_t)(sp - t)) && strncmp(sp + 1, p, n) == 0;
}

/* Beyond this many matching entries, walking the popularity order finds the answer
 * sooner than ranking every match. */
#define COMPLETE_RANK_LIMIT 4096

int mr_search_complete(const struct mr_search_index *ix, const char *prefix, int32_t *items,
                       int max)
{
    if (!ix || !prefix || max <= 0)
        return 0;
    size_t n = strlen(prefix);
    char *p = malloc(n + 1);
    struct ranked *heap = malloc((size_t)max * sizeof *heap);
    if (!p || !heap) {
        free(p), free(heap);
        return 0;
    }
    size_t pn = mr_text_fold(prefix, p, n + 1);
    int32_t lo = 0, hi = ix->n_completions; /* first entry not below p */
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->folded + ix->completions[mid].off, p) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int32_t end = lo, top = ix->n_completions; /* end: first entry not starting with p */
    while (end < top) {
        int32_t mid = end + (top - end) / 2;
        if (strncmp(ix->folded + ix->completions[mid].off, p, pn) <= 0)
            end = mid + 1;
        else
            top = mid;
    }
    int found = 0;
    if (pn == 0) { /* every title matches */
        for (; found < max && found < ix->n_items; found++)
            items[found] = ix->by_popularity[found];
        free(p), free(heap);
        return found;
    }
    if (ix->popularity && end - lo > COMPLETE_RANK_LIMIT) {
        /* Matches are many: the popular ones come soon in the popularity order, unless ties
         * (equal popularity, ordered by title) cluster them; then, past as many steps as
         * there are matches, ranking them all is cheaper. */
        int32_t i = 0;
        for (; i < ix->n_items && found < max && i < end - lo; i++)
            if (title_starts_with(ix, ix->by_popularity[i], p, pn))
                items[found++] = ix->by_popularity[i];
        if (found == max || i == ix->n_items) {
            free(p), free(heap);
            return found;
        }
        found = 0;
    }
    for (int32_t i = lo; i < end; i++) {
        const struct completion *e = &ix->completions[i];
        /* An item listed twice (with and without its article) counts once. */
        if (e->stripped && strncmp(ix->folded + ix->folded_off[e->item], p, pn) == 0)
            continue;
        /* Ranked by popularity, then by title. */
        struct ranked r = {e->item, popularity_of(ix, e->item), -ix->title_rank[e->item], 0};
        heap_offer(heap, &found, max, &r);
    }
    heap_sort(heap, found);
    for (int i = 0; i < found; i++)
        items[i] = heap[i].item;
    free(p), free(heap);
    return found;
}
