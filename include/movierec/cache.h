/* cache.h — fitted models on disk, so that a start-up need not train again.
 *
 * One file per model: CACHE_DIR/<model>-<data fingerprint as 16 hex digits>.model, laid out as
 *   header   "MOVIEREC", format version (u32), byte-order mark (u32 0x01020304), model name
 *            (u32 length + bytes), data fingerprint (u64, mr_dataset.fingerprint), parameter
 *            fingerprint (u64), n_items (u32), n_users (u32), n_ratings (u64)
 *   payload  the model's ops->save output
 *   checksum u64 over every byte before it (mr_checksum of serial.h)
 * A file is written whole to a temporary name, fsync'd and renamed, so a reader sees either
 * the old file or the new one.  Loading maps the file, checks the header and the checksum
 * before the model sees a byte, and hands ops->load a reader bounded to the payload (its data
 * the file's first byte, its pos past the header): a stale, truncated or corrupt file is
 * reported and never trusted.  The model may keep views into the mapping (mr_read_view); the
 * mapping is the model's backing, released after the model (mr_model_free). */
#ifndef MOVIEREC_CACHE_H
#define MOVIEREC_CACHE_H

#include <stdint.h>
#include <stddef.h>
#include "movierec/error.h"
#include "movierec/model.h"

/* Bump when the header or any model's payload changes layout.  2: mr_checksum; the payload
 * reader counts alignment from the file's first byte (session 2). */
#define MR_CACHE_FORMAT 2

/* What a load attempt found. */
enum mr_cache_state {
    MR_CACHE_LOADED,  /* valid: the model is ready */
    MR_CACHE_MISSING, /* no file */
    MR_CACHE_STALE,   /* a valid file for other data, parameters, model or format version */
    MR_CACHE_CORRUPT  /* truncated, damaged or not a cache file; or the model rejected it */
};

/* Fingerprint of model name trained with p: every field but threads (which does not change
 * the result), plus the defaults of every registered model (which the hybrid's components
 * use), the version of every model's training code (src/engine/train_version.h: bump it when
 * a model's fit changes) and the program's version, so that changing any of them makes old
 * files stale. */
uint64_t mr_cache_params_fingerprint(const char *name, const struct mr_params *p);

/* Writes CACHE_DIR/<name>-<16 hex digits>.model into buf.  Returns buf, or NULL when it does
 * not fit. */
char *mr_cache_path(const char *cache_dir, const char *name, uint64_t data_fingerprint, char *buf,
                    size_t len);

/* Writes the fitted model m to path crash-safely (temporary file, fsync, rename, fsync of the
 * directory; the directory is created when missing).  Returns MR_OK or MR_EIO / MR_ENOMEM;
 * on failure no file is left under path's name that was not there before. */
int mr_cache_save(const struct mr_model *m, const char *path, uint64_t data_fingerprint,
                  struct mr_error *err);

/* Loads path into the unfitted model m (created by mr_model_new, or with ops, params, catalog
 * and ratings set).  *state says what was found.  Returns MR_OK when loaded; MR_ENOTFOUND when
 * there is no file; MR_ECORRUPT for a stale or corrupt file, err->msg saying which (e.g.
 * "cache is corrupt: checksum mismatch"); MR_ENOMEM.  After a failure m->impl (and m->backing) may
 * hold a partial state: mr_model_unload() it before fitting it. */
int mr_cache_load(struct mr_model *m, const char *path, uint64_t data_fingerprint,
                  enum mr_cache_state *state, struct mr_error *err);

/* Makes *m fitted: loads it from CACHE_DIR when a valid file is there, else fits it (a stale
 * or corrupt file is reported through report as "cache FILE is corrupt: ...; retraining") and
 * saves it (a failure to save is reported, not fatal).  cache_dir NULL: just fits.  *m must be
 * unfitted; it may be replaced by a fresh model of the same ops and fields.  state (may be
 * NULL) receives what the load found.  Returns MR_OK or the fit's error. */
int mr_cache_fit_or_load(struct mr_model **m, const char *cache_dir, uint64_t data_fingerprint,
                         mr_report_fn report, void *report_ctx, enum mr_cache_state *state,
                         struct mr_error *err);

#endif
