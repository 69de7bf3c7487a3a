/* test_profile.c — the profile journal: round trip, removal, bad lines and backups, the
 * lock, compaction, failed writes.
 *
 * Besides the cmocka tests, two helper modes serve tests/e2e/test_profile_kill.sh:
 *   test_profile --stress PATH   rates movies 1..50 in a loop, printing "try M H" before and
 *                                "ack M H" after each mr_profile_set() returned MR_OK
 *   test_profile --dump PATH     prints "M H" per rated movie; exits 3 when any line was bad */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "movierec/profile.h"

struct reports {
    int n;
    long lines[16];
    char what[16][256];
};

static void collect(void *ctx, const char *file, long line, const char *what)
{
    (void)file;
    struct reports *r = ctx;
    if (r->n < 16) {
        r->lines[r->n] = line;
        snprintf(r->what[r->n], sizeof r->what[r->n], "%s", what);
    }
    r->n++;
}

/* Number of reports about a numbered line (line 0 is the summary about the backup). */
static int line_reports(const struct reports *r)
{
    int n = 0;
    for (int i = 0; i < r->n && i < 16; i++)
        n += r->lines[i] > 0;
    return n;
}

struct fixture {
    char dir[64];
    char path[128];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/mr-profile-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/sub/me.csv", f->dir);
    *state = f;
    return 0;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char path[512];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(path);
        else
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    remove_tree(f->dir);
    free(f);
    return 0;
}

static void write_file(const char *path, const char *text)
{
    char dir[256];
    snprintf(dir, sizeof dir, "%s", path);
    *strrchr(dir, '/') = '\0';
    mkdir(dir, 0700);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Reads a whole small file into a static buffer. */
static const char *slurp(const char *path)
{
    static char buf[65536];
    FILE *fp = fopen(path, "r");
    if (!fp)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(p.n, 0);
    assert_int_equal(mr_profile_set(&p, 318, 10, 1000, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 1, 7, 1001, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 2571, 1, 1002, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 1, 8, 1003, &err), MR_OK); /* a change */
    mr_profile_close(&p);

    const char *text = slurp(f->path);
    assert_non_null(text);
    assert_true(strncmp(text, "userId,movieId,rating,timestamp\n", 32) == 0);
    assert_non_null(strstr(text, "0,318,5.0,1000\n"));
    assert_non_null(strstr(text, "0,2571,0.5,1002\n"));

    struct reports rep = {0};
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(p.n, 3);
    /* In the order first rated; the change kept movie 1 in place with its new value. */
    assert_int_equal(p.ratings[0].movie_id, 318);
    assert_int_equal(p.ratings[1].movie_id, 1);
    assert_int_equal(p.ratings[2].movie_id, 2571);
    assert_int_equal(mr_profile_get(&p, 318), 10);
    assert_int_equal(mr_profile_get(&p, 1), 8);
    assert_int_equal(p.ratings[1].timestamp, 1003);
    assert_int_equal(mr_profile_get(&p, 2571), 1);
    assert_int_equal(mr_profile_get(&p, 5), 0);
    mr_profile_close(&p);
}

static void test_removal(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 10, 6, 1, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 20, 4, 2, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 10, 0, 3, &err), MR_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(mr_profile_get(&p, 10), 0);
    /* Removing what is not rated changes nothing and writes nothing. */
    long lines = p.journal_lines;
    assert_int_equal(mr_profile_set(&p, 99, 0, 4, &err), MR_OK);
    assert_int_equal(p.journal_lines, lines);
    mr_profile_close(&p);
    assert_non_null(strstr(slurp(f->path), "0,10,0.0,3\n"));

    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(p.n, 1);
    assert_int_equal(mr_profile_get(&p, 10), 0);
    assert_int_equal(mr_profile_get(&p, 20), 4);
    /* Re-rating a removed film puts it back, at the end. */
    assert_int_equal(mr_profile_set(&p, 10, 9, 5, &err), MR_OK);
    assert_int_equal(p.ratings[1].movie_id, 10);
    mr_profile_close(&p);
}

