/* args.c — parsing numeric command-line arguments with a usage error on bad input. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_parse_long(const struct cli *cli, const char *what, const char *text, long lo, long hi,
                   long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (!*text || *end || errno || v < lo || v > hi)
        return cli_usage_error(cli, "%s wants a whole number from %ld to %ld, not '%s'", what, lo,
                               hi, text);
    *out = v;
    return CLI_OK;
}

int cli_parse_double(const struct cli *cli, const char *what, const char *text, double lo,
                     double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !isfinite(v) || v < lo || v > hi)
        return cli_usage_error(cli, "%s wants a number from %g to %g, not '%s'", what, lo, hi,
                               text);
    *out = v;
    return CLI_OK;
}

int cli_parse_u64(const struct cli *cli, const char *what, const char *text, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (!*text || *end || errno || text[0] == '-' || text[0] == '+' || text[0] == ' ')
        return cli_usage_error(cli, "%s wants a whole number from 0 to %llu, not '%s'", what,
                               (unsigned long long)UINT64_MAX, text);
    *out = (uint64_t)v;
    return CLI_OK;
}

int cli_bad_option(const struct cli *cli, const char *shortopts, const struct option *longopts,
                   char **argv)
{
    const char *arg = argv[optind - 1];
    if (optopt > 0 && optopt < 256 && optopt != ':' && strchr(shortopts, optopt))
        return cli_usage_error(cli, "-%c needs an argument", optopt);
    for (const struct option *o = longopts; o && o->name; o++)
        if (optopt && o->val == optopt && o->has_arg == required_argument)
            return cli_usage_error(cli, "--%s needs an argument", o->name);
    return cli_usage_error(cli, "unknown option '%s'", arg);
}

char *cli_join_args(int n, char **args)
{
    size_t len = 1;
    for (int i = 0; i < n; i++)
        len += strlen(args[i]) + 1;
    char *s = malloc(len);
    if (!s) {
        cli_warn("out of memory");
        return NULL;
    }
    size_t pos = 0;
    for (int i = 0; i < n; i++) {
        size_t k = strlen(args[i]);
        if (i)
            s[pos++] = ' ';
        memcpy(s + pos, args[i], k);
        pos += k;
    }
    s[pos] = '\0';
    return s;
}
