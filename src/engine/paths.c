/* paths.c — where movierec finds and keeps its files (see movierec/paths.h).
 *
 * Every function only computes a path; nothing but mr_mkdirs() touches the disk for writing.
 * The environment is read on each call, so tests can change it between calls. */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/paths.h"

#define DATA_SET_NAME "ml-latest-small"

/* Writes the formatted path into buf; returns buf, or NULL when it does not fit. */
static char *path_join(char *buf, size_t len, const char *a, const char *b, const char *c)
{
    int n = snprintf(buf, len, "%s%s%s", a, b ? b : "", c ? c : "");
    if (n < 0 || (size_t)n >= len)
        return NULL;
    return buf;
}

/* The value of an environment variable when set and not empty, else NULL. */
static const char *env_nonempty(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

/* The home directory: $HOME, else the password database; NULL when neither says. */
static const char *home_dir(void)
{
    const char *home = env_nonempty("HOME");
    if (home)
        return home;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_dir && pw->pw_dir[0] ? pw->pw_dir : NULL;
}

/* An XDG base directory: $VAR when it is an absolute path (the XDG specification says relative
 * values are to be ignored), else $HOME/fallback.  NULL when it does not fit or there is no home.
 */
static char *xdg_dir(const char *var, const char *fallback, char *buf, size_t len)
{
    const char *v = env_nonempty(var);
    if (v && v[0] == '/')
        return path_join(buf, len, v, NULL, NULL);
    const char *home = home_dir();
    if (!home)
        return NULL;
    return path_join(buf, len, home, "/", fallback);
}

/* 1 when dir is a directory holding movies.csv (what `make data` fetches). */
static int has_data_set(const char *dir)
{
    char file[PATH_MAX];
    struct stat st;
    if (!path_join(file, sizeof file, dir, "/movies.csv", NULL))
        return 0;
    return stat(file, &st) == 0 && S_ISREG(st.st_mode);
}

char *mr_path_data_search(const char *cli_dir, const char *exe_dir, char *buf, size_t len)
{
    if (cli_dir && cli_dir[0])
        return path_join(buf, len, cli_dir, NULL, NULL);
    const char *env = env_nonempty("MOVIEREC_DATA");
    if (env)
        return path_join(buf, len, env, NULL, NULL);
#ifdef MOVIEREC_DATADIR
    if (has_data_set(MOVIEREC_DATADIR "/" DATA_SET_NAME))
        return path_join(buf, len, MOVIEREC_DATADIR "/" DATA_SET_NAME, NULL, NULL);
#endif
    if (exe_dir && exe_dir[0]) {
        /* The binary sits in the source tree (./movierec) or in a build directory below it
         * (build/asan/movierec): look in the directory and up to two parents. */
        static const char *const ups[] = {"", "/..", "/../.."};
        char dir[PATH_MAX], real[PATH_MAX];
        for (size_t i = 0; i < sizeof ups / sizeof ups[0]; i++) {
            if (!path_join(dir, sizeof dir, exe_dir, ups[i], "/data/" DATA_SET_NAME))
                continue;
            if (has_data_set(dir) && realpath(dir, real))
                return path_join(buf, len, real, NULL, NULL);
        }
    }
    char xdg[PATH_MAX];
    if (!xdg_dir("XDG_DATA_HOME", ".local/share", xdg, sizeof xdg))
        return NULL;
    return path_join(buf, len, xdg, "/movierec/", DATA_SET_NAME);
}

char *mr_path_exe_dir(char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    if (slash == exe)
        slash[1] = '\0'; /* the binary is in "/" */
    else
        *slash = '\0';
    return path_join(buf, len, exe, NULL, NULL);
}

char *mr_path_data(const char *cli_dir, char *buf, size_t len)
{
    char exe_dir[PATH_MAX];
    const char *exe = mr_path_exe_dir(exe_dir, sizeof exe_dir);
    return mr_path_data_search(cli_dir, exe, buf, len);
}

char *mr_path_home(char *buf, size_t len)
{
    const char *env = env_nonempty("MOVIEREC_HOME");
    if (env)
        return path_join(buf, len, env, NULL, NULL);
    char xdg[PATH_MAX];
    if (!xdg_dir("XDG_DATA_HOME", ".local/share", xdg, sizeof xdg))
        return NULL;
    return path_join(buf, len, xdg, "/movierec", NULL);
}

char *mr_path_profile(const char *name, char *buf, size_t len)
{
    if (!name)
        name = "default";
    if (!mr_profile_name_ok(name))
        return NULL;
    char home[PATH_MAX];
    if (!mr_path_home(home, sizeof home))
        return NULL;
    char *p = path_join(buf, len, home, "/profiles/", name);
    if (!p)
        return NULL;
    size_t used = strlen(buf);
    return path_join(buf + used, len - used, ".csv", NULL, NULL) ? buf : NULL;
}

char *mr_path_cache(char *buf, size_t len)
{
    char xdg[PATH_MAX];
    if (!xdg_dir("XDG_CACHE_HOME", ".cache", xdg, sizeof xdg))
        return NULL;
    return path_join(buf, len, xdg, "/movierec", NULL);
}

char *mr_path_state(char *buf, size_t len)
{
    char xdg[PATH_MAX];
    if (!xdg_dir("XDG_STATE_HOME", ".local/state", xdg, sizeof xdg))
        return NULL;
    return path_join(buf, len, xdg, "/movierec", NULL);
}

int mr_mkdirs(const char *dir)
{
    char path[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof path) {
        errno = n ? ENAMETOOLONG : ENOENT;
        return -1;
    }
    memcpy(path, dir, n + 1);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = '\0';
    /* Create each prefix ending before a '/', then the whole path. */
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST)
            return -1;
        *p = saved;
        if (saved == '\0')
            break;
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int mr_profile_name_ok(const char *name)
{
    if (!name || !name[0] || name[0] == '.')
        return 0;
    size_t n = 0;
    for (const char *p = name; *p; p++, n++) {
        unsigned char ch = (unsigned char)*p;
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '_' || ch == '.' || ch == '-';
        if (!ok || n >= 64)
            return 0;
    }
    return 1;
}