static void test_torn_last_line(void **state)
{
    struct fixture *f = *state;
    /* The last append was cut short: "4" of "4.5" must not be taken for a 4. */
    const char *orig = "userId,movieId,rating,timestamp\n0,1,3.0,100\n0,2,5.0,101\n0,3,4";
    write_file(f->path, orig);
    struct reports rep = {0};
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(line_reports(&rep), 1);
    assert_int_equal(rep.lines[0], 4);
    assert_non_null(strstr(rep.what[0], "incomplete"));
    assert_int_equal(p.n, 2);
    assert_int_equal(mr_profile_get(&p, 3), 0);
    /* The next append must land on a line of its own, not extend the torn one. */
    assert_int_equal(mr_profile_set(&p, 4, 2, 102, &err), MR_OK);
    mr_profile_close(&p);

    char bak[160];
    snprintf(bak, sizeof bak, "%s.bak", f->path);
    assert_string_equal(slurp(bak), orig);

    memset(&rep, 0, sizeof rep);
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(p.n, 3);
    assert_int_equal(mr_profile_get(&p, 1), 6);
    assert_int_equal(mr_profile_get(&p, 2), 10);
    assert_int_equal(mr_profile_get(&p, 4), 2);
    mr_profile_close(&p);
}

static void test_garbage_lines(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "userId,movieId,rating,timestamp\n"
                        "0,1,3.0,100\n"          /* 2: good */
                        "hello world\n"          /* 3: one field */
                        "0,abc,4.0,101\n"        /* 4: movieId */
                        "0,7,4.0,123,newfield\n" /* 5: a newer version's line */
                        "0,8,7.0,102\n"          /* 6: rating out of range */
                        "0,9,3.3,103\n"          /* 7: not a half star */
                        "0,10,\"4.0,104\n"       /* 8: unterminated quote */
                        "\n"                     /* 9: blank, harmless */
                        "0,11,2.5,105\r\n"       /* 10: good, CRLF */
                        "0,1,4.5,106\n");        /* 11: good, supersedes line 2 */
    struct reports rep = {0};
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(line_reports(&rep), 6);
    long want[] = {3, 4, 5, 6, 7, 8};
    for (int i = 0; i < 6; i++)
        assert_int_equal(rep.lines[i], want[i]);
    assert_non_null(strstr(rep.what[2], "4 fields"));
    /* The summary names the backup. */
    assert_int_equal(rep.lines[6], 0);
    assert_non_null(strstr(rep.what[6], ".bak"));
    assert_int_equal(p.n, 2);
    assert_int_equal(mr_profile_get(&p, 1), 9);
    assert_int_equal(mr_profile_get(&p, 11), 5);
    assert_int_equal(mr_profile_get(&p, 7), 0);
    mr_profile_close(&p);

    /* Rewritten clean: no more reports. */
    memset(&rep, 0, sizeof rep);
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(p.n, 2);
    mr_profile_close(&p);
}

static void test_backup_never_overwritten(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    char bak[160], bak2[160];
    snprintf(bak, sizeof bak, "%s.bak", f->path);
    snprintf(bak2, sizeof bak2, "%s.bak.2", f->path);

    write_file(f->path, "userId,movieId,rating,timestamp\nfirst bad\n0,1,1.0,1\n");
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    mr_profile_close(&p);
    assert_string_equal(slurp(bak), "userId,movieId,rating,timestamp\nfirst bad\n0,1,1.0,1\n");
    assert_null(slurp(bak2));

    write_file(f->path, "userId,movieId,rating,timestamp\nsecond bad\n");
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    mr_profile_close(&p);
    assert_non_null(strstr(slurp(bak), "first bad"));
    assert_non_null(strstr(slurp(bak2), "second bad"));
}

