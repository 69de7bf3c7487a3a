/* error.c — filling and formatting struct mr_error. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "movierec/error.h"

int mr_error_set(struct mr_error *err, int status, const char *file, long line, const char *fmt,
                 ...)
{
    if (!err)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return status;
}

void mr_error_clear(struct mr_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

void mr_error_format(const struct mr_error *err, char *buf, size_t len)
{
    if (!len)
        return;
    if (err->file[0] && err->line > 0)
        snprintf(buf, len, "%s:%ld: %s", err->file, err->line, err->msg);
    else if (err->file[0])
        snprintf(buf, len, "%s: %s", err->file, err->msg);
    else
        snprintf(buf, len, "%s", err->msg);
}
