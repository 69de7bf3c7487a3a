/* cmd_eval.c — `movierec eval [--split SPEC] [--algo LIST] [--seed S] [--tune] [--tsv]`: models
 * measured on the protocols of EVAL_PROTOCOL.md, one row per model; with --tune each model's
 * hyper-parameters are chosen per fold on validation data carved from that fold's training
 * part, and the choices are printed after the table. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "movierec/eval.h"
#include "movierec/model.h"
#include "cli.h"
#include "table.h"

#define DEFAULT_SPLIT "holdout:0.2"
#define DEFAULT_SEED  42
#define MAX_ALGOS     32

static const struct table_column rating_columns[] = {
    {"algo", TABLE_LEFT, 0, 0},   {"rmse", TABLE_RIGHT, 0, 0},   {"mae", TABLE_RIGHT, 0, 0},
    {"fit_s", TABLE_RIGHT, 0, 0}, {"test_s", TABLE_RIGHT, 0, 0},
};

static const struct table_column topn_columns[] = {
    {"algo", TABLE_LEFT, 0, 0},    {"p@5", TABLE_RIGHT, 0, 0},     {"p@10", TABLE_RIGHT, 0, 0},
    {"r@10", TABLE_RIGHT, 0, 0},   {"ndcg@10", TABLE_RIGHT, 0, 0}, {"hr@10", TABLE_RIGHT, 0, 0},
    {"cov@10", TABLE_RIGHT, 0, 0}, {"fit_s", TABLE_RIGHT, 0, 0},   {"rank_s", TABLE_RIGHT, 0, 0},
};

/* Splits the comma-separated list (or "all") into model names; returns how many, or -1 after
 * a usage error (unknown model, too many). */