static void test_interrupted_creation_is_silent(void **state)
{
    struct fixture *f = *state;
    write_file(f->path, "userId,movi");
    struct reports rep = {0};
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(p.n, 0);
    mr_profile_close(&p);
    assert_string_equal(slurp(f->path), "userId,movieId,rating,timestamp\n");
    char bak[160];
    snprintf(bak, sizeof bak, "%s.bak", f->path);
    assert_null(slurp(bak));
}

static void test_lock_busy(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 5, 5, 1, &err), MR_OK);

    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct mr_profile q;
        struct mr_error e2;
        int rc = mr_profile_open(f->path, NULL, NULL, &q, &e2);
        int ok = rc == MR_EBUSY && strstr(e2.msg, "in use") != NULL;
        if (rc == MR_OK)
            mr_profile_close(&q);
        _exit(ok ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* Once closed, the next process gets it. */
    mr_profile_close(&p);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct mr_profile q;
        struct mr_error e2;
        int rc = mr_profile_open(f->path, NULL, NULL, &q, &e2);
        int ok = rc == MR_OK && mr_profile_get(&q, 5) == 5;
        if (rc == MR_OK)
            mr_profile_close(&q);
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_compaction_keeps_everything(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    int want[31] = {0};
    int64_t want_ts[31] = {0};
    unsigned seed = 7;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    for (int i = 0; i < 600; i++) {
        seed = seed * 1103515245u + 12345u;
        int movie = 1 + (int)((seed >> 8) % 30);
        int half = (int)((seed >> 20) % 11);
        assert_int_equal(mr_profile_set(&p, movie, half, 5000 + i, &err), MR_OK);
        if (want[movie] != half)
            want_ts[movie] = 5000 + i;
        want[movie] = half;
    }
    /* 600 changes to 30 movies: the journal was compacted along the way. */
    assert_true(p.journal_lines < 600);
    mr_profile_close(&p);

    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    int rated = 0;
    for (int m = 1; m <= 30; m++) {
        assert_int_equal(mr_profile_get(&p, m), want[m]);
        rated += want[m] != 0;
    }
    assert_int_equal(p.n, rated);
    for (int32_t i = 0; i < p.n; i++)
        assert_int_equal(p.ratings[i].timestamp, want_ts[p.ratings[i].movie_id]);
    mr_profile_close(&p);

    /* A journal with many superseded lines is compacted on open to one line per rating. */
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    for (int i = 0; i < 40; i++)
        assert_int_equal(mr_profile_set(&p, 1 + i % 2, 1 + i % 10, 9000 + i, &err), MR_OK);
    mr_profile_close(&p);
    assert_true(count_lines(slurp(f->path)) > 40);
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(p.journal_lines, p.n);
    assert_int_equal(count_lines(slurp(f->path)), p.n + 1);
    assert_int_equal(mr_profile_get(&p, 1), 1 + 38 % 10);
    assert_int_equal(mr_profile_get(&p, 2), 1 + 39 % 10);
    mr_profile_close(&p);
}

/* A profile reached through a symbolic link (e.g. kept in a synced folder) stays a link when
 * the journal is compacted: the file it leads to is rewritten, beside itself. */
static void test_compaction_keeps_a_link(void **state)
{
    struct fixture *f = *state;
    char real_dir[128], real[192], link_target[192];
    snprintf(real_dir, sizeof real_dir, "%s/elsewhere", f->dir);
    assert_int_equal(mkdir(real_dir, 0700), 0);
    snprintf(real, sizeof real, "%s/ratings.csv", real_dir);
    write_file(real, "userId,movieId,rating,timestamp\n0,7,4.0,1\n");
    write_file(f->path, ""); /* makes sub/ */
    unlink(f->path);
    snprintf(link_target, sizeof link_target, "../elsewhere/ratings.csv");
    assert_int_equal(symlink(link_target, f->path), 0);

    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    for (int i = 0; i < 200; i++) /* compacted along the way */
        assert_int_equal(mr_profile_set(&p, 1 + i % 2, 1 + i % 10, 100 + i, &err), MR_OK);
    assert_true(p.journal_lines < 200);
    mr_profile_close(&p);

    struct stat st;
    assert_int_equal(lstat(f->path, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char got[192] = "";
    assert_true(readlink(f->path, got, sizeof got - 1) > 0);
    assert_string_equal(got, link_target);
    assert_int_equal(lstat(real, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    /* The target holds every rating; nothing was left beside the link or the target. */
    assert_int_equal(mr_profile_open(real, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_get(&p, 7), 8);
    assert_int_equal(mr_profile_get(&p, 1), 1 + 198 % 10);
    assert_int_equal(mr_profile_get(&p, 2), 1 + 199 % 10);
    mr_profile_close(&p);
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_equal(lstat(tmp, &st), -1);
    snprintf(tmp, sizeof tmp, "%s.tmp", real);
    assert_int_equal(lstat(tmp, &st), -1);
}

static void test_failed_write_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 1, 6, 1, &err), MR_OK);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);

    /* A file size limit a few bytes past the end: the write fails part way, like a full disk. */
    struct rlimit old, lim;
    getrlimit(RLIMIT_FSIZE, &old);
    lim = old;
    lim.rlim_cur = (rlim_t)st.st_size + 5;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = mr_profile_set(&p, 2, 8, 2, &err);
    int rc2 = mr_profile_set(&p, 1, 2, 3, &err);
    setrlimit(RLIMIT_FSIZE, &old);
    signal(SIGXFSZ, prev);

    assert_int_equal(rc, MR_EIO);
    assert_int_equal(rc2, MR_EIO);
    assert_int_equal(err.status, MR_EIO);
    assert_int_equal(p.n, 1);
    assert_int_equal(mr_profile_get(&p, 1), 6);
    assert_int_equal(mr_profile_get(&p, 2), 0);
    struct stat st2;
    assert_int_equal(stat(f->path, &st2), 0);
    assert_int_equal(st2.st_size, st.st_size); /* the partial line was taken back */

    /* The retry succeeds once there is room, and the file parses cleanly. */
    assert_int_equal(mr_profile_set(&p, 2, 8, 2, &err), MR_OK);
    mr_profile_close(&p);
    struct reports rep = {0};
    assert_int_equal(mr_profile_open(f->path, collect, &rep, &p, &err), MR_OK);
    assert_int_equal(rep.n, 0);
    assert_int_equal(mr_profile_get(&p, 2), 8);
    mr_profile_close(&p);
}

static void test_export(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 50, 9, 77, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 60, 3, 78, &err), MR_OK);
    char out[160];
    snprintf(out, sizeof out, "%s/export.csv", f->dir);
    assert_int_equal(mr_profile_export(&p, out, 611, &err), MR_OK);
    mr_profile_close(&p);
    assert_string_equal(slurp(out),
                        "userId,movieId,rating,timestamp\n611,50,4.5,77\n611,60,1.5,78\n");
}

