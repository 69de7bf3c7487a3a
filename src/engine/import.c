/* import.c — ratings exported by MovieLens, IMDb or Letterboxd: the format told by the header,
 * every record read through libcsv, matched to the catalog, then applied to a profile.
 *
 * Bytes are fed to libcsv in pieces of at most one physical line, so that each record's first
 * line is known and a record that grows beyond MR_IMPORT_MAX_RECORD (a runaway quote, a line of
 * a million fields) is cut off, reported and skipped without buffering the rest of the file. */
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "movierec/import.h"
#include "movierec/search.h"

#define READ_BLOCK (64 * 1024)
#define FEED_PIECE 4096 /* bytes fed to libcsv at once, so a runaway record is seen early */
#define WHAT_LEN   160

/* ---- columns ---- */

enum column {
    COL_USER,        /* MovieLens userId */
    COL_MOVIE,       /* MovieLens movieId */
    COL_RATING,      /* MovieLens rating (stars), Letterboxd Rating (stars) */
    COL_TIMESTAMP,   /* MovieLens timestamp */
    COL_CONST,       /* IMDb tt id */
    COL_YOUR_RATING, /* IMDb 1..10 */
    COL_DATE_RATED,  /* IMDb YYYY-MM-DD */
    COL_TITLE,       /* IMDb */
    COL_YEAR,        /* IMDb, Letterboxd */
    COL_NAME,        /* Letterboxd title */
    COL_DATE,        /* Letterboxd YYYY-MM-DD */
    COL_COUNT
};

static const char *const column_names[COL_COUNT] = {
    "userId",     "movieId", "rating", "timestamp", "Const", "Your Rating",
    "Date Rated", "Title",   "Year",   "Name",      "Date",
};

const char *mr_import_format_name(enum mr_import_format format)
{
    switch (format) {
    case MR_IMPORT_MOVIELENS:
        return "MovieLens ratings.csv";
    case MR_IMPORT_IMDB:
        return "IMDb ratings export";
    case MR_IMPORT_LETTERBOXD:
        return "Letterboxd ratings.csv";
    }
    return "unknown";
}

/* ---- matching IMDb ids ---- */

struct imdb_entry {
    int64_t imdb_id;
    int32_t item;
};

static int cmp_imdb(const void *a, const void *b)
{
    const struct imdb_entry *x = a, *y = b;
    if (x->imdb_id != y->imdb_id)
        return x->imdb_id < y->imdb_id ? -1 : 1;
    return x->item < y->item ? -1 : x->item > y->item;
}

/* ---- matching titles ---- */

/* One name of a film: its display title without the year, its main title, or one of its
 * alternative titles, folded; key is the folded name without a leading article. */
struct title_entry {
    const char *key;  /* the folded name without its leading article (in the arena) */
    const char *full; /* the whole folded name */
    size_t key_off;   /* offsets of both while the arena may still move */
    size_t full_off;
    int32_t item;
    int16_t year;
};

struct matcher {
    const struct mr_catalog *c;
    struct imdb_entry *imdb;
    size_t n_imdb;
    struct title_entry *titles;
    size_t n_titles, cap_titles;
    char *text; /* folded names, NUL-separated */
    size_t text_len, text_cap;
};

/* Articles skipped at the front of a folded name ("the matrix" ~ "matrix"): MovieLens's own
 * list of articles it moves behind a comma, folded. */
static const char *const folded_articles[] = {
    "the", "a",   "an",  "le", "la",  "les", "l",   "il",
    "der", "die", "das", "el", "los", "las", "det", "den",
};

/* The folded name s without one leading article word (s itself when it has none or is only
 * the article). */
static const char *skip_article(const char *s)
{
    const char *sp = strchr(s, ' ');
    if (!sp)
        return s;
    size_t n = (size_t)(sp - s);
    for (size_t i = 0; i < sizeof folded_articles / sizeof *folded_articles; i++)
        if (strlen(folded_articles[i]) == n && memcmp(s, folded_articles[i], n) == 0)
            return sp + 1;
    return s;
}

/* Appends the folded form of s[0..n) to the text arena.  Returns its offset, or -1 when out
 * of memory. */
static int64_t arena_fold(struct matcher *m, const char *s, size_t n)
{
    char stack[512];
    char *raw = n < sizeof stack ? stack : malloc(n + 1);
    if (!raw)
        return -1;
    memcpy(raw, s, n);
    raw[n] = '\0';
    if (m->text_len + n + 1 > m->text_cap) {
        size_t cap = m->text_cap ? m->text_cap : 1 << 16;
        while (cap < m->text_len + n + 1)
            cap *= 2;
        char *text = realloc(m->text, cap);
        if (!text) {
            if (raw != stack)
                free(raw);
            return -1;
        }
        m->text = text;
        m->text_cap = cap;
    }
    size_t off = m->text_len;
    size_t folded = mr_text_fold(raw, m->text + off, n + 1);
    m->text_len += folded + 1;
    if (raw != stack)
        free(raw);
    return (int64_t)off;
}

