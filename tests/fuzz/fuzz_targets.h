/* fuzz_targets.h — the fuzz targets, one function each (see fuzz_util.h). */
#ifndef MOVIEREC_FUZZ_TARGETS_H
#define MOVIEREC_FUZZ_TARGETS_H

#include <stddef.h>
#include <stdint.h>

int fuzz_csv(const uint8_t *data, size_t size);
int fuzz_csv_ratings(const uint8_t *data, size_t size);
int fuzz_dat(const uint8_t *data, size_t size);
int fuzz_100k(const uint8_t *data, size_t size);
int fuzz_profile(const uint8_t *data, size_t size);
int fuzz_import(const uint8_t *data, size_t size);
int fuzz_search(const uint8_t *data, size_t size);
int fuzz_snapshot(const uint8_t *data, size_t size);
int fuzz_model_cache(const uint8_t *data, size_t size);

/* libFuzzer's entry point, defined by each target built for fuzzing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
