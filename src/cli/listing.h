/* listing.h — the command line of the commands that list films or profiles (search, info,
 * similar, profiles, ratings): --tsv and --help always, -n N, --algo NAME and --explain where
 * the command takes them, then either the words of one operand or nothing; and printing the
 * listing on stdout. */
#ifndef MOVIEREC_CLI_LISTING_H
#define MOVIEREC_CLI_LISTING_H

#include "cli.h"
#include "table.h"

/* Options a command takes besides --tsv and --help. */
enum listing_accept {
    LISTING_N = 1,       /* -n N, 1..n_max */
    LISTING_ALGO = 2,    /* --algo NAME, a known model */
    LISTING_EXPLAIN = 4, /* --explain */
};

/* What listing_parse() returns when the command should go on. */
#define LISTING_GO_ON (-1)

struct listing {
    /* Set by the command before listing_parse(): */
    unsigned accept;     /* enum listing_accept bits */
    long n_max;          /* with LISTING_N: the largest -n */
    const char *missing; /* usage error when the operand is missing ("what to search for?
                          * (search QUERY)"); NULL: the command takes no operand */
    long n;              /* the default -n */
    /* Set by listing_parse(): */
    int tsv, explain;
    const char *algo; /* NULL: the default model */
    char *words;      /* the operand's words joined by spaces (the caller frees it); NULL
                       * when the command takes no operand */
};

/* Parses a listing command's arguments (argv[0] is the command name) into ls.  Returns
 * LISTING_GO_ON when the command should go on; else the exit code to return at once: CLI_OK
 * after --help printed the help, CLI_USAGE after a usage error was said on stderr (unknown
 * option, bad -n, missing or unexpected operand, unknown model), CLI_DATA when out of memory.
 * ls->words is NULL on every path but LISTING_GO_ON. */
int listing_parse(struct cli *cli, int argc, char **argv, struct listing *ls);

/* Prints t on stdout: TSV when tsv, else a table as wide as the output, with the header
 * emphasised when cli->style.  Returns CLI_OK, or CLI_DATA when writing failed. */
int listing_print(const struct cli *cli, const struct table *t, int tsv);

#endif
