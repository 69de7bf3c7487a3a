/* fold.h — private: text folding with word-joiner marks, for the search index.
 * The public form is mr_text_fold() in movierec/search.h. */
#ifndef MOVIEREC_FOLD_H
#define MOVIEREC_FOLD_H

#include <stddef.h>

/* The byte mr_text_fold_marked() writes where a run of separators held only word joiners
 * (apostrophes, hyphens, full stops): "Schindler's" -> "schindler\x01s". */
#define MR_FOLD_JOINER '\x01'

/* Like mr_text_fold(), but a separator run made only of joiners becomes MR_FOLD_JOINER
 * instead of a space, so a caller can index "spider-man" also as "spiderman". */
size_t mr_text_fold_marked(const char *text, char *out, size_t len);

#endif
