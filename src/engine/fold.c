/* fold.c — folding UTF-8 text for matching: lower case, Latin accents stripped to ASCII,
 * every run of punctuation or space becomes one space. */
#include <stdint.h>
#include <string.h>
#include "movierec/search.h"
#include "fold.h"

/* What one character folds to: text bytes, nothing, or a separator. */
enum fold_class { FOLD_TEXT, FOLD_DROP, FOLD_SEP, FOLD_JOIN };

/* ASCII for U+00C0..U+00FF; NULL for the two signs (U+00D7, U+00F7), which separate words. */
static const char *const latin1_letters[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  NULL, "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c",  "e", "e", "e", "e", "i", "i", "i",  "i",
    "d", "n", "o", "o", "o", "o", "o",  NULL, "o", "u", "u", "u", "u", "y", "th", "y",
};

/* ASCII for Latin Extended-A (U+0100..U+017F) and a few common Latin Extended-B letters,
 * as ranges of code points that fold to the same letters. */
static const struct {
    uint16_t first, last;
    char ascii[3];
} latin_ext_letters[] = {
    {0x0100, 0x0105, "a"}, {0x0106, 0x010D, "c"},  {0x010E, 0x0111, "d"}, {0x0112, 0x011B, "e"},
    {0x011C, 0x0123, "g"}, {0x0124, 0x0127, "h"},  {0x0128, 0x0131, "i"}, {0x0132, 0x0133, "ij"},
    {0x0134, 0x0135, "j"}, {0x0136, 0x0138, "k"},  {0x0139, 0x0142, "l"}, {0x0143, 0x014B, "n"},
    {0x014C, 0x0151, "o"}, {0x0152, 0x0153, "oe"}, {0x0154, 0x0159, "r"}, {0x015A, 0x0161, "s"},
    {0x0162, 0x0167, "t"}, {0x0168, 0x0173, "u"},  {0x0174, 0x0175, "w"}, {0x0176, 0x0178, "y"},
    {0x0179, 0x017E, "z"}, {0x017F, 0x017F, "s"},  {0x0192, 0x0192, "f"}, {0x01A0, 0x01A1, "o"},
    {0x01AF, 0x01B0, "u"}, {0x0218, 0x0219, "s"},  {0x021A, 0x021B, "t"},
};

