/* paths.h — where movierec finds and keeps its files.
 *
 *   data     --data DIR, else $MOVIEREC_DATA, else the data `make data` fetched:
 *            MOVIEREC_DATADIR/ml-latest-small when compiled in, else data/ml-latest-small in
 *            the executable's directory or one of its two parents (the source tree holds
 *            ./movierec and build/asan/movierec), else $XDG_DATA_HOME/movierec/ml-latest-small
 *   home     $MOVIEREC_HOME, else $XDG_DATA_HOME/movierec (~/.local/share/movierec):
 *            profiles live here as profiles/NAME.csv
 *   cache    $XDG_CACHE_HOME/movierec (~/.cache/movierec): model files
 *   state    $XDG_STATE_HOME/movierec (~/.local/state/movierec): readline history */
#ifndef MOVIEREC_PATHS_H
#define MOVIEREC_PATHS_H

#include <stddef.h>

/* Each writes a path into buf (len bytes) and returns buf, or NULL when it does not fit or
 * no home directory can be found.  Nothing is created on disk. */
char *mr_path_data(const char *cli_dir, char *buf, size_t len);
char *mr_path_home(char *buf, size_t len);
/* Profile NAME.csv under home/profiles; NULL name means "default"; NULL when the name is not
 * valid (mr_profile_name_ok). */
char *mr_path_profile(const char *name, char *buf, size_t len);
char *mr_path_cache(char *buf, size_t len);
char *mr_path_state(char *buf, size_t len);

/* mr_path_data() with the executable's directory given (NULL: skip that step); a candidate
 * data/ml-latest-small there counts only when it holds movies.csv, and is returned resolved
 * (absolute, no "..").  For tests and for mr_path_data(). */
char *mr_path_data_search(const char *cli_dir, const char *exe_dir, char *buf, size_t len);

/* The directory of the running executable (from /proc/self/exe), or NULL. */
char *mr_path_exe_dir(char *buf, size_t len);

/* Creates dir and its parents (mode 0700 for new ones).  Returns 0 or -1 (errno set). */
int mr_mkdirs(const char *dir);

/* 1 when name is a valid profile name: 1-64 of [A-Za-z0-9_.-], not starting with '.'. */
int mr_profile_name_ok(const char *name);

#endif
