/* synth.c — a synthetic MovieLens-like data set (see movierec/synth.h).
 *
 * Generation streams user by user, so memory stays small whatever the rating count: per movie
 * a popularity weight (an alias table for O(1) draws), a bias and k factors; per user a count
 * drawn up front.  Every random stream is derived from the seed and a stream number (one per
 * user), so the output is the same on every run.  Output goes through one large buffer per
 * file; text fields that need quoting go through libcsv's csv_write. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>
#include <csv.h>
#include "movierec/paths.h"
#include "movierec/synth.h"

#define MAX_FACTORS  64
#define OUT_BUF_SIZE (8u << 20)
#define DAY          86400.0

/* The files a generated data set consists of; only these are ever deleted. */
static const char *const data_files[] = {"movies.csv", "ratings.csv", "tags.csv", "links.csv"};
#define N_DATA_FILES (sizeof data_files / sizeof data_files[0])

/* Random stream numbers; user u draws from STREAM_USER + u. */
enum { STREAM_ITEM_ORDER = 1, STREAM_ITEM_PARAMS = 2, STREAM_ACTIVITY = 3, STREAM_USER = 16 };

void mr_synth_defaults(struct mr_synth_opts *o)
{
    memset(o, 0, sizeof *o);
    o->min_per_user = 20;
    o->activity_sigma = 1.2;
    o->popularity_zipf = 1.2;
    o->popularity_offset = 20;
    o->factors = 8;
    o->factor_sd = 0.45;
    o->mean = 3.2;
    o->user_bias_sd = 0.45;
    o->item_bias_sd = 0.35;
    o->popularity_bias = 0.15;
    o->noise_sd = 0.7;
    o->whole_star_share = 0.35;
    o->first_timestamp = 828000000; /* 1996 */
    o->last_timestamp = 1570000000; /* 2019 */
}

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---- */