/* Writes code point cp (< 0x110000, not a surrogate) as UTF-8; returns its length. */
static int utf8_put(uint32_t cp, char *rep)
{
    if (cp < 0x80) {
        rep[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        rep[0] = (char)(0xC0 | (cp >> 6));
        rep[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        rep[0] = (char)(0xE0 | (cp >> 12));
        rep[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        rep[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    rep[0] = (char)(0xF0 | (cp >> 18));
    rep[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    rep[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    rep[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Decodes one UTF-8 character at s (n > 0 bytes available) into *cp; returns its length,
 * or 0 when the bytes there are not valid UTF-8 (overlong, surrogate, truncated...). */
static size_t utf8_get(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint32_t c;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        c = b & 0x0F;
        if (b == 0xE0)
            lo = 0xA0; /* overlong */
        else if (b == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        c = b & 0x07;
        if (b == 0xF0)
            lo = 0x90;
        else if (b == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

/* Classifies an ASCII character; letters and digits are written lower case to rep. */
static enum fold_class fold_ascii(uint32_t cp, char *rep, int *n)
{
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9')) {
        rep[0] = (char)cp;
        *n = 1;
        return FOLD_TEXT;
    }
    if (cp >= 'A' && cp <= 'Z') {
        rep[0] = (char)(cp - 'A' + 'a');
        *n = 1;
        return FOLD_TEXT;
    }
    if (cp == '\'' || cp == '`' || cp == '-' || cp == '.')
        return FOLD_JOIN;
    return FOLD_SEP;
}

/* Classifies code point cp; FOLD_TEXT characters are written to rep (*n bytes, <= 4). */
static enum fold_class fold_char(uint32_t cp, char *rep, int *n)
{
    if (cp < 0x80)
        return fold_ascii(cp, rep, n);
    if (cp >= 0xFF01 && cp <= 0xFF5E) /* full-width ASCII */
        return fold_ascii(cp - 0xFEE0, rep, n);

    const char *ascii = NULL;
    if (cp >= 0xC0 && cp <= 0xFF) {
        ascii = latin1_letters[cp - 0xC0];
        if (!ascii)
            return FOLD_SEP;
    } else if (cp >= 0x100 && cp <= 0x24F) {
        for (size_t i = 0; i < sizeof latin_ext_letters / sizeof *latin_ext_letters; i++) {
            if (cp >= latin_ext_letters[i].first && cp <= latin_ext_letters[i].last) {
                ascii = latin_ext_letters[i].ascii;
                break;
            }
        }
    } else if (cp < 0xC0) { /* C1 controls and Latin-1 signs */
        switch (cp) {
        case 0xAA:
            ascii = "a";
            break; /* feminine ordinal */
        case 0xBA:
            ascii = "o";
            break;
        case 0xB9:
            ascii = "1";
            break; /* superscripts */
        case 0xB2:
            ascii = "2";
            break;
        case 0xB3:
            ascii = "3";
            break;
        case 0xB5:
            cp = 0x3BC;
            break; /* micro sign: Greek mu */
        case 0xAD:
            return FOLD_DROP; /* soft hyphen */
        case 0xB4:
            return FOLD_JOIN; /* acute accent used as an apostrophe */
        default:
            return FOLD_SEP;
        }
    } else if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
               (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
               (cp >= 0xFE20 && cp <= 0xFE2F)) {
        return FOLD_DROP; /* combining marks: "e" + U+0301 folds like "é" */
    } else if ((cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF) {
        return FOLD_DROP; /* zero-width characters */
    } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC ||
               cp == 0x02BB) {
        return FOLD_JOIN; /* hyphens and apostrophes */
    } else if ((cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x20A0 && cp <= 0x20CF) ||
               (cp >= 0x2190 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x3004) ||
               (cp >= 0x3008 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
               (cp >= 0xFF5F && cp <= 0xFF65) || (cp >= 0x1F000 && cp <= 0x1FAFF)) {
        return FOLD_SEP; /* punctuation, signs, arrows, CJK punctuation, emoji */
    } else if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F)) {
        cp += 0x20; /* Greek and Cyrillic capitals */
    } else if (cp >= 0x400 && cp <= 0x40F) {
        cp += 0x50;
    }
    if (ascii) {
        *n = (int)strlen(ascii);
        memcpy(rep, ascii, (size_t)*n);
    } else {
        *n = utf8_put(cp, rep);
    }
    return FOLD_TEXT;
}

/* Appends k bytes to out unless an earlier piece was cut off or these do not fit whole;
 * *total counts the full folded length either way. */
static void fold_put(char *out, size_t len, size_t *total, int *fits, const char *bytes, int k)
{
    if (*fits && *total + (size_t)k < len) {
        memcpy(out + *total, bytes, (size_t)k);
        out[*total + (size_t)k] = '\0';
    } else {
        *fits = 0;
    }
    *total += (size_t)k;
}

/* The fold itself; marks joiner-only separator runs with MR_FOLD_JOINER when marked. */
static size_t fold(const char *text, char *out, size_t len, int marked)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    size_t total = 0;                    /* folded length, whether it fits or not */
    int fits = len > 0;                  /* nothing has been cut off yet */
    enum fold_class pending = FOLD_DROP; /* separator owed before the next text */
    if (len > 0)
        out[0] = '\0';
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t step = utf8_get(s + i, n - i, &cp);
        if (step == 0) { /* invalid byte: skipped */
            i++;
            continue;
        }
        i += step;
        char piece[5]; /* the separator owed, if any, then the character */
        char *rep = piece + 1;
        int k = 0;
        enum fold_class cls = fold_char(cp, rep, &k);
        if (cls == FOLD_DROP)
            continue;
        if (cls == FOLD_SEP || cls == FOLD_JOIN) {
            if (total > 0 && pending != FOLD_SEP)
                pending = cls; /* a run with any true separator stays a space */
            continue;
        }
        if (pending != FOLD_DROP) { /* together, so a cut never leaves a trailing space */
            piece[0] = marked && pending == FOLD_JOIN ? MR_FOLD_JOINER : ' ';
            rep = piece;
            k++;
            pending = FOLD_DROP;
        }
        fold_put(out, len, &total, &fits, rep, k);
    }
    return total;
}

size_t mr_text_fold(const char *text, char *out, size_t len)
{
    return fold(text, out, len, 0);
}

size_t mr_text_fold_marked(const char *text, char *out, size_t len)
{
    return fold(text, out, len, 1);
}