static void test_bad_arguments(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 1, 11, 1, &err), MR_EUSAGE);
    assert_int_equal(mr_profile_set(&p, 0, 5, 1, &err), MR_EUSAGE);
    assert_int_equal(p.n, 0);
    mr_profile_close(&p);
    /* A profile path that cannot be created is an I/O error, not a crash. */
    assert_int_equal(mr_profile_open("/proc/movierec-no/x.csv", NULL, NULL, &p, &err), MR_EIO);
}

/* Asserts that opening path as a profile fails with MR_EIO, saying it is not a regular file
 * and what it is, and that nothing was left open or created. */
static void assert_not_regular(const char *path, const char *kind)
{
    struct mr_profile p;
    struct mr_error err;
    mr_error_clear(&err);
    /* A FIFO opened for reading without O_NONBLOCK would wait here for ever: die loudly. */
    alarm(20);
    assert_int_equal(mr_profile_open(path, NULL, NULL, &p, &err), MR_EIO);
    alarm(0);
    assert_string_equal(err.file, path);
    assert_non_null(strstr(err.msg, "not a regular file"));
    assert_non_null(strstr(err.msg, kind));
    assert_null(p.path);
    assert_int_equal(p.fd, -1);
}

static void test_not_a_regular_file(void **state)
{
    struct fixture *f = *state;
    char dir[128], path[160], a[160], b[160];
    snprintf(dir, sizeof dir, "%s/sub", f->dir);
    assert_int_equal(mkdir(dir, 0700), 0);

    assert_int_equal(mkfifo(f->path, 0600), 0);
    assert_not_regular(f->path, "a FIFO");
    struct stat st;
    assert_int_equal(lstat(f->path, &st), 0);
    assert_true(S_ISFIFO(st.st_mode)); /* left as it was */
    unlink(f->path);

    assert_int_equal(mkdir(f->path, 0700), 0);
    assert_not_regular(f->path, "a directory");
    rmdir(f->path);

    /* me.csv -> a -> b -> a */
    snprintf(a, sizeof a, "%s/a", dir);
    snprintf(b, sizeof b, "%s/b", dir);
    assert_int_equal(symlink("b", a), 0);
    assert_int_equal(symlink("a", b), 0);
    assert_int_equal(symlink("a", f->path), 0);
    assert_not_regular(f->path, "symbolic link loop");
    unlink(f->path);

    /* A character device, which opens without error. */
    assert_not_regular("/dev/null", "a character device");

    /* A symbolic link to a regular file is a profile like any other. */
    snprintf(path, sizeof path, "%s/real.csv", dir);
    write_file(path, "userId,movieId,rating,timestamp\n0,7,4.0,1\n");
    assert_int_equal(symlink("real.csv", f->path), 0);
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_get(&p, 7), 8);
    assert_int_equal(mr_profile_set(&p, 8, 5, 2, &err), MR_OK);
    mr_profile_close(&p);
    assert_non_null(strstr(slurp(path), "0,8,2.5,2\n"));
}