struct rng {
    uint64_t s[4];
    double spare; /* second normal of the last polar pair */
    int has_spare;
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Seeds r with stream number stream of seed: streams are independent for practical purposes. */
static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    r->has_spare = 0;
    r->spare = 0;
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n >= 1. */
static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Standard normal (Marsaglia's polar method). */
static double rng_normal(struct rng *r)
{
    if (r->has_spare) {
        r->has_spare = 0;
        return r->spare;
    }
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    double m = sqrt(-2.0 * log(s) / s);
    r->spare = v * m;
    r->has_spare = 1;
    return u * m;
}

/* ---- weighted draws: Vose's alias method ---- */

struct alias {
    int32_t n;
    double *prob;
    int32_t *alias;
};

/* Builds the table over n > 0 positive weights.  Returns 0, or -1 when out of memory. */
static int alias_build(struct alias *a, const double *w, int32_t n)
{
    a->n = n;
    a->prob = malloc((size_t)n * sizeof *a->prob);
    a->alias = malloc((size_t)n * sizeof *a->alias);
    int32_t *small = malloc((size_t)n * sizeof *small);
    int32_t *large = malloc((size_t)n * sizeof *large);
    if (!a->prob || !a->alias || !small || !large) {
        free(small);
        free(large);
        return -1;
    }
    double total = 0;
    for (int32_t i = 0; i < n; i++)
        total += w[i];
    int32_t ns = 0, nl = 0;
    for (int32_t i = 0; i < n; i++) {
        a->prob[i] = w[i] * n / total;
        a->alias[i] = i;
        if (a->prob[i] < 1.0)
            small[ns++] = i;
        else
            large[nl++] = i;
    }
    while (ns && nl) {
        int32_t s = small[--ns], l = large[nl - 1];
        a->alias[s] = l;
        a->prob[l] -= 1.0 - a->prob[s];
        if (a->prob[l] < 1.0) {
            nl--;
            small[ns++] = l;
        }
    }
    while (nl)
        a->prob[large[--nl]] = 1.0;
    while (ns)
        a->prob[small[--ns]] = 1.0; /* rounding leftovers */
    free(small);
    free(large);
    return 0;
}

static int32_t alias_draw(const struct alias *a, struct rng *r)
{
    int32_t i = (int32_t)rng_below(r, (uint32_t)a->n);
    return rng_uniform(r) < a->prob[i] ? i : a->alias[i];
}

static void alias_free(struct alias *a)
{
    free(a->prob);
    free(a->alias);
    memset(a, 0, sizeof *a);
}

/* ---- the model ---- */

struct keyed {
    double key;
    int32_t item;
};

struct synth {
    const struct mr_catalog *c;
    const struct mr_synth_opts *o;
    int32_t n_items;
    int k;
    double *weight; /* popularity weight per item */
    struct alias popular;
    float *item_bias;    /* b_i */
    float *item_factors; /* n_items x k */
    int32_t *user_count; /* ratings per user */
    uint32_t *stamp;     /* stamp[i] == user + 1: already drawn for this user */
    struct keyed *keyed; /* scratch for the exhaustive draw */
    int32_t *items;      /* one user's items */
};

/* Popularity weights: a random order of the movies, the r-th (from 1) weighing (r + offset)^-s
 * (Zipf-Mandelbrot: the offset flattens the head). */
static int make_popularity(struct synth *s)
{
    int32_t n = s->n_items;
    int32_t *order = malloc((size_t)n * sizeof *order);
    s->weight = malloc((size_t)n * sizeof *s->weight);
    if (!order || !s->weight) {
        free(order);
        return -1;
    }
    struct rng r;
    rng_seed(&r, s->o->seed, STREAM_ITEM_ORDER);
    for (int32_t i = 0; i < n; i++)
        order[i] = i;
    for (int32_t i = n - 1; i > 0; i--) {
        int32_t j = (int32_t)rng_below(&r, (uint32_t)i + 1);
        int32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int32_t rank = 0; rank < n; rank++)
        s->weight[order[rank]] = pow(rank + 1.0 + s->o->popularity_offset, -s->o->popularity_zipf);
    free(order);
    return alias_build(&s->popular, s->weight, n);
}

/* Item biases and factors; popular movies are rated a little higher, as in MovieLens. */
static int make_items(struct synth *s)
{
    int32_t n = s->n_items;
    s->item_bias = malloc((size_t)n * sizeof *s->item_bias);
    s->item_factors = malloc((size_t)n * (size_t)s->k * sizeof *s->item_factors);
    if (!s->item_bias || !s->item_factors)
        return -1;
    double sum = 0, sum2 = 0;
    for (int32_t i = 0; i < n; i++) {
        double lw = log(s->weight[i]);
        sum += lw;
        sum2 += lw * lw;
    }
    double lmean = sum / n, lsd = sqrt(fmax(sum2 / n - lmean * lmean, 0));
    struct rng r;
    rng_seed(&r, s->o->seed, STREAM_ITEM_PARAMS);
    for (int32_t i = 0; i < n; i++) {
        double z = lsd > 0 ? (log(s->weight[i]) - lmean) / lsd : 0;
        s->item_bias[i] = (float)(s->o->item_bias_sd * rng_normal(&r) + s->o->popularity_bias * z);
        for (int f = 0; f < s->k; f++)
            s->item_factors[(size_t)i * s->k + f] = (float)(s->o->factor_sd * rng_normal(&r));
    }
    return 0;
}

/* Splits o->n_ratings over the users: min each, the rest in proportion to lognormal weights
 * (cumulative rounding keeps the total exact), no user above the catalog size. */
static int make_activity(struct synth *s)
{
    const struct mr_synth_opts *o = s->o;
    int32_t nu = o->n_users;
    int64_t min = o->min_per_user;
    if (min > o->n_ratings / nu)
        min = o->n_ratings / nu;
    s->user_count = malloc((size_t)nu * sizeof *s->user_count);
    double *w = malloc((size_t)nu * sizeof *w);
    if (!s->user_count || !w) {
        free(w);
        return -1;
    }
    struct rng r;
    rng_seed(&r, o->seed, STREAM_ACTIVITY);
    for (int32_t u = 0; u < nu; u++) {
        w[u] = exp(o->activity_sigma * rng_normal(&r));
        s->user_count[u] = (int32_t)min;
    }
    /* Hand out the rest in rounds: users who reach the catalog size drop out, and what they
     * could not take is shared again among the others. */
    int64_t rest = o->n_ratings - min * nu;
    while (rest > 0) {
        double total = 0;
        for (int32_t u = 0; u < nu; u++)
            if (s->user_count[u] < s->n_items)
                total += w[u];
        double cum = 0;
        int64_t given = 0, handed = 0;
        for (int32_t u = 0; u < nu; u++) {
            if (s->user_count[u] >= s->n_items)
                continue;
            cum += w[u];
            int64_t upto = (int64_t)llround((double)rest * (cum / total));
            if (upto > rest)
                upto = rest;
            int64_t share = upto - given;
            given = upto;
            int64_t room = s->n_items - s->user_count[u];
            if (share > room)
                share = room;
            s->user_count[u] += (int32_t)share;
            handed += share;
        }
        if (handed == 0) {
            /* rounding left a few ratings with nobody: give them one by one */
            for (int32_t u = 0; u < nu && rest > handed; u++)
                if (s->user_count[u] < s->n_items) {
                    s->user_count[u]++;
                    handed++;
                }
        }
        rest -= handed;
    }
    free(w);
    return 0;
}

/* Moves the want smallest keys of k[0..n) to the front (quickselect, deterministic pivots). */
static void select_smallest(struct keyed *k, int32_t n, int32_t want)
{
    int32_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = k[lo + (hi - lo) / 2].key;
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (k[i].key < pivot)
                i++;
            while (k[j].key > pivot)
                j--;
            if (i <= j) {
                struct keyed t = k[i];
                k[i++] = k[j];
                k[j--] = t;
            }
        }
        if (want - 1 <= j)
            hi = j;
        else if (want - 1 >= i)
            lo = i;
        else
            break;
    }
}

