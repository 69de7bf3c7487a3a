/* cli.h — what the CLI's commands share: the global options, the command table, loading the
 * data set with bad-line reports, resolving a MOVIE argument, and argument helpers.
 *
 * Exit codes (also the return values of the command functions): */
#ifndef MOVIEREC_CLI_H
#define MOVIEREC_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "movierec/dataset.h"
#include "movierec/search.h"
#include "movierec/session.h"

enum cli_exit {
    CLI_OK = 0,
    CLI_NOT_FOUND = 1, /* nothing found, or an ambiguous MOVIE */
    CLI_USAGE = 2,     /* bad command line */
    CLI_DATA = 3,      /* missing, unreadable or unusable data (also write failures) */
};

struct cli_command;

/* The global options and what the commands need to know about the output. */
struct cli {
    const char *data_arg;              /* --data DIR as given, or NULL */
    const char *profile;               /* --profile NAME, or NULL (the default profile) */
    const struct cli_command *command; /* the command running */
    int stdout_tty;                    /* stdout is a terminal */
    int stderr_tty;                    /* stderr is a terminal: progress lines */
    int style;                         /* emphasise table headers (terminal, no NO_COLOR) */
    int progress_pct;                  /* percentage on the progress line, -1 when none drawn */
    char progress_stage[80];           /* stage on the progress line */
};

struct cli_command {
    const char *name;
    int (*run)(struct cli *cli, int argc, char **argv); /* argv[0] is the command name */
    const char *args;                                   /* synopsis after the name */
    const char *help;                                   /* one line */
};

/* The command table, NULL-name terminated, in the order --help lists it (main.c). */
extern const struct cli_command cli_commands[];

/* Prints "movierec: " + the formatted message on stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "movierec COMMAND: message" and the hint to try --help on stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints the command's usage line and help on stdout; returns CLI_OK. */
int cli_command_help(const struct cli *cli);

/* Parses a whole decimal integer in [lo, hi] into *out; on failure prints a usage error naming
 * what (e.g. "-n") and returns CLI_USAGE, else CLI_OK. */
int cli_parse_long(const struct cli *cli, const char *what, const char *text, long lo, long hi,
                   long *out);

/* The same for a number in [lo, hi]. */
int cli_parse_double(const struct cli *cli, const char *what, const char *text, double lo,
                     double hi, double *out);

/* The same for an unsigned 64-bit number (seeds). */
int cli_parse_u64(const struct cli *cli, const char *what, const char *text, uint64_t *out);

/* The words args[0..n) joined by single spaces, newly allocated ("toy story" from two
 * arguments).  NULL when out of memory (said on stderr). */
char *cli_join_args(int n, char **args);

struct option;

/* After getopt_long() returned '?': a usage error saying which option is unknown or lacks its
 * argument.  Returns CLI_USAGE. */
int cli_bad_option(const struct cli *cli, const char *shortopts, const struct option *longopts,
                   char **argv);

/* Resolves the data directory (--data, $MOVIEREC_DATA, the fetched data) into buf. Returns
 * CLI_OK, or CLI_DATA after saying why on stderr. */
int cli_data_dir(const struct cli *cli, char *buf, size_t len);

/* Reports one bad data line on stderr as FILE:LINE: what (the first few; the rest are counted).
 * ctx is a struct cli_report. */
struct cli_report {
    long shown;
    long limit;
};
void cli_report_line(void *ctx, const char *file, long line, const char *what);

/* Progress on stderr when it is a terminal (ctx: struct cli *). */
void cli_progress(void *ctx, const char *stage, double fraction);

/* Ends a progress line (clears it) if one was drawn. */
void cli_progress_done(struct cli *cli);

/* Loads the data set through the data snapshot in the cache directory (mr_dataset_open: the
 * data files are parsed only when there is no valid snapshot; catalog only when catalog_only
 * and there is none), reporting bad lines and a summary of skipped lines on stderr (the same
 * from a snapshot as from the files).  search (may be NULL) receives the title index, to be
 * freed with mr_search_free() before ds.  Returns CLI_OK, or CLI_DATA after printing the error
 * (which names the directory). */
int cli_load(struct cli *cli, int catalog_only, struct mr_dataset *ds,
             struct mr_search_index **search);

struct mr_profile;

/* Opens and locks the profile named by --profile (default "default"), reporting damaged lines;
 * a missing profile is created when create is 1.  Returns CLI_OK; CLI_NOT_FOUND (said on
 * stderr) when it does not exist and create is 0; CLI_DATA after printing why it cannot be
 * opened (e.g. in use by another movierec). */
int cli_open_profile(struct cli *cli, int create, struct mr_profile *p);

/* Opens and prepares a session for the profile named profile, or, when user_id > 0, for that
 * user of the data set, or for nobody (profile NULL); algo NULL is the default model.  Models come
 * from the cache or are trained (progress on a terminal).  Returns CLI_OK with *out set, or an exit
 * code after printing why (nothing to close then). */
int cli_session(struct cli *cli, const char *profile, int32_t user_id, const char *algo,
                struct mr_session **out);

/* Resolves a MOVIE argument (a movieId or a title) in ds through ix.  On no match or an
 * ambiguous title, says so on stderr (listing the candidates) and returns CLI_NOT_FOUND;
 * else CLI_OK with *item set. */
int cli_resolve_movie(const struct mr_dataset *ds, const struct mr_search_index *ix,
                      const char *arg, int32_t *item);

/* The commands (one file each: cmd_NAME.c). */
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_gen(struct cli *cli, int argc, char **argv);
int cmd_eval(struct cli *cli, int argc, char **argv);
int cmd_profiles(struct cli *cli, int argc, char **argv);
int cmd_train(struct cli *cli, int argc, char **argv);
int cmd_rate(struct cli *cli, int argc, char **argv);
int cmd_unrate(struct cli *cli, int argc, char **argv);
int cmd_ratings(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_recommend(struct cli *cli, int argc, char **argv);
int cmd_similar(struct cli *cli, int argc, char **argv);

#endif