/* --stress PATH: endless random changes, each acknowledged on stdout after it is durable. */
static int stress(const char *path)
{
    struct mr_profile p;
    struct mr_error err;
    if (mr_profile_open(path, NULL, NULL, &p, &err) != MR_OK) {
        fprintf(stderr, "stress: %s\n", err.msg);
        return 1;
    }
    unsigned seed = (unsigned)getpid() ^ (unsigned)time(NULL);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (long i = 0;; i++) {
        seed = seed * 1103515245u + 12345u;
        int movie = 1 + (int)((seed >> 8) % 50);
        int half = (int)((seed >> 20) % 11);
        printf("try %d %d\n", movie, half);
        fflush(stdout);
        if (mr_profile_set(&p, movie, half, (int64_t)time(NULL), &err) != MR_OK) {
            fprintf(stderr, "stress: %s\n", err.msg);
            return 1;
        }
        printf("ack %d %d\n", movie, half);
        fflush(stdout);
    }
}

static void count_bad(void *ctx, const char *file, long line, const char *what)
{
    fprintf(stderr, "%s:%ld: %s\n", file, line, what);
    ++*(int *)ctx;
}

/* --dump PATH: the replayed ratings; exit 3 when any line was bad. */
static int dump(const char *path)
{
    struct mr_profile p;
    struct mr_error err;
    int bad = 0;
    if (mr_profile_open(path, count_bad, &bad, &p, &err) != MR_OK) {
        fprintf(stderr, "dump: %s\n", err.msg);
        return 1;
    }
    for (int32_t i = 0; i < p.n; i++)
        printf("%d %d\n", p.ratings[i].movie_id, p.ratings[i].half);
    mr_profile_close(&p);
    return bad ? 3 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--stress") == 0)
        return stress(argv[2]);
    if (argc == 3 && strcmp(argv[1], "--dump") == 0)
        return dump(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_removal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_torn_last_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_garbage_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_never_overwritten, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interrupted_creation_is_silent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compaction_keeps_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compaction_keeps_a_link, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_a_regular_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