/* Draws want distinct items for user u (mark = u + 1) by popularity into s->items.  Draws with
 * rejection of repeats; a heavy user who has taken most of the popular mass finishes with an
 * exhaustive weighted draw without replacement (keys -ln U / w, smallest win). */
static void draw_items(struct synth *s, struct rng *r, uint32_t mark, int32_t want)
{
    int32_t have = 0;
    int64_t tries = 0, limit = 3 * (int64_t)want + 64;
    while (have < want && tries < limit) {
        int32_t i = alias_draw(&s->popular, r);
        tries++;
        if (s->stamp[i] != mark) {
            s->stamp[i] = mark;
            s->items[have++] = i;
        }
    }
    if (have == want)
        return;
    int32_t m = 0;
    for (int32_t i = 0; i < s->n_items; i++) {
        if (s->stamp[i] == mark)
            continue;
        s->keyed[m].key = -log(1.0 - rng_uniform(r)) / s->weight[i];
        s->keyed[m].item = i;
        m++;
    }
    select_smallest(s->keyed, m, want - have);
    for (int32_t j = 0; have < want; j++) {
        s->stamp[s->keyed[j].item] = mark;
        s->items[have++] = s->keyed[j].item;
    }
}

static int cmp_int32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* ---- buffered output ---- */

struct out {
    int fd;
    char *buf;
    size_t len;
    int err;       /* errno of the first failure, 0 while all is well */
    int64_t bytes; /* written so far */
};