/* Adds one name s[0..n) of item (an "a.k.a. " in front is dropped).  MR_OK or MR_ENOMEM. */
static int add_name(struct matcher *m, int32_t item, int year, const char *s, size_t n)
{
    static const char aka[] = "a.k.a. ";
    if (n > sizeof aka - 1 && memcmp(s, aka, sizeof aka - 1) == 0) {
        s += sizeof aka - 1;
        n -= sizeof aka - 1;
    }
    int64_t off = arena_fold(m, s, n);
    if (off < 0)
        return MR_ENOMEM;
    const char *full = m->text + off;
    if (!*full) {
        m->text_len = (size_t)off; /* nothing left to match on */
        return MR_OK;
    }
    if (m->n_titles == m->cap_titles) {
        size_t cap = m->cap_titles ? m->cap_titles * 2 : 1024;
        struct title_entry *t = realloc(m->titles, cap * sizeof *t);
        if (!t)
            return MR_ENOMEM;
        m->titles = t;
        m->cap_titles = cap;
    }
    m->titles[m->n_titles++] = (struct title_entry){
        NULL, NULL, (size_t)(skip_article(full) - m->text), (size_t)off, item, (int16_t)year};
    return MR_OK;
}

/* Adds every name of one film: the display title without its year, the main title before
 * the first " (", and each parenthesised alternative title ("Amelie (Le Fabuleux destin
 * d'Amélie Poulain) (2001)" gives three).  MR_OK or MR_ENOMEM. */
static int add_movie_names(struct matcher *m, int32_t item)
{
    const struct mr_movie *mv = &m->c->movies[item];
    const char *d = mv->display ? mv->display : mv->title;
    if (!d)
        return MR_OK;
    size_t n = strlen(d);
    while (n > 0 && d[n - 1] == ' ')
        n--;
    if (mr_title_year(d) > 0) { /* drop the last " (...)" group: the year */
        const char *open = d + n;
        while (open > d && *open != '(')
            open--;
        n = (size_t)(open - d);
        while (n > 0 && d[n - 1] == ' ')
            n--;
    }
    int rc = add_name(m, item, mv->year, d, n);
    const char *main_end = d;
    while (main_end < d + n && !(main_end[0] == ' ' && main_end + 1 < d + n && main_end[1] == '('))
        main_end++;
    if (rc == MR_OK && main_end < d + n)
        rc = add_name(m, item, mv->year, d, (size_t)(main_end - d));
    const char *p = main_end;
    while (rc == MR_OK && p + 1 < d + n && p[0] == ' ' && p[1] == '(') {
        const char *q = p + 2;
        int depth = 1;
        while (q < d + n && depth > 0) {
            depth += *q == '(' ? 1 : *q == ')' ? -1 : 0;
            q++;
        }
        if (depth > 0)
            break;
        rc = add_name(m, item, mv->year, p + 2, (size_t)(q - 1 - (p + 2)));
        p = q;
    }
    return rc;
}

/* The title entries sort by key, then by whole name, then by item. */
static int cmp_title(const void *a, const void *b)
{
    const struct title_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    if (c)
        return c;
    c = strcmp(x->full, y->full);
    if (c)
        return c;
    return x->item < y->item ? -1 : x->item > y->item;
}

static void matcher_free(struct matcher *m)
{
    free(m->imdb);
    free(m->titles);
    free(m->text);
    memset(m, 0, sizeof *m);
}

/* Builds what format needs to match: the IMDb id table or the title table.  MR_OK or
 * MR_ENOMEM. */
static int matcher_build(struct matcher *m, const struct mr_catalog *c,
                         enum mr_import_format format)
{
    memset(m, 0, sizeof *m);
    m->c = c;
    if (format == MR_IMPORT_IMDB) {
        m->imdb = malloc(((size_t)c->n_movies + 1) * sizeof *m->imdb);
        if (!m->imdb)
            return MR_ENOMEM;
        for (int32_t i = 0; i < c->n_movies; i++)
            if (c->movies[i].imdb_id > 0)
                m->imdb[m->n_imdb++] = (struct imdb_entry){c->movies[i].imdb_id, i};
        qsort(m->imdb, m->n_imdb, sizeof *m->imdb, cmp_imdb);
    } else if (format == MR_IMPORT_LETTERBOXD) {
        for (int32_t i = 0; i < c->n_movies; i++)
            if (add_movie_names(m, i) != MR_OK)
                return MR_ENOMEM;
        /* The arena is complete: offsets become pointers. */
        for (size_t i = 0; i < m->n_titles; i++) {
            m->titles[i].key = m->text + m->titles[i].key_off;
            m->titles[i].full = m->text + m->titles[i].full_off;
        }
        if (m->n_titles)
            qsort(m->titles, m->n_titles, sizeof *m->titles, cmp_title);
    }
    return MR_OK;
}

