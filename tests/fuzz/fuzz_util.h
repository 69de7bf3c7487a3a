/* fuzz_util.h — what the fuzz targets share: a scratch directory for inputs that must be
 * files, and a check that aborts (so libFuzzer, or the replay test, sees a crash) when a
 * property of the engine does not hold.
 *
 * Each target is one fuzz_NAME.c defining fuzz_NAME() (declared in fuzz_targets.h) and, unless
 * FUZZ_NO_MAIN is defined, LLVMFuzzerTestOneInput calling it.  tests/unit/test_fuzz_replay.c
 * includes every target with FUZZ_NO_MAIN and replays the seed corpora and the saved crash
 * regressions through the normal build. */
#ifndef MOVIEREC_FUZZ_UTIL_H
#define MOVIEREC_FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Aborts with a message when cond is false: a property of the engine was broken. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The process's scratch directory (under $MOVIEREC_FUZZ_SCRATCH, else in /dev/shm when there
 * is one: fsync is free there), created on first use and removed at exit, with one
 * subdirectory per target. */
static char fuzz_dir_path[64];

/* Removes the files of dir and dir itself, and one level of subdirectories. */
static inline void fuzz_remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (depth > 0 && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            fuzz_remove_tree(path, depth - 1);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static inline void fuzz_dir_remove(void)
{
    fuzz_remove_tree(fuzz_dir_path, 1);
}

/* The scratch subdirectory sub (created when missing), written into path. */
static inline void fuzz_subdir(const char *sub, char *path, size_t len)
{
    if (!fuzz_dir_path[0]) {
        /* scripts/fuzz.sh names a directory it removes afterwards: libFuzzer may end the
         * process without running atexit handlers. */
        struct stat st;
        const char *base = getenv("MOVIEREC_FUZZ_SCRATCH");
        if (!base || !*base)
            base =
                stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/mr-fuzz-XXXXXX", base);
        if (!mkdtemp(fuzz_dir_path)) {
            perror("mkdtemp");
            abort();
        }
        atexit(fuzz_dir_remove);
    }
    snprintf(path, len, "%s/%s", fuzz_dir_path, sub);
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        perror(path);
        abort();
    }
}

/* Writes data[0..size) to sub/name in the scratch directory; the file's path goes to path. */
static inline void fuzz_write(const char *sub, const char *name, const void *data, size_t size,
                              char *path, size_t len)
{
    char dir[256];
    fuzz_subdir(sub, dir, sizeof dir);
    snprintf(path, len, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        perror(path);
        abort();
    }
    const char *p = data;
    while (size > 0) {
        ssize_t w = write(fd, p, size);
        if (w <= 0) {
            perror(path);
            abort();
        }
        p += w;
        size -= (size_t)w;
    }
    close(fd);
}

/* Writes a NUL-terminated text to sub/name. */
static inline void fuzz_write_text(const char *sub, const char *name, const char *text)
{
    char path[512];
    fuzz_write(sub, name, text, strlen(text), path, sizeof path);
}

/* A report function that only counts (ctx: a long). */
static inline void fuzz_count_report(void *ctx, const char *file, long line, const char *what)
{
    (void)file;
    FUZZ_CHECK(what != NULL && line >= 0);
    ++*(long *)ctx;
}

#endif