static void out_flush(struct out *w)
{
    size_t done = 0;
    while (!w->err && done < w->len) {
        ssize_t n = write(w->fd, w->buf + done, w->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            w->err = n < 0 ? errno : EIO;
        else
            done += (size_t)n;
    }
    w->bytes += (int64_t)done;
    w->len = 0;
}

/* Room for at least n more bytes at w->buf + w->len (n <= OUT_BUF_SIZE). */
static char *out_reserve(struct out *w, size_t n)
{
    if (w->len + n > OUT_BUF_SIZE)
        out_flush(w);
    return w->buf + w->len;
}

static void out_bytes(struct out *w, const char *p, size_t n)
{
    while (n) {
        size_t room = OUT_BUF_SIZE - w->len;
        if (!room) {
            out_flush(w);
            continue;
        }
        size_t take = n < room ? n : room;
        memcpy(w->buf + w->len, p, take);
        w->len += take;
        p += take;
        n -= take;
    }
}

static void out_str(struct out *w, const char *s)
{
    out_bytes(w, s, strlen(s));
}

/* Decimal digits of v (>= 0) at p; returns the end. */
static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* A CSV text field: as is, or quoted by libcsv when it holds a comma, quote, line break or
 * edge blanks (which a parser would otherwise trim). */
static int out_field(struct out *w, const char *text)
{
    size_t n = strlen(text);
    int quote =
        strpbrk(text, ",\"\r\n") != NULL ||
        (n && (text[0] == ' ' || text[0] == '\t' || text[n - 1] == ' ' || text[n - 1] == '\t'));
    if (!quote) {
        out_bytes(w, text, n);
        return 0;
    }
    size_t cap = 2 * n + 3;
    char *q = malloc(cap);
    if (!q)
        return -1;
    size_t len = csv_write(q, cap, text, n);
    out_bytes(w, q, len < cap ? len : cap);
    free(q);
    return 0;
}

/* Opens path for writing (truncating); returns 0 or -1 (errno set). */
static int out_open(struct out *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->buf = malloc(OUT_BUF_SIZE);
    if (!w->buf)
        return -1;
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        int e = errno;
        free(w->buf);
        errno = e;
        return -1;
    }
    return 0;
}

/* Flushes, syncs and closes; returns 0 or -1 with errno of the first failure. */
static int out_close(struct out *w)
{
    out_flush(w);
    if (!w->err && fsync(w->fd) != 0)
        w->err = errno;
    if (close(w->fd) != 0 && !w->err)
        w->err = errno;
    free(w->buf);
    w->buf = NULL;
    errno = w->err;
    return w->err ? -1 : 0;
}

/* ---- the files ---- */

static int write_movies(const struct mr_catalog *c, const char *path, struct mr_error *err)
{
    struct out w;
    if (out_open(&w, path) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "cannot create: %s", strerror(errno));
    out_str(&w, "movieId,title,genres\n");
    char genres[512];
    int rc = 0;
    for (int32_t i = 0; i < c->n_movies && rc == 0; i++) {
        const struct mr_movie *m = &c->movies[i];
        char *p = out_reserve(&w, 24);
        p = put_uint(p, (uint64_t)m->id);
        *p++ = ',';
        w.len = (size_t)(p - w.buf);
        rc = out_field(&w, m->title);
        mr_genres_format(m->genres, genres, sizeof genres);
        out_bytes(&w, ",", 1);
        rc |= out_field(&w, genres[0] ? genres : "(no genres listed)");
        out_bytes(&w, "\n", 1);
    }
    if (rc != 0) {
        out_close(&w);
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    }
    if (out_close(&w) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "write failed: %s", strerror(errno));
    return MR_OK;
}

/* links.csv: the catalog's IMDb and TMDB ids when it has any (the header alone otherwise). */
static int write_links(const struct mr_catalog *c, const char *path, struct mr_error *err)
{
    struct out w;
    if (out_open(&w, path) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "cannot create: %s", strerror(errno));
    out_str(&w, "movieId,imdbId,tmdbId\n");
    for (int32_t i = 0; i < c->n_movies; i++) {
        const struct mr_movie *m = &c->movies[i];
        if (!m->imdb_id && !m->tmdb_id)
            continue;
        char line[80];
        int n = snprintf(line, sizeof line, "%d,", (int)m->id);
        if (m->imdb_id)
            n += snprintf(line + n, sizeof line - (size_t)n, "%07lld", (long long)m->imdb_id);
        n += snprintf(line + n, sizeof line - (size_t)n, ",");
        if (m->tmdb_id)
            n += snprintf(line + n, sizeof line - (size_t)n, "%lld", (long long)m->tmdb_id);
        out_bytes(&w, line, (size_t)n);
        out_bytes(&w, "\n", 1);
    }
    if (out_close(&w) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "write failed: %s", strerror(errno));
    return MR_OK;
}

