/* file_image.c — a whole file mapped read-only, or read into memory; the directory steps of
 * a crash-safe write (see file_image.h). */
#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "movierec/paths.h"
#include "file_image.h"

int mr_file_image_open(const char *path, const char *what, struct mr_file_image *img,
                       struct mr_error *err)
{
    memset(img, 0, sizeof *img);
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return mr_error_set(err, MR_ENOTFOUND, path, 0, "no %s file", what);
        return mr_error_set(err, MR_EIO, path, 0, "cannot open the %s: %s", what, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return mr_error_set(err, MR_EIO, path, 0, "the %s is not a regular file", what);
    }
    size_t size = (size_t)st.st_size;
    if (size > 0) {
        /* Populated up front: every byte is read by the checksum right after. */
        void *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
        if (p != MAP_FAILED) {
            img->data = p;
            img->size = size;
            img->mapped = 1;
            close(fd);
            return MR_OK;
        }
    }
    unsigned char *buf = malloc(size ? size : 1);
    if (!buf) {
        close(fd);
        return mr_error_set(err, MR_ENOMEM, path, 0, "out of memory");
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    img->data = buf;
    img->size = got; /* a short read is a truncated file: the checks that follow say so */
    return MR_OK;
}

void mr_file_image_close(struct mr_file_image *img)
{
    if (img->mapped)
        munmap((void *)img->data, img->size);
    else
        free((void *)img->data);
    memset(img, 0, sizeof *img);
}

void mr_file_image_release(void *img)
{
    if (!img)
        return;
    mr_file_image_close(img);
    free(img);
}

void mr_file_sync_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int mr_file_make_parent(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return mr_mkdirs(dir);
}
