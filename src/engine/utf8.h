/* utf8.h — checking UTF-8 and converting Latin-1 (private to the loaders). */
#ifndef MOVIEREC_UTF8_H
#define MOVIEREC_UTF8_H

#include <stddef.h>

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF). */
int mr_utf8_valid(const char *s, size_t n);

/* Writes s[0..n) read as Latin-1 (ISO-8859-1) into out as UTF-8 and NUL-terminates it.
 * out must hold 2 * n + 1 bytes.  Returns the length written (without the NUL). */
size_t mr_latin1_to_utf8(const char *s, size_t n, char *out);

/* Decides the encoding of a whole file: *valid = 1 when it is well-formed UTF-8, else 0.
 * Returns MR_OK, or MR_EDATA when the file cannot be read (err is not filled here). */
int mr_utf8_file_valid(const char *path, int *valid);

#endif