static int write_tags(const char *path, struct mr_error *err)
{
    struct out w;
    if (out_open(&w, path) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "cannot create: %s", strerror(errno));
    out_str(&w, "userId,movieId,tag,timestamp\n");
    if (out_close(&w) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "write failed: %s", strerror(errno));
    return MR_OK;
}

/* Half stars of the rating a user gives: the model's value rounded to the half (or whole) star
 * and clipped to the scale. */
static int to_half_stars(double stars, int whole)
{
    int h = whole ? 2 * (int)floor(stars + 0.5) : (int)floor(2.0 * stars + 0.5);
    int lo = whole ? 2 : 1;
    return h < lo ? lo : h > 10 ? 10 : h;
}

static int write_ratings(struct synth *s, const char *path, mr_progress_fn progress, void *pctx,
                         struct mr_synth_stats *st, struct mr_error *err)
{
    static const char *const stars[11] = {"0.0", "0.5", "1.0", "1.5", "2.0", "2.5",
                                          "3.0", "3.5", "4.0", "4.5", "5.0"};
    const struct mr_synth_opts *o = s->o;
    struct out w;
    if (out_open(&w, path) != 0)
        return mr_error_set(err, MR_EIO, path, 0, "cannot create: %s", strerror(errno));
    out_str(&w, "userId,movieId,rating,timestamp\n");
    uint8_t *seen = calloc((size_t)s->n_items, 1);
    if (!seen) {
        out_close(&w);
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    }
    float p[MAX_FACTORS];
    double t_range = (double)(o->last_timestamp - o->first_timestamp);
    int32_t step = o->n_users / 100 > 0 ? o->n_users / 100 : 1;
    st->min_user_ratings = INT32_MAX;
    for (int32_t u = 0; u < o->n_users && !w.err; u++) {
        struct rng r;
        rng_seed(&r, o->seed, STREAM_USER + (uint64_t)u);
        double bu = o->mean + o->user_bias_sd * rng_normal(&r);
        for (int f = 0; f < s->k; f++)
            p[f] = (float)(o->factor_sd * rng_normal(&r));
        int whole = rng_uniform(&r) < o->whole_star_share;
        double t0 = o->first_timestamp + t_range * rng_uniform(&r);
        double span = fmin((double)o->last_timestamp - t0, -log(1.0 - rng_uniform(&r)) * 180 * DAY);

        int32_t n = s->user_count[u];
        draw_items(s, &r, (uint32_t)u + 1, n);
        qsort(s->items, (size_t)n, sizeof *s->items, cmp_int32);
        for (int32_t j = 0; j < n; j++) {
            int32_t i = s->items[j];
            const float *q = s->item_factors + (size_t)i * s->k;
            float dot = 0;
            for (int f = 0; f < s->k; f++)
                dot += p[f] * q[f];
            double value = bu + s->item_bias[i] + dot + o->noise_sd * rng_normal(&r);
            int half = to_half_stars(value, whole);
            int64_t ts = (int64_t)(t0 + span * rng_uniform(&r));
            char *c = out_reserve(&w, 64);
            c = put_uint(c, (uint64_t)u + 1);
            *c++ = ',';
            c = put_uint(c, (uint64_t)s->c->movies[i].id);
            *c++ = ',';
            memcpy(c, stars[half], 3);
            c += 3;
            *c++ = ',';
            c = put_uint(c, (uint64_t)ts);
            *c++ = '\n';
            w.len = (size_t)(c - w.buf);
            if (!seen[i]) {
                seen[i] = 1;
                st->n_items_rated++;
            }
        }
        st->n_ratings += n;
        if (n < st->min_user_ratings)
            st->min_user_ratings = n;
        if (n > st->max_user_ratings)
            st->max_user_ratings = n;
        if (progress && (u + 1) % step == 0)
            progress(pctx, "ratings", (double)(u + 1) / o->n_users);
    }
    st->n_users = o->n_users;
    free(seen);
    int rc = out_close(&w);
    st->bytes = w.bytes;
    if (rc != 0)
        return mr_error_set(err, MR_EIO, path, 0, "write failed: %s", strerror(errno));
    return MR_OK;
}

/* ---- the directory ---- */

