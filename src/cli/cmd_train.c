/* cmd_train.c — `movierec train [--algo NAME] [-k K] [--epochs E] [--reg R] [--lr L] [--tune]`:
 * fits one model on the data set and writes it to the model cache; with --tune the model's
 * hyper-parameters are first chosen on a validation part of the data (mr_tune_params). */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include "movierec/cache.h"
#include "movierec/eval.h"
#include "movierec/model.h"
#include "movierec/paths.h"
#include "cli.h"

#define DEFAULT_ALGO "hybrid"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fits m and saves it under cache_dir; prints what was done.  Returns a CLI exit code. */
static int fit_and_save(struct cli *cli, struct mr_model *m, const struct mr_dataset *ds,
                        const char *cache_dir)
{
    struct mr_error err;
    mr_error_clear(&err);
    char msg[1200];
    double t0 = now_s();
    int status = mr_model_fit(m, &err);
    double fit_s = now_s() - t0;
    cli_progress_done(cli);
    if (status != MR_OK) {
        mr_error_format(&err, msg, sizeof msg);
        cli_warn("train %s: %s", m->ops->name, msg);
        return status == MR_EUSAGE ? CLI_USAGE : CLI_DATA;
    }
    char path[PATH_MAX];
    if (!mr_cache_path(cache_dir, m->ops->name, ds->fingerprint, path, sizeof path)) {
        cli_warn("the cache directory's path is too long: %s", cache_dir);
        return CLI_DATA;
    }
    if (mr_cache_save(m, path, ds->fingerprint, &err) != MR_OK) {
        mr_error_format(&err, msg, sizeof msg);
        cli_warn("%s", msg);
        return CLI_DATA;
    }
    struct mr_tune_result fitted = {.chosen = ""};
    mr_tune_describe_fitted(m, &fitted);
    if (fitted.chosen[0])
        printf("blend weights of %s, fitted on validation data: %s\n", m->ops->name, fitted.chosen);
    struct stat st;
    double mb = stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0;
    printf("trained %s on %lld ratings in %.2f s; saved %s (%.1f MB)\n", m->ops->name,
           (long long)ds->ratings.n_ratings, fit_s, path, mb);
    return CLI_OK;
}

int cmd_train(struct cli *cli, int argc, char **argv)
{
    enum { OPT_ALGO = 256, OPT_EPOCHS, OPT_REG, OPT_LR, OPT_TUNE };
    static const struct option options[] = {
        {"algo", required_argument, NULL, OPT_ALGO},
        {"epochs", required_argument, NULL, OPT_EPOCHS},
        {"reg", required_argument, NULL, OPT_REG},
        {"lr", required_argument, NULL, OPT_LR},
        {"tune", no_argument, NULL, OPT_TUNE},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *algo = DEFAULT_ALGO;
    long factors = -1, epochs = -1;
    double reg = -1, lr = -1;
    int opt, rc = CLI_OK, tune = 0;
    while (rc == CLI_OK && (opt = getopt_long(argc, argv, "k:h", options, NULL)) != -1) {
        switch (opt) {
        case OPT_ALGO:
            algo = optarg;
            break;
        case 'k':
            rc = cli_parse_long(cli, "-k", optarg, 1, 1024, &factors);
            break;
        case OPT_EPOCHS:
            rc = cli_parse_long(cli, "--epochs", optarg, 1, 10000, &epochs);
            break;
        case OPT_REG:
            rc = cli_parse_double(cli, "--reg", optarg, 0, 1e6, &reg);
            break;
        case OPT_LR:
            rc = cli_parse_double(cli, "--lr", optarg, 1e-9, 10, &lr);
            break;
        case OPT_TUNE:
            tune = 1;
            break;
        case 'h':
            return cli_command_help(cli);
        default:
            return cli_bad_option(cli, "k:h", options, argv);
        }
    }
    if (rc != CLI_OK)
        return rc;
    if (optind < argc)
        return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
    if (!mr_model_ops_find(algo))
        return cli_usage_error(cli, "unknown model '%s' (see 'movierec eval --algo all')", algo);
    if (tune && (factors > 0 || epochs > 0 || reg >= 0 || lr > 0))
        return cli_usage_error(cli, "--tune chooses the parameters: give either --tune or -k, "
                                    "--epochs, --reg, --lr");
    struct mr_params params;
    mr_params_default(algo, &params);
    if (factors > 0)
        params.factors = (int)factors;
    if (epochs > 0)
        params.epochs = (int)epochs;
    if (reg >= 0)
        params.reg = reg;
    if (lr > 0)
        params.lr = lr;

    char cache[PATH_MAX];
    if (!mr_path_cache(cache, sizeof cache)) {
        cli_warn("cannot work out the cache directory: set XDG_CACHE_HOME or HOME");
        return CLI_DATA;
    }
    struct mr_dataset ds;
    rc = cli_load(cli, 0, &ds, NULL);
    if (rc != CLI_OK)
        return rc;
    if (tune) {
        /* Ranked lists are what the product shows: chosen by NDCG@10 on a holdout part. */
        struct mr_tune_result choice;
        struct mr_error err;
        mr_error_clear(&err);
        int status = mr_tune_params(&ds.catalog, &ds.ratings, algo, MR_EVAL_TOPN, params.seed, 0,
                                    &choice, &err);
        if (status != MR_OK) {
            char msg[1200];
            mr_error_format(&err, msg, sizeof msg);
            cli_warn("train %s: tuning: %s", algo, msg);
            mr_dataset_free(&ds);
            return status == MR_EUSAGE ? CLI_USAGE : CLI_DATA;
        }
        params = choice.params;
        if (isnan(choice.metric))
            printf("tuned %s: %s\n", algo, choice.chosen);
        else
            printf("tuned %s: %s (validation %s %.4f, best of %d settings)\n", algo, choice.chosen,
                   choice.metric_name, choice.metric, choice.n_tried);
    }
    struct mr_model *m = mr_model_new(algo, &params, &ds.catalog, &ds.ratings);
    if (!m) {
        cli_warn("out of memory");
        rc = CLI_DATA;
    } else {
        m->progress = cli_progress;
        m->progress_ctx = cli;
        rc = fit_and_save(cli, m, &ds, cache);
    }
    mr_model_free(m);
    mr_dataset_free(&ds);
    return rc;
}
