/* file_image.h — a whole file in memory, mapped read-only when it can be, and the directory
 * steps of a crash-safe write (private to the cache and snapshot code).
 *
 * The data starts on a page boundary when mapped (malloc's alignment otherwise), so that
 * offsets aligned in the file are aligned in memory. */
#ifndef MOVIEREC_FILE_IMAGE_H
#define MOVIEREC_FILE_IMAGE_H

#include <stddef.h>
#include "movierec/error.h"

struct mr_file_image {
    const unsigned char *data;
    size_t size;
    int mapped; /* 1: munmap'd on close; 0: malloc'd copy */
};

/* Maps path (or reads it whole when it cannot be mapped).  Only a regular file is accepted,
 * opened without blocking (a FIFO is refused, not waited on).  what names the file in
 * messages ("cache", "snapshot").  Returns MR_OK; MR_ENOTFOUND when there is no file;
 * MR_EIO (not regular, unreadable); MR_ENOMEM.  img is zeroed on failure. */
int mr_file_image_open(const char *path, const char *what, struct mr_file_image *img,
                       struct mr_error *err);

/* Unmaps or frees the image and zeroes it (a zeroed image is fine). */
void mr_file_image_close(struct mr_file_image *img);

/* mr_file_image_close() and free() of a malloc'd image: a release function for an image
 * handed over as a backing (mr_model.backing, mr_dataset.snapshot). */
void mr_file_image_release(void *img);

/* fsyncs the directory part of path (best effort), so that a rename into it is durable. */
void mr_file_sync_parent(const char *path);

/* Creates the directory part of path when missing.  Returns 0, or -1 (errno set). */
int mr_file_make_parent(const char *path);

#endif