/* Joins dir and name into buf (PATH_MAX); returns 0, or -1 when too long. */
static int join(char *buf, const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    if (a + 1 + b >= PATH_MAX)
        return -1;
    memcpy(buf, dir, a);
    buf[a] = '/';
    memcpy(buf + a + 1, name, b + 1);
    return 0;
}

/* Removes a data-set directory that holds only data files (the files, then the directory).
 * Returns 0 when dir is gone (or never existed), -1 when something else is in it. */
static int remove_data_dir(const char *dir)
{
    char path[PATH_MAX];
    for (size_t i = 0; i < N_DATA_FILES; i++)
        if (join(path, dir, data_files[i]) == 0)
            unlink(path);
    if (rmdir(dir) == 0 || errno == ENOENT)
        return 0;
    return -1;
}

enum dir_state { DIR_ABSENT, DIR_EMPTY, DIR_FULL, DIR_NOT_DIR };

/* Whether path is free for rename(): absent or an empty directory. */
static enum dir_state dir_state(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return DIR_ABSENT;
    if (!S_ISDIR(st.st_mode))
        return DIR_NOT_DIR;
    DIR *d = opendir(path);
    if (!d)
        return DIR_FULL;
    enum dir_state state = DIR_EMPTY;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            state = DIR_FULL;
            break;
        }
    closedir(d);
    return state;
}

/* MR_OK when dir may receive the new data set: absent, empty, or (with replace) a data set. */
static int check_target(const char *dir, int replace, struct mr_error *err)
{
    char probe[PATH_MAX];
    struct stat st;
    switch (dir_state(dir)) {
    case DIR_ABSENT:
    case DIR_EMPTY:
        return MR_OK;
    case DIR_NOT_DIR:
        return mr_error_set(err, MR_EUSAGE, dir, 0, "exists and is not a directory");
    case DIR_FULL:
        break;
    }
    if (!replace)
        return mr_error_set(err, MR_EUSAGE, dir, 0,
                            "already exists (remove it or choose another directory)");
    if (join(probe, dir, "ratings.csv") != 0 || stat(probe, &st) != 0)
        return mr_error_set(err, MR_EUSAGE, dir, 0,
                            "exists and is not a data set: not replacing it");
    return MR_OK;
}

/* fsync of a directory so that a rename in it is durable; failures are ignored (best effort). */
static void sync_dir_of(const char *path)
{
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", path);
    char *slash = strrchr(parent, '/');
    if (!slash)
        snprintf(parent, sizeof parent, ".");
    else if (slash == parent)
        parent[1] = '\0';
    else
        *slash = '\0';
    int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

static int check_opts(const struct mr_catalog *c, const struct mr_synth_opts *o,
                      struct mr_error *err)
{
    if (c->n_movies < 1)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "the catalog has no movies");
    if (o->n_users < 1)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "the number of users must be at least 1");
    if (o->n_ratings < o->n_users)
        return mr_error_set(err, MR_EUSAGE, NULL, 0,
                            "%lld ratings cannot give each of %ld users one rating",
                            (long long)o->n_ratings, (long)o->n_users);
    if (o->n_ratings > (int64_t)o->n_users * c->n_movies)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "%lld ratings exceed %ld users x %ld movies",
                            (long long)o->n_ratings, (long)o->n_users, (long)c->n_movies);
    if (o->factors < 1 || o->factors > MAX_FACTORS)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "factors must be 1..%d", MAX_FACTORS);
    if (o->last_timestamp < o->first_timestamp || o->first_timestamp < 0)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "bad timestamp range");
    if (o->min_per_user < 1)
        return mr_error_set(err, MR_EUSAGE, NULL, 0, "the minimum per user must be at least 1");
    return MR_OK;
}

static void synth_free(struct synth *s)
{
    free(s->weight);
    alias_free(&s->popular);
    free(s->item_bias);
    free(s->item_factors);
    free(s->user_count);
    free(s->stamp);
    free(s->keyed);
    free(s->items);
}

