/* reason.h — private: small text pieces the models use in their explain() lines. */
#ifndef MOVIEREC_REASON_H
#define MOVIEREC_REASON_H

#include <stddef.h>
#include <stdint.h>
#include "movierec/catalog.h"

/* Writes half stars (1..10) as UTF-8 stars into buf: 9 -> "★★★★½", 3 -> "★½☆☆☆"
 * (filled U+2605, half "½", empty U+2606; always five positions).  Returns buf. */
char *mr_reason_stars(int half, char *buf, size_t len);

/* Display title of item ("The Matrix (1999)"), or "movie #item" written into buf when the
 * catalog is NULL or the index out of range.  Returns the title or buf. */
const char *mr_reason_title(const struct mr_catalog *c, int32_t item, char *buf, size_t len);

#endif
