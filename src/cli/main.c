/* main.c — `movierec [GLOBAL OPTIONS] COMMAND [ARGS]`: global options, the command table
 * (which also generates --help), and the full-screen interface when there is no command. */
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "movierec/paths.h"
#include "../tui/tui.h"
#include "cli.h"

/* The TUI is linked in when src/tui/ provides it; a weak reference keeps the CLI buildable
 * without it. */
extern int tui_main(const struct mr_session_opts *opts) __attribute__((weak));

const struct cli_command cli_commands[] = {
    {"search", cmd_search, "QUERY [-n N] [--tsv]",
     "find films by title (typos, accents and articles are forgiven)"},
    {"info", cmd_info, "MOVIE [--tsv]",
     "everything about one film: genres, ratings by star, tags, links"},
    {"recommend", cmd_recommend,
     "[--user ID | --profile NAME] [-n N] [--algo NAME] [--explain] [--tsv]",
     "the best films you have not rated, each with its score (and reason)"},
    {"similar", cmd_similar, "MOVIE [-n N] [--algo NAME] [--explain] [--tsv]",
     "the films most similar to one film"},
    {"rate", cmd_rate, "MOVIE RATING",
     "rate a film 0.5 to 5 stars in your profile (saved at once)"},
    {"unrate", cmd_unrate, "MOVIE", "remove your rating of a film"},
    {"ratings", cmd_ratings, "[--tsv]", "your ratings, newest first"},
    {"import", cmd_import, "FILE [--user ID] [--dry-run]",
     "add ratings exported from MovieLens, IMDb or Letterboxd to your profile"},
    {"export", cmd_export, "[FILE] [--user ID]",
     "your ratings as a MovieLens ratings.csv (standard output without FILE)"},
    {"train", cmd_train, "[--algo NAME] [-k K] [--epochs E] [--reg R] [--lr L]",
     "fit a model (default hybrid) and store it in the model cache"},
    {"eval", cmd_eval, "[--split SPEC] [--algo LIST] [--seed S] [--tsv]",
     "measure models on held-out ratings (ml100k, kfold:K, holdout:F, users:F)"},
    {"profiles", cmd_profiles, "[--tsv]",
     "the profiles kept under $MOVIEREC_HOME, with their ratings"},
    {"gen", cmd_gen, "[--catalog FILE] --users U --ratings N [--seed S] --out DIR [--force]",
     "write a synthetic data set in ml-latest layout (for scale tests)"},
    {NULL, NULL, NULL, NULL},
};

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("movierec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (cli && cli->command)
        fprintf(stderr, "movierec %s: ", cli->command->name);
    else
        fputs("movierec: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    fputs("try 'movierec --help'\n", stderr);
    return CLI_USAGE;
}

int cli_command_help(const struct cli *cli)
{
    printf("usage: movierec [GLOBAL OPTIONS] %s %s\n%s\n", cli->command->name, cli->command->args,
           cli->command->help);
    return CLI_OK;
}

static void print_help(FILE *out)
{
    fputs("usage: movierec [GLOBAL OPTIONS] [COMMAND [ARGS]]\n"
          "\n"
          "A terminal movie recommender over the MovieLens data sets.  With no command, on a\n"
          "terminal, the full-screen interface starts.  MOVIE is a movieId or a title.\n"
          "\n"
          "Commands:\n",
          out);
    for (const struct cli_command *c = cli_commands; c->name; c++)
        fprintf(out, "  %s %s\n      %s\n", c->name, c->args, c->help);
    fputs("\n"
          "Global options:\n"
          "  --data DIR       the MovieLens data set (default: $MOVIEREC_DATA, else the data\n"
          "                   'make data' fetched)\n"
          "  --profile NAME   whose ratings to use (default: \"default\")\n"
          "  -h, --help       this help; 'movierec COMMAND --help' for one command\n"
          "  --version        the version\n"
          "\n"
          "Listing commands print an aligned table on a terminal and, with --tsv, a header line\n"
          "and tab-separated rows.\n"
          "Exit status: 0 success, 1 nothing found, 2 usage error, 3 data error.\n"
          "See movierec(1) for the keys of the full-screen interface and the files used.\n",
          out);
}

static const struct cli_command *find_command(const char *name)
{
    for (const struct cli_command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

/* Wide-character widths need a UTF-8 LC_CTYPE; numbers keep the "C" decimal point. */
static void set_locale(void)
{
    if (!setlocale(LC_CTYPE, "") || MB_CUR_MAX == 1)
        setlocale(LC_CTYPE, "C.UTF-8");
}

/* No command: the full-screen interface on a terminal, else usage. */
static int run_tui(struct cli *cli)
{
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        print_help(stderr);
        return CLI_USAGE;
    }
    if (!tui_main) {
        cli_warn("this build has no full-screen interface; use a command");
        return cli_usage_error(NULL, "no command given");
    }
    char data[PATH_MAX], profile[PATH_MAX], cache[PATH_MAX];
    int rc = cli_data_dir(cli, data, sizeof data);
    if (rc != CLI_OK)
        return rc;
    if (!mr_path_profile(cli->profile, profile, sizeof profile))
        return cli_usage_error(NULL, "bad profile name '%s'", cli->profile);
    struct mr_session_opts opts = {
        .data_dir = data,
        .profile_path = profile,
        .cache_dir = mr_path_cache(cache, sizeof cache),
    };
    return tui_main(&opts);
}

int main(int argc, char **argv)
{
    enum { OPT_DATA = 256, OPT_PROFILE, OPT_VERSION };
    static const struct option options[] = {
        {"data", required_argument, NULL, OPT_DATA},
        {"profile", required_argument, NULL, OPT_PROFILE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0},
    };
    set_locale();
    struct cli cli = {
        .stdout_tty = isatty(STDOUT_FILENO),
        .stderr_tty = isatty(STDERR_FILENO),
        .progress_pct = -1,
    };
    const char *term = getenv("TERM");
    cli.style = cli.stdout_tty && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0);

    opterr = 0;
    int opt;
    /* '+': stop at the command; its own options are parsed by the command. */
    while ((opt = getopt_long(argc, argv, "+h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_DATA:
            cli.data_arg = optarg;
            break;
        case OPT_PROFILE:
            if (!mr_profile_name_ok(optarg))
                return cli_usage_error(NULL,
                                       "bad profile name '%s' (1-64 of A-Z a-z 0-9 _ . -, "
                                       "not starting with '.')",
                                       optarg);
            cli.profile = optarg;
            break;
        case 'h':
            print_help(stdout);
            return CLI_OK;
        case OPT_VERSION:
            printf("movierec %s\n", MOVIEREC_VERSION);
            return CLI_OK;
        default:
            if (optopt == OPT_DATA || optopt == OPT_PROFILE)
                return cli_usage_error(NULL, "%s needs an argument", argv[optind - 1]);
            return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return run_tui(&cli);

    int first = optind;
    cli.command = find_command(argv[first]);
    if (!cli.command)
        return cli_usage_error(NULL, "unknown command '%s'", argv[first]);
    optind = 0; /* the command parses its own arguments from scratch */
    return cli.command->run(&cli, argc - first, argv + first);
}