/* Writes the four files into tmp. */
static int write_all(struct synth *s, const char *tmp, mr_progress_fn progress, void *pctx,
                     struct mr_synth_stats *st, struct mr_error *err)
{
    char path[PATH_MAX];
    int rc;
    if (join(path, tmp, "movies.csv") != 0)
        return mr_error_set(err, MR_EUSAGE, tmp, 0, "path too long");
    if ((rc = write_movies(s->c, path, err)) != MR_OK)
        return rc;
    join(path, tmp, "links.csv");
    if ((rc = write_links(s->c, path, err)) != MR_OK)
        return rc;
    join(path, tmp, "tags.csv");
    if ((rc = write_tags(path, err)) != MR_OK)
        return rc;
    join(path, tmp, "ratings.csv");
    return write_ratings(s, path, progress, pctx, st, err);
}

/* Puts the finished tmp in place of dir (moving an old data set aside first when allowed). */
static int publish(const char *tmp, const char *dir, int replace, struct mr_error *err)
{
    char old[PATH_MAX];
    int n = snprintf(old, sizeof old, "%s.old", dir);
    if (n < 0 || n >= (int)sizeof old)
        return mr_error_set(err, MR_EUSAGE, dir, 0, "path too long");
    int rc = check_target(dir, replace, err);
    if (rc != MR_OK)
        return rc;
    int moved = 0;
    if (dir_state(dir) == DIR_FULL) {
        if (remove_data_dir(old) != 0 || rename(dir, old) != 0)
            return mr_error_set(err, MR_EIO, dir, 0, "cannot move the old data set aside: %s",
                                strerror(errno));
        moved = 1;
    }
    if (rename(tmp, dir) != 0) {
        int e = errno;
        if (moved)
            rename(old, dir);
        return mr_error_set(err, MR_EIO, dir, 0, "cannot rename %s: %s", tmp, strerror(e));
    }
    sync_dir_of(dir);
    if (moved)
        remove_data_dir(old);
    return MR_OK;
}

int mr_synth_write(const struct mr_catalog *c, const struct mr_synth_opts *o, const char *dir,
                   mr_progress_fn progress, void *progress_ctx, struct mr_synth_stats *stats,
                   struct mr_error *err)
{
    int rc = check_opts(c, o, err);
    if (rc != MR_OK)
        return rc;
    char tmp[PATH_MAX];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    if (n < 0 || n >= (int)sizeof tmp - 16)
        return mr_error_set(err, MR_EUSAGE, dir, 0, "path too long");
    /* Checked now, before the long work, and again when publishing. */
    if ((rc = check_target(dir, o->replace, err)) != MR_OK)
        return rc;
    /* Only what is there can be left over: when lstat fails (no such entry, or a file stands
     * where a parent directory should be) the parent's creation below says what is wrong. */
    struct stat tmp_st;
    if (lstat(tmp, &tmp_st) == 0 && remove_data_dir(tmp) != 0)
        return mr_error_set(err, MR_EUSAGE, tmp, 0,
                            "left over from an earlier run and holds "
                            "other files: remove it");
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", tmp);
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if (mr_mkdirs(parent) != 0)
            return mr_error_set(err, MR_EIO, parent, 0, "cannot create: %s", strerror(errno));
    }
    if (mkdir(tmp, 0755) != 0)
        return mr_error_set(err, MR_EIO, tmp, 0, "cannot create: %s", strerror(errno));

    struct synth s = {.c = c, .o = o, .n_items = c->n_movies, .k = o->factors};
    struct mr_synth_stats local = {0};
    rc = MR_ENOMEM;
    s.stamp = calloc((size_t)s.n_items, sizeof *s.stamp);
    s.keyed = malloc((size_t)s.n_items * sizeof *s.keyed);
    s.items = malloc((size_t)s.n_items * sizeof *s.items);
    if (!s.stamp || !s.keyed || !s.items || make_popularity(&s) != 0 || make_items(&s) != 0 ||
        make_activity(&s) != 0)
        mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    else
        rc = write_all(&s, tmp, progress, progress_ctx, &local, err);
    synth_free(&s);
    if (rc == MR_OK)
        rc = publish(tmp, dir, o->replace, err);
    if (rc != MR_OK) {
        remove_data_dir(tmp);
        return rc;
    }
    if (stats)
        *stats = local;
    return MR_OK;
}