/* Distinct items collected while matching. */
struct found {
    int32_t items[MR_IMPORT_MAX_CANDIDATES];
    int n; /* distinct items, possibly more than kept */
};

static void found_add(struct found *f, int32_t item)
{
    for (int i = 0; i < f->n && i < MR_IMPORT_MAX_CANDIDATES; i++)
        if (f->items[i] == item)
            return;
    if (f->n < MR_IMPORT_MAX_CANDIDATES)
        f->items[f->n] = item;
    f->n++;
}

/* Sets the row's outcome from what was found. */
static void row_set_found(struct mr_import_row *row, const struct found *f)
{
    if (f->n == 0) {
        row->outcome = MR_IMPORT_UNKNOWN;
    } else if (f->n == 1) {
        row->outcome = MR_IMPORT_MATCHED;
        row->item = f->items[0];
    } else {
        row->outcome = MR_IMPORT_AMBIGUOUS;
        row->n_candidates = f->n < MR_IMPORT_MAX_CANDIDATES ? f->n : MR_IMPORT_MAX_CANDIDATES;
        memcpy(row->candidates, f->items, (size_t)row->n_candidates * sizeof *row->candidates);
    }
}

static void match_imdb(const struct matcher *m, int64_t imdb_id, struct mr_import_row *row)
{
    size_t lo = 0, hi = m->n_imdb;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->imdb[mid].imdb_id < imdb_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    struct found f = {{0}, 0};
    for (size_t i = lo; i < m->n_imdb && m->imdb[i].imdb_id == imdb_id; i++)
        found_add(&f, m->imdb[i].item);
    row_set_found(row, &f);
}

/* Films among entries [lo, hi) whose year fits: the same year, else one year off, else films
 * of unknown year; any year when the file gives none.  whole: only entries whose whole folded
 * name is whole_name. */
static void titles_by_year(const struct matcher *m, size_t lo, size_t hi, int year,
                           const char *whole_name, struct found *f)
{
    for (int pass = 0; pass < 3 && f->n == 0; pass++) {
        for (size_t i = lo; i < hi; i++) {
            const struct title_entry *e = &m->titles[i];
            if (whole_name && strcmp(e->full, whole_name) != 0)
                continue;
            int ok = year == 0 || (pass == 0 && e->year == year) ||
                     (pass == 1 && e->year != 0 && abs(e->year - year) == 1) ||
                     (pass == 2 && e->year == 0);
            if (ok)
                found_add(f, e->item);
        }
        if (year == 0)
            break;
    }
}

/* Matches a title and year: first films one of whose names equals the title exactly
 * (folded), then those equal when a leading article is ignored on both sides. */
static int match_title(const struct matcher *m, const char *title, int year,
                       struct mr_import_row *row)
{
    size_t n = strlen(title);
    char *folded = malloc(n + 1);
    if (!folded)
        return MR_ENOMEM;
    mr_text_fold(title, folded, n + 1);
    const char *key = skip_article(folded);
    size_t lo = 0, hi = m->n_titles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->titles[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < m->n_titles && strcmp(m->titles[end].key, key) == 0)
        end++;
    struct found f = {{0}, 0};
    if (*folded) {
        titles_by_year(m, lo, end, year, folded, &f);
        if (f.n == 0)
            titles_by_year(m, lo, end, year, NULL, &f);
    }
    free(folded);
    row_set_found(row, &f);
    return MR_OK;
}

/* ---- field parsing ---- */

/* A decimal integer of digits only (no sign), at most 18 digits.  1 on success. */
static int parse_digits(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

/* Stars "4", "3.5", "4.0", "4.50" as half stars 1..10, or 0. */
static int parse_stars(const char *s, size_t n)
{
    size_t i = 0;
    int whole = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i < 3)
        whole = whole * 10 + (s[i++] - '0');
    if (i == 0)
        return 0;
    int half = whole * 2;
    if (i < n && s[i] == '.') {
        i++;
        if (i == n)
            return 0;
        if (s[i] == '5')
            half++;
        else if (s[i] != '0')
            return 0;
        i++;
        while (i < n && s[i] == '0')
            i++;
    }
    return i == n && half >= 1 && half <= 10 ? half : 0;
}

/* "YYYY-MM-DD" (anything after the day is ignored) as seconds at midnight UTC, or 0. */
static int64_t parse_date(const char *s, size_t n)
{
    int64_t y, mo, d;
    if (n < 10 || s[4] != '-' || s[7] != '-' || !parse_digits(s, 4, &y) ||
        !parse_digits(s + 5, 2, &mo) || !parse_digits(s + 8, 2, &d))
        return 0;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    struct tm tm = {0};
    tm.tm_year = (int)y - 1900;
    tm.tm_mon = (int)mo - 1;
    tm.tm_mday = (int)d;
    time_t t = timegm(&tm);
    return t > 0 ? (int64_t)t : 0;
}

