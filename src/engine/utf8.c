/* utf8.c — UTF-8 validation and Latin-1 to UTF-8 conversion for the data loaders. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/error.h"
#include "utf8.h"

/* Length of the well-formed UTF-8 sequence at s[0..n), 0 when it is malformed, or -1 when
 * it is a valid but incomplete prefix of a sequence (n too short). */
static int sequence_length(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    int len;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0; /* no overlongs */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    } else {
        return 0;
    }
    for (int i = 1; i < len; i++) {
        if ((size_t)i >= n)
            return -1;
        unsigned char lo_i = i == 1 ? lo : 0x80, hi_i = i == 1 ? hi : 0xBF;
        if (s[i] < lo_i || s[i] > hi_i)
            return 0;
    }
    return len;
}

/* Bytes of s[0..n) that are a well-formed prefix; *bad = 1 when the rest starts with a
 * malformed sequence (rather than an incomplete one cut off by n). */
static size_t valid_prefix(const unsigned char *s, size_t n, int *bad)
{
    size_t i = 0;
    *bad = 0;
    while (i < n) {
        /* ASCII fast path, eight bytes at a time */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ull)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        int len = sequence_length(s + i, n - i);
        if (len <= 0) {
            *bad = len == 0;
            return i;
        }
        i += (size_t)len;
    }
    return i;
}

int mr_utf8_valid(const char *s, size_t n)
{
    int bad;
    return valid_prefix((const unsigned char *)s, n, &bad) == n;
}

size_t mr_latin1_to_utf8(const char *s, size_t n, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[o++] = (char)c;
        } else {
            out[o++] = (char)(0xC0 | (c >> 6));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    out[o] = '\0';
    return o;
}

int mr_utf8_file_valid(const char *path, int *valid)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return MR_EDATA;
    enum { CHUNK = 1 << 20 };
    unsigned char *buf = malloc(CHUNK + 4);
    if (!buf) {
        close(fd);
        return MR_ENOMEM;
    }
    size_t carry = 0; /* bytes of an incomplete sequence kept from the previous chunk */
    int rc = MR_OK;
    *valid = 1;
    for (;;) {
        ssize_t got = read(fd, buf + carry, CHUNK);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = MR_EDATA;
            break;
        }
        size_t n = carry + (size_t)got;
        int bad;
        size_t ok = valid_prefix(buf, n, &bad);
        if (bad || (got == 0 && ok < n)) {
            *valid = 0;
            break;
        }
        if (got == 0)
            break;
        carry = n - ok; /* at most 3 bytes */
        memmove(buf, buf + ok, carry);
    }
    free(buf);
    close(fd);
    return rc;
}