static int parse_algos(const struct cli *cli, char *list, const char **names)
{
    int n = 0;
    if (strcmp(list, "all") == 0) {
        for (const struct mr_model_ops *const *ops = mr_model_ops_all(); *ops && n < MAX_ALGOS;
             ops++)
            names[n++] = (*ops)->name;
        return n;
    }
    for (char *save = NULL, *name = strtok_r(list, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (!mr_model_ops_find(name)) {
            char known[512] = "";
            for (const struct mr_model_ops *const *ops = mr_model_ops_all(); *ops; ops++) {
                size_t pos = strlen(known);
                snprintf(known + pos, sizeof known - pos, "%s%s", pos ? ", " : "", (*ops)->name);
            }
            cli_usage_error(cli, "unknown model '%s' (models: %s, or all)", name, known);
            return -1;
        }
        if (n == MAX_ALGOS) {
            cli_usage_error(cli, "too many models");
            return -1;
        }
        names[n++] = name;
    }
    if (n == 0)
        cli_usage_error(cli, "--algo wants a model name, a comma-separated list, or all");
    return n ? n : -1;
}

/* A figure with `decimals` decimals; NaN (not measured) is "" in TSV and "-" in a table. */
static void figure(char *buf, size_t len, double v, int decimals, int tsv)
{
    if (isnan(v))
        snprintf(buf, len, "%s", tsv ? "" : "-");
    else
        snprintf(buf, len, "%.*f", decimals, v);
}

/* Adds the result row of one model to t. */
static int add_row(struct table *t, const char *algo, const struct mr_eval_result *r, int tsv)
{
    char cells[9][32];
    const char *row[9];
    int n = 0;
    row[n++] = algo;
    if (r->kind == MR_EVAL_RATING) {
        double v[] = {r->rmse, r->mae};
        for (int i = 0; i < 2; i++, n++)
            figure(cells[n], sizeof cells[n], v[i], 4, tsv);
        figure(cells[n], sizeof cells[n], r->fit_s, 3, tsv);
        n++;
        figure(cells[n], sizeof cells[n], r->test_s, 3, tsv);
        n++;
    } else {
        double v[] = {r->p5, r->p10, r->r10, r->ndcg10, r->hr10, r->cov10};
        for (int i = 0; i < 6; i++, n++)
            figure(cells[n], sizeof cells[n], v[i], 4, tsv);
        figure(cells[n], sizeof cells[n], r->fit_s, 3, tsv);
        n++;
        figure(cells[n], sizeof cells[n], r->rank_s, 3, tsv);
        n++;
    }
    for (int i = 1; i < n; i++)
        row[i] = cells[i];
    return table_add(t, row);
}

/* What --tune chose, one line per model and fold, printed after the table. */
struct tuned_lines {
    char *text;
    size_t len, cap;
    int n_folds, tsv, failed;
};

/* Appends one fold's choice: "# tuned als fold=1 factors=64 reg=0.12 validation_rmse=0.8712"
 * in TSV (without the validation field when the model has no such figure), an aligned
 * readable line otherwise. */
static void on_tuned(void *ctx, int fold, const struct mr_tune_result *c)
{
    struct tuned_lines *tl = ctx;
    char line[1024], value[32];
    if (isnan(c->metric))
        snprintf(value, sizeof value, "%s", tl->tsv ? "" : "-");
    else
        snprintf(value, sizeof value, "%.4f", c->metric);
    if (tl->tsv && isnan(c->metric)) /* a model that cannot be scored by this metric */
        snprintf(line, sizeof line, "# tuned %s fold=%d %s\n", c->algo, fold + 1, c->chosen);
    else if (tl->tsv)
        snprintf(line, sizeof line, "# tuned %s fold=%d %s validation_%s=%s\n", c->algo, fold + 1,
                 c->chosen, c->metric_name, value);
    else
        snprintf(line, sizeof line, "  %-9s fold %d/%d: %s (validation %s %s%s)\n", c->algo,
                 fold + 1, tl->n_folds, c->chosen, c->metric_name, value,
                 c->n_tried > 1 ? ", best of a grid" : "");
    size_t n = strlen(line);
    if (tl->len + n + 1 > tl->cap) {
        size_t cap = (tl->cap + n + 1) * 2;
        char *text = realloc(tl->text, cap);
        if (!text) {
            tl->failed = 1;
            return;
        }
        tl->text = text;
        tl->cap = cap;
    }
    memcpy(tl->text + tl->len, line, n + 1);
    tl->len += n;
}

/* Evaluates every model into one table; returns a CLI exit code. */
static int evaluate(struct cli *cli, const struct mr_dataset *ds, const char *split, uint64_t seed,
                    const char **names, int n, int tsv, int tune)
{
    struct table *t = NULL;
    struct mr_split_spec spec;
    struct mr_error perr;
    struct tuned_lines tl = {
        .tsv = tsv,
        .n_folds = mr_split_parse(split, &spec, &perr) == MR_OK ? mr_split_n_folds(&spec) : 1};
    struct mr_eval_opts opts = {.progress = cli_progress,
                                .progress_ctx = cli,
                                .tune = tune,
                                .tuned = on_tuned,
                                .tuned_ctx = &tl};
    int rc = CLI_OK;
    for (int i = 0; i < n && rc == CLI_OK; i++) {
        struct mr_eval_result r;
        struct mr_error err;
        mr_error_clear(&err);
        int status = mr_eval_run_opts(ds, split, seed, names[i], NULL, &opts, &r, &err);
        cli_progress_done(cli);
        if (status != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            if (status == MR_EUSAGE) {
                rc = cli_usage_error(cli, "%s", msg);
            } else {
                cli_warn("eval %s: %s", names[i], msg);
                rc = CLI_DATA;
            }
            break;
        }
        if (!t)
            t = r.kind == MR_EVAL_RATING ? table_new(rating_columns, 5)
                                         : table_new(topn_columns, 9);
        if (!t || add_row(t, names[i], &r, tsv) != 0) {
            cli_warn("out of memory");
            rc = CLI_DATA;
        }
    }
    /* What was measured is printed even when a later model failed. */
    if (t && table_rows(t) > 0 &&
        table_print(t, stdout, tsv, output_width(stdout), cli->style) != 0)
        rc = CLI_DATA;
    if (tl.len > 0) {
        if (!tsv)
            printf("\ntuned on a validation part of each fold's training data:\n");
        fputs(tl.text, stdout);
    }
    if (tl.failed)
        cli_warn("out of memory: some tuning choices are not shown");
    free(tl.text);
    table_free(t);
    return rc;
}

int cmd_eval(struct cli *cli, int argc, char **argv)
{
    enum { OPT_SPLIT = 256, OPT_ALGO, OPT_SEED, OPT_TSV, OPT_TUNE };
    static const struct option options[] = {
        {"split", required_argument, NULL, OPT_SPLIT},
        {"algo", required_argument, NULL, OPT_ALGO},
        {"seed", required_argument, NULL, OPT_SEED},
        {"tsv", no_argument, NULL, OPT_TSV},
        {"tune", no_argument, NULL, OPT_TUNE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *split = DEFAULT_SPLIT;
    char *algos = NULL;
    uint64_t seed = DEFAULT_SEED;
    int tsv = 0, tune = 0, opt;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_SPLIT:
            split = optarg;
            break;
        case OPT_ALGO:
            algos = optarg;
            break;
        case OPT_SEED:
            if (cli_parse_u64(cli, "--seed", optarg, &seed) != CLI_OK)
                return CLI_USAGE;
            break;
        case OPT_TSV:
            tsv = 1;
            break;
        case OPT_TUNE:
            tune = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "h", options, argv);
        }
    }
    if (optind < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    struct mr_split_spec spec;
    struct mr_error err;
    if (mr_split_parse(split, &spec, &err) != MR_OK)
        return cli_usage_error(cli, "%s", err.msg);
    char all[] = "all";
    const char *names[MAX_ALGOS];
    int n = parse_algos(cli, algos ? algos : all, names);
    if (n < 0)
        return CLI_USAGE;

    struct mr_dataset ds;
    int rc = cli_load(cli, 0, &ds, NULL);
    if (rc != CLI_OK)
        return rc;
    rc = evaluate(cli, &ds, split, seed, names, n, tsv, tune);
    mr_dataset_free(&ds);
    return rc;
}