/* ---- the parser ---- */

struct parser {
    const struct mr_catalog *c;
    struct mr_import_opts opts;
    const char *name;
    struct mr_error *err;
    struct mr_import *out;
    struct matcher m;
    struct csv_parser csv;
    int csv_ready;
    int header_done;
    int col[COL_COUNT]; /* field index of each column, -1 when absent */
    int *field_col;     /* field index -> column, for indexes 0..max_field */
    int max_field;      /* highest field index that holds a wanted column */
    char *rec;          /* the current record's wanted fields, each NUL-terminated */
    size_t rec_len, rec_cap;
    size_t off[COL_COUNT], flen[COL_COUNT];
    int have[COL_COUNT];
    int n_fields;      /* fields of the current record so far */
    int nonempty;      /* one of them had a byte */
    int user_seen;     /* MovieLens without a chosen user: out->user_id is the file's */
    long line;         /* number of the physical line being fed */
    long record_line;  /* line where the current record began */
    size_t pending;    /* bytes fed since the last record ended */
    int skip_to_eol;   /* a record was cut off: ignore the rest of this line */
    int at_line_start; /* the next byte fed starts a physical line */
    int after_cr;      /* the last byte fed was a '\r' that ended the data fed */
    int fatal;         /* a status once parsing must stop */
};

/* Appends a row; returns it (zeroed but for line, item -1) or NULL when out of memory. */
static struct mr_import_row *new_row(struct parser *ps)
{
    struct mr_import *out = ps->out;
    if (out->n_rows == out->cap_rows) {
        size_t cap = out->cap_rows ? out->cap_rows * 2 : 64;
        struct mr_import_row *rows = realloc(out->rows, cap * sizeof *rows);
        if (!rows)
            return NULL;
        out->rows = rows;
        out->cap_rows = cap;
    }
    struct mr_import_row *row = &out->rows[out->n_rows++];
    memset(row, 0, sizeof *row);
    row->line = ps->record_line;
    row->item = -1;
    return row;
}

/* A copy of s[0..n) with control characters (NUL included) made spaces; NULL without
 * memory. */
static char *copy_text(const char *s, size_t n)
{
    char *t = malloc(n + 1);
    if (!t)
        return NULL;
    for (size_t i = 0; i < n; i++)
        t[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    t[n] = '\0';
    return t;
}

/* Marks row bad with a copy of what.  MR_OK or MR_ENOMEM. */
static int row_bad(struct mr_import_row *row, const char *what)
{
    row->outcome = MR_IMPORT_BAD;
    row->what = strdup(what);
    return row->what ? MR_OK : MR_ENOMEM;
}

/* A row for a record that cannot be read at all (too long).  Sets ps->fatal on failure. */
static void add_bad_record(struct parser *ps, const char *what)
{
    struct mr_import_row *row = new_row(ps);
    if (!row || !(row->title = strdup("")) || row_bad(row, what) != MR_OK)
        ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
}

/* Field i (wanted column) of the current record, or "" when the record lacks it. */
static const char *field(const struct parser *ps, enum column col, size_t *len)
{
    if (!ps->have[col]) {
        *len = 0;
        return "";
    }
    *len = ps->flen[col];
    return ps->rec + ps->off[col];
}

/* Describes a field for a message, cut short and without control characters. */
static void quote_field(const char *s, size_t n, char *buf, size_t len)
{
    size_t shown = n < 24 ? n : 24;
    if (shown >= len)
        shown = len - 1;
    for (size_t i = 0; i < shown; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
    buf[shown] = '\0';
}

/* Fills a MovieLens row.  Returns MR_OK (the row may be bad), MR_ENOMEM, or 1 when the row
 * belongs to another user and was dropped; sets ps->fatal for a second user. */
static int movielens_row(struct parser *ps, struct mr_import_row *row, char *what)
{
    size_t ul, ml, rl, tl;
    const char *u = field(ps, COL_USER, &ul), *mv = field(ps, COL_MOVIE, &ml);
    const char *r = field(ps, COL_RATING, &rl), *t = field(ps, COL_TIMESTAMP, &tl);
    char shown[32];
    int64_t user, movie, ts = 0;
    quote_field(mv, ml, shown, sizeof shown);
    char title[48];
    snprintf(title, sizeof title, "movieId %s", shown);
    if (!(row->title = strdup(title)))
        return MR_ENOMEM;
    if (!parse_digits(u, ul, &user) || user > INT32_MAX) {
        quote_field(u, ul, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "userId '%s' is not a number", shown);
        return row_bad(row, what);
    }
    if (ps->opts.user_id > 0 && user != ps->opts.user_id) {
        ps->out->other_users_rows++;
        return 1;
    }
    if (ps->opts.user_id == 0) {
        if (!ps->user_seen) {
            ps->out->user_id = (int32_t)user;
            ps->user_seen = 1;
        } else if (ps->out->user_id != user) {
            ps->fatal = mr_error_set(ps->err, MR_EUSAGE, ps->name, row->line,
                                     "ratings of several users (%" PRId32 " and %" PRId64
                                     " at least): choose one",
                                     ps->out->user_id, user);
            return 1;
        }
    }
    if (!parse_digits(mv, ml, &movie) || movie <= 0 || movie > INT32_MAX) {
        snprintf(what, WHAT_LEN, "movieId '%s' is not a positive number", shown);
        return row_bad(row, what);
    }
    row->half = parse_stars(r, rl);
    if (!row->half) {
        quote_field(r, rl, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "rating '%s' is not 0.5 to 5 in half stars", shown);
        return row_bad(row, what);
    }
    if (tl && !parse_digits(t, tl, &ts)) {
        quote_field(t, tl, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "timestamp '%s' is not a number of seconds", shown);
        return row_bad(row, what);
    }
    row->timestamp = ts;
    row->item = mr_catalog_find(ps->c, (int32_t)movie);
    row->outcome = row->item >= 0 ? MR_IMPORT_MATCHED : MR_IMPORT_UNKNOWN;
    return MR_OK;
}

/* The year field as a year, or 0. */
static int parse_year(const char *s, size_t n)
{
    int64_t y;
    return n == 4 && parse_digits(s, n, &y) && y >= 1800 ? (int)y : 0;
}

/* Fills an IMDb row.  MR_OK (the row may be bad) or MR_ENOMEM. */
static int imdb_row(struct parser *ps, struct mr_import_row *row, char *what)
{
    size_t cl, rl, dl, tl, yl;
    const char *k = field(ps, COL_CONST, &cl), *r = field(ps, COL_YOUR_RATING, &rl);
    const char *d = field(ps, COL_DATE_RATED, &dl), *t = field(ps, COL_TITLE, &tl);
    const char *y = field(ps, COL_YEAR, &yl);
    char shown[32];
    row->title = tl ? copy_text(t, tl) : copy_text(k, cl);
    if (!row->title)
        return MR_ENOMEM;
    row->year = parse_year(y, yl);
    row->timestamp = parse_date(d, dl);
    int64_t imdb_id, stars10;
    if (cl < 3 || k[0] != 't' || k[1] != 't' || !parse_digits(k + 2, cl - 2, &imdb_id) ||
        imdb_id == 0) {
        quote_field(k, cl, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "Const '%s' is not an IMDb id (tt and digits)", shown);
        return row_bad(row, what);
    }
    if (!parse_digits(r, rl, &stars10) || stars10 < 1 || stars10 > 10) {
        quote_field(r, rl, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "Your Rating '%s' is not 1 to 10", shown);
        return row_bad(row, what);
    }
    row->half = (int)stars10; /* 10 points are 5 stars: one point is half a star */
    match_imdb(&ps->m, imdb_id, row);
    return MR_OK;
}

/* Fills a Letterboxd row.  MR_OK (the row may be bad) or MR_ENOMEM. */
static int letterboxd_row(struct parser *ps, struct mr_import_row *row, char *what)
{
    size_t nl, rl, dl, yl;
    const char *name = field(ps, COL_NAME, &nl), *r = field(ps, COL_RATING, &rl);
    const char *d = field(ps, COL_DATE, &dl), *y = field(ps, COL_YEAR, &yl);
    char shown[32];
    if (!(row->title = copy_text(name, nl)))
        return MR_ENOMEM;
    row->year = parse_year(y, yl);
    row->timestamp = parse_date(d, dl);
    if (nl == 0)
        return row_bad(row, "no film name");
    row->half = parse_stars(r, rl);
    if (!row->half) {
        quote_field(r, rl, shown, sizeof shown);
        snprintf(what, WHAT_LEN, "Rating '%s' is not 0.5 to 5 in half stars", shown);
        return row_bad(row, what);
    }
    return match_title(&ps->m, row->title, row->year, row);
}

/* Works out the format from the header's columns and prepares the matcher. */
static void take_header(struct parser *ps)
{
    const int *col = ps->col;
    enum mr_import_format format;
    if (col[COL_CONST] >= 0 && col[COL_YOUR_RATING] >= 0) {
        format = MR_IMPORT_IMDB;
    } else if (col[COL_USER] >= 0 && col[COL_MOVIE] >= 0 && col[COL_RATING] >= 0) {
        format = MR_IMPORT_MOVIELENS;
    } else if (col[COL_NAME] >= 0 && col[COL_RATING] >= 0) {
        format = MR_IMPORT_LETTERBOXD;
    } else {
        ps->fatal = mr_error_set(ps->err, MR_EDATA, ps->name, ps->record_line,
                                 "not a ratings export: expected the header of a MovieLens "
                                 "ratings.csv (userId,movieId,rating,timestamp), an IMDb export "
                                 "(Const,Your Rating,...) or a Letterboxd ratings.csv "
                                 "(Date,Name,Year,Letterboxd URI,Rating)");
        return;
    }
    static const enum column used[][5] = {
        [MR_IMPORT_MOVIELENS] = {COL_USER, COL_MOVIE, COL_RATING, COL_TIMESTAMP, COL_COUNT},
        [MR_IMPORT_IMDB] = {COL_CONST, COL_YOUR_RATING, COL_DATE_RATED, COL_TITLE, COL_YEAR},
        [MR_IMPORT_LETTERBOXD] = {COL_NAME, COL_RATING, COL_DATE, COL_YEAR, COL_COUNT},
    };
    int keep[COL_COUNT];
    for (int i = 0; i < COL_COUNT; i++)
        keep[i] = -1;
    ps->max_field = -1;
    for (int i = 0; i < 5 && used[format][i] != COL_COUNT; i++) {
        enum column cl = used[format][i];
        keep[cl] = col[cl];
        if (col[cl] > ps->max_field)
            ps->max_field = col[cl];
    }
    memcpy(ps->col, keep, sizeof keep);
    ps->field_col = malloc(((size_t)ps->max_field + 1) * sizeof *ps->field_col);
    if (!ps->field_col) {
        ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
        return;
    }
    for (int i = 0; i <= ps->max_field; i++)
        ps->field_col[i] = -1;
    for (int cl = 0; cl < COL_COUNT; cl++)
        if (ps->col[cl] >= 0)
            ps->field_col[ps->col[cl]] = cl;
    ps->out->format = format;
    ps->out->user_id = format == MR_IMPORT_MOVIELENS ? ps->opts.user_id : 0;
    ps->header_done = 1;
    if (matcher_build(&ps->m, ps->c, format) != MR_OK)
        ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
}

/* Handles one complete data record. */
static void take_record(struct parser *ps)
{
    int need = ps->max_field + 1;
    struct mr_import_row *row = new_row(ps);
    char what[WHAT_LEN];
    int rc;
    if (!row) {
        rc = MR_ENOMEM;
    } else if (ps->n_fields < need) {
        snprintf(what, sizeof what, "expected at least %d fields, found %d", need, ps->n_fields);
        rc = (row->title = strdup("")) ? row_bad(row, what) : MR_ENOMEM;
    } else {
        switch (ps->out->format) {
        case MR_IMPORT_MOVIELENS:
            rc = movielens_row(ps, row, what);
            break;
        case MR_IMPORT_IMDB:
            rc = imdb_row(ps, row, what);
            break;
        default:
            rc = letterboxd_row(ps, row, what);
            break;
        }
    }
    if (rc == 1) { /* not kept */
        free(row->title);
        ps->out->n_rows--;
        return;
    }
    if (rc != MR_OK)
        ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
}

static void on_field(void *data, size_t len, void *ps_)
{
    struct parser *ps = ps_;
    int index = ps->n_fields++;
    ps->nonempty |= len > 0;
    if (ps->fatal)
        return;
    if (!ps->header_done) {
        const char *s = data;
        while (len > 0 && (*s == ' ' || *s == '\t')) /* header names are compared trimmed */
            s++, len--;
        while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r'))
            len--;
        for (int cl = 0; cl < COL_COUNT; cl++)
            if (ps->col[cl] < 0 && strlen(column_names[cl]) == len &&
                strncasecmp(column_names[cl], s, len) == 0)
                ps->col[cl] = index;
        return;
    }
    if (index > ps->max_field || ps->field_col[index] < 0)
        return;
    int cl = ps->field_col[index];
    if (ps->rec_len + len + 1 > ps->rec_cap) {
        size_t cap = ps->rec_cap ? ps->rec_cap : 256;
        while (cap < ps->rec_len + len + 1)
            cap *= 2;
        char *rec = realloc(ps->rec, cap);
        if (!rec) {
            ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
            return;
        }
        ps->rec = rec;
        ps->rec_cap = cap;
    }
    if (len)
        memcpy(ps->rec + ps->rec_len, data, len);
    ps->rec[ps->rec_len + len] = '\0';
    ps->off[cl] = ps->rec_len;
    ps->flen[cl] = len;
    ps->have[cl] = 1;
    ps->rec_len += len + 1;
}

/* Forgets the current record's fields. */
static void record_reset(struct parser *ps)
{
    ps->n_fields = 0;
    ps->nonempty = 0;
    ps->rec_len = 0;
    memset(ps->have, 0, sizeof ps->have);
    ps->pending = 0;
}

/* 1 when the current record is a blank line: no field, or one empty field. */
static int record_blank(const struct parser *ps)
{
    return ps->n_fields == 0 || (ps->n_fields == 1 && !ps->nonempty);
}

static void on_record(int terminator, void *ps_)
{
    struct parser *ps = ps_;
    (void)terminator;
    if (!ps->fatal && !record_blank(ps)) {
        if (!ps->header_done)
            take_header(ps);
        else
            take_record(ps);
    }
    record_reset(ps);
}

/* Starts (or restarts after a cut-off record) libcsv.  MR_OK or MR_ENOMEM. */
static int csv_start(struct parser *ps)
{
    if (ps->csv_ready)
        csv_free(&ps->csv);
    ps->csv_ready = 0;
    if (csv_init(&ps->csv, CSV_REPALL_NL) != 0)
        return ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, 0, "out of memory");
    ps->csv_ready = 1;
    return MR_OK;
}

/* Drops the current record as too long and skips to the next line. */
static void cut_record(struct parser *ps)
{
    char what[WHAT_LEN];
    snprintf(what, sizeof what, "record longer than %d bytes (an unclosed quote?), skipped",
             MR_IMPORT_MAX_RECORD);
    if (ps->header_done) {
        add_bad_record(ps, what);
    } else {
        ps->fatal = mr_error_set(ps->err, MR_EDATA, ps->name, ps->record_line,
                                 "the header line is longer than %d bytes", MR_IMPORT_MAX_RECORD);
        return;
    }
    record_reset(ps);
    ps->skip_to_eol = 1;
    csv_start(ps);
}

/* Feeds bytes that lie within one physical line (the last may be its '\n'). */
static void feed_piece(struct parser *ps, const char *s, size_t n)
{
    if (ps->skip_to_eol)
        return;
    if (ps->pending == 0)
        ps->record_line = ps->line;
    if (ps->pending + n > MR_IMPORT_MAX_RECORD) {
        cut_record(ps);
        return;
    }
    ps->pending += n;
    if (csv_parse(&ps->csv, s, n, on_field, on_record, ps) != n && !ps->fatal)
        ps->fatal = mr_error_set(ps->err, MR_ENOMEM, ps->name, ps->line, "libcsv: %s",
                                 csv_strerror(csv_error(&ps->csv)));
}

/* The first line end in data[0..n): a '\n', or a '\r' (CRLF, or a lone CR as old Mac files
 * end their lines, which libcsv also takes as the end of a record).  NULL when none. */
static const char *find_line_end(const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (data[i] == '\n' || data[i] == '\r')
            return data + i;
    return NULL;
}

/* Feeds any bytes of the file, in order, one physical line (or FEED_PIECE bytes of it) at a
 * time.  "\r\n", "\n" and a lone "\r" each end one line, also when a read ends between the
 * '\r' and the '\n' of a pair. */
static void parser_feed(struct parser *ps, const char *data, size_t len)
{
    while (len > 0 && !ps->fatal) {
        if (ps->after_cr) {
            ps->after_cr = 0;
            if (data[0] == '\n') { /* the rest of a CRLF the last block ended in */
                feed_piece(ps, data, 1);
                data++;
                len--;
                continue;
            }
        }
        if (ps->at_line_start) {
            ps->line++;
            ps->at_line_start = 0;
        }
        size_t window = len < FEED_PIECE ? len : FEED_PIECE;
        const char *end = find_line_end(data, window);
        size_t n = end ? (size_t)(end - data) + 1 : window;
        if (end && *end == '\r') {
            if (n < len && data[n] == '\n')
                n++;
            else if (n == len)
                ps->after_cr = 1;
        }
        feed_piece(ps, data, n);
        if (end) {
            ps->at_line_start = 1;
            ps->skip_to_eol = 0;
        }
        data += n;
        len -= n;
    }
}

static int parser_init(struct parser *ps, const char *name, const struct mr_catalog *c,
                       const struct mr_import_opts *opts, struct mr_import *out,
                       struct mr_error *err)
{
    memset(ps, 0, sizeof *ps);
    memset(out, 0, sizeof *out);
    ps->c = c;
    if (opts)
        ps->opts = *opts;
    ps->name = name;
    ps->err = err;
    ps->out = out;
    ps->at_line_start = 1;
    ps->max_field = -1;
    for (int i = 0; i < COL_COUNT; i++)
        ps->col[i] = -1;
    return csv_start(ps);
}

/* Flushes the last record and checks what the whole file said. */
static int parser_finish(struct parser *ps)
{
    if (!ps->fatal && !ps->skip_to_eol)
        csv_fini(&ps->csv, on_field, on_record, ps);
    if (!ps->fatal && !ps->header_done)
        ps->fatal = mr_error_set(ps->err, MR_EDATA, ps->name, 0,
                                 "empty file: expected the header line of a ratings export");
    const struct mr_import *out = ps->out;
    if (!ps->fatal && out->format == MR_IMPORT_MOVIELENS && ps->opts.user_id > 0 &&
        out->n_rows == 0 && out->other_users_rows > 0)
        ps->fatal = mr_error_set(ps->err, MR_EUSAGE, ps->name, 0, "no ratings of user %" PRId32,
                                 ps->opts.user_id);
    return ps->fatal;
}

static void parser_free(struct parser *ps)
{
    if (ps->csv_ready)
        csv_free(&ps->csv);
    free(ps->field_col);
    free(ps->rec);
    matcher_free(&ps->m);
}

/* Strips a UTF-8 byte order mark from the start of the file. */
static size_t bom_length(const char *data, size_t len)
{
    return len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int mr_import_parse(const char *data, size_t len, const char *name, const struct mr_catalog *c,
                    const struct mr_import_opts *opts, struct mr_import *out, struct mr_error *err)
{
    struct parser ps;
    int rc = parser_init(&ps, name, c, opts, out, err);
    if (rc == MR_OK) {
        size_t bom = bom_length(data, len);
        parser_feed(&ps, data + bom, len - bom);
        rc = parser_finish(&ps);
    }
    parser_free(&ps);
    if (rc != MR_OK)
        mr_import_free(out);
    return rc;
}

int mr_import_read(const char *path, const struct mr_catalog *c, const struct mr_import_opts *opts,
                   struct mr_import *out, struct mr_error *err)
{
    memset(out, 0, sizeof *out);
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return mr_error_set(err, MR_EDATA, path, 0, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mr_error_set(err, MR_EDATA, path, 0, "not a regular file");
    }
    char *buf = malloc(READ_BLOCK);
    struct parser ps;
    int rc = parser_init(&ps, path, c, opts, out, err);
    if (!buf && rc == MR_OK)
        rc = mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    int first = 1;
    while (rc == MR_OK) {
        ssize_t got = read(fd, buf, READ_BLOCK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = mr_error_set(err, MR_EDATA, path, ps.line, "read failed: %s", strerror(errno));
            break;
        }
        if (got == 0) {
            rc = parser_finish(&ps);
            break;
        }
        size_t skip = first ? bom_length(buf, (size_t)got) : 0;
        first = 0;
        parser_feed(&ps, buf + skip, (size_t)got - skip);
        rc = ps.fatal;
    }
    parser_free(&ps);
    free(buf);
    close(fd);
    if (rc != MR_OK)
        mr_import_free(out);
    return rc;
}

/* ---- applying ---- */

int mr_import_apply(struct mr_import *im, struct mr_profile *p, const struct mr_catalog *c,
                    int64_t now, int dry_run, struct mr_import_summary *summary,
                    struct mr_error *err)
{
    struct mr_import_summary s;
    memset(&s, 0, sizeof s);
    int rc = MR_OK;
    /* The last row of the file for each film wins. */
    int64_t *last = malloc(((size_t)c->n_movies + 1) * sizeof *last);
    if (!last)
        return mr_error_set(err, MR_ENOMEM, NULL, 0, "out of memory");
    for (int32_t i = 0; i < c->n_movies; i++)
        last[i] = -1;
    for (size_t i = 0; i < im->n_rows; i++) {
        struct mr_import_row *row = &im->rows[i];
        row->change = MR_IMPORT_NONE;
        if (row->outcome == MR_IMPORT_MATCHED && row->item >= 0 && row->item < c->n_movies)
            last[row->item] = (int64_t)i;
    }
    for (size_t i = 0; i < im->n_rows; i++) {
        struct mr_import_row *row = &im->rows[i];
        s.rows++;
        switch (row->outcome) {
        case MR_IMPORT_AMBIGUOUS:
            s.ambiguous++;
            continue;
        case MR_IMPORT_UNKNOWN:
            s.unknown++;
            continue;
        case MR_IMPORT_BAD:
            s.bad++;
            continue;
        case MR_IMPORT_MATCHED:
            break;
        }
        if (row->item < 0 || row->item >= c->n_movies) {
            s.unknown++;
            continue;
        }
        s.matched++;
        if (rc != MR_OK)
            continue;
        if (last[row->item] != (int64_t)i) {
            row->change = MR_IMPORT_SUPERSEDED;
            s.superseded++;
            continue;
        }
        int32_t movie_id = c->movies[row->item].id;
        int old = mr_profile_get(p, movie_id);
        if (old == row->half) {
            row->change = MR_IMPORT_SAME;
            s.same++;
            continue;
        }
        if (!dry_run) {
            int64_t ts = row->timestamp > 0 ? row->timestamp : now;
            rc = mr_profile_set(p, movie_id, row->half, ts, err);
            if (rc != MR_OK)
                continue;
        }
        row->old_half = old;
        row->change = old ? MR_IMPORT_UPDATED : MR_IMPORT_ADDED;
        if (old)
            s.updated++;
        else
            s.added++;
    }
    free(last);
    if (summary)
        *summary = s;
    return rc;
}

void mr_import_free(struct mr_import *im)
{
    for (size_t i = 0; i < im->n_rows; i++) {
        free(im->rows[i].title);
        free(im->rows[i].what);
    }
    free(im->rows);
    memset(im, 0, sizeof *im);
}
