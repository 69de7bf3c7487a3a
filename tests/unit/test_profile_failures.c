/* test_profile_failures.c — the profile when the disk says no: a socket or a device where the
 * profile should be, a backup or a compaction that cannot be written (the original journal is
 * then left exactly as it was), exports that cannot be created, written or renamed (no
 * temporary file is left), a failed append that leaves the ratings unchanged, and a profile
 * named by a relative path.  The file-size limit stands in for a full disk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include "movierec/profile.h"

struct fixture {
    char dir[64];
    char path[128]; /* DIR/p.csv */
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/test_profile_fail.XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/p.csv", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    assert_int_equal(fclose(fp), 0);
}

/* The whole file at path (caller frees), its size in *n. */
static char *read_all(const char *path, size_t *n)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    *n = fread(buf, 1, (1 << 16) - 1, fp);
    buf[*n] = '\0';
    fclose(fp);
    return buf;
}

/* File-size limit on/off (SIGXFSZ ignored so that writes fail with EFBIG). */
static struct rlimit saved_limit;
static void (*saved_handler)(int);

static void limit_file_size(rlim_t bytes)
{
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    if (saved_limit.rlim_max != RLIM_INFINITY && saved_limit.rlim_max < bytes)
        skip();
    struct rlimit small = saved_limit;
    small.rlim_cur = bytes;
    saved_handler = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
}

static void unlimit_file_size(void)
{
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved_limit), 0);
    signal(SIGXFSZ, saved_handler);
}

static void test_not_a_regular_file(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;

    /* a UNIX socket (cannot even be opened) */
    int sock = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    assert_true(strlen(f->path) < sizeof addr.sun_path);
    memcpy(addr.sun_path, f->path, strlen(f->path) + 1);
    assert_int_equal(bind(sock, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_EIO);
    assert_string_equal(err.file, f->path);
    assert_non_null(strstr(err.msg, "not a regular file"));
    close(sock);
    unlink(f->path);

    /* a character device */
    assert_int_equal(mr_profile_open("/dev/null", NULL, NULL, &p, &err), MR_EIO);
    assert_string_equal(err.msg, "not a regular file (a character device): cannot be a profile");
}

static void test_relative_path(void **state)
{
    struct fixture *f = *state;
    char cwd[PATH_MAX];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(f->dir), 0);
    struct mr_profile p;
    struct mr_error err;
    int rc = mr_profile_open("rel.csv", NULL, NULL, &p, &err);
    if (rc == MR_OK) {
        rc = mr_profile_set(&p, 260, 9, 1000, &err);
        mr_profile_close(&p);
    }
    if (rc == MR_OK && mr_profile_open("rel.csv", NULL, NULL, &p, &err) == MR_OK) {
        assert_int_equal(mr_profile_get(&p, 260), 9);
        mr_profile_close(&p);
    }
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, MR_OK);
    char abs[256];
    snprintf(abs, sizeof abs, "%s/rel.csv", f->dir);
    assert_true(exists(abs));
}

/* A journal with two bad lines and a superseded one. */
static const char journal[] = "userId,movieId,rating,timestamp\n"
                              "0,1,4.0,100\n"
                              "0,2,nope,101\n"
                              "0,1,3.5,102\n"
                              "garbage\n"
                              "0,3,5.0,103\n";

static void test_backup_cannot_be_written(void **state)
{
    struct fixture *f = *state;
    write_text(f->path, journal);
    struct mr_profile p;
    struct mr_error err;
    limit_file_size(16); /* the backup (a copy of the journal) does not fit */
    int rc = mr_profile_open(f->path, NULL, NULL, &p, &err);
    unlimit_file_size();
    assert_int_equal(rc, MR_EIO);
    assert_non_null(strstr(err.msg, "cannot write a backup"));
    /* nothing else changed: the journal as it was, no backup, no temporary file */
    size_t n;
    char *text = read_all(f->path, &n);
    assert_string_equal(text, journal);
    free(text);
    char other[192];
    snprintf(other, sizeof other, "%s.bak", f->path);
    assert_false(exists(other));
    snprintf(other, sizeof other, "%s.bak.tmp", f->path);
    assert_false(exists(other));

    /* without the limit it opens, keeps the backup and compacts */
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_get(&p, 1), 7);
    assert_int_equal(mr_profile_get(&p, 3), 10);
    assert_int_equal(mr_profile_get(&p, 2), 0);
    mr_profile_close(&p);
    snprintf(other, sizeof other, "%s.bak", f->path);
    text = read_all(other, &n);
    assert_string_equal(text, journal);
    free(text);
}

static void test_compaction_cannot_be_written(void **state)
{
    struct fixture *f = *state;
    write_text(f->path, journal);
    /* a directory stands where the compacted journal is written first */
    char tmp[192];
    snprintf(tmp, sizeof tmp, "%s.tmp", f->path);
    assert_int_equal(mkdir(tmp, 0700), 0);
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_EIO);
    assert_string_equal(err.file, tmp);
    assert_non_null(strstr(err.msg, "cannot create"));
    size_t n;
    char *text = read_all(f->path, &n);
    assert_string_equal(text, journal); /* untouched */
    free(text);
}

static void test_failed_append_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_set(&p, 10, 8, 500, &err), MR_OK);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    limit_file_size((rlim_t)st.st_size); /* not one more byte */
    int rc = mr_profile_set(&p, 10, 3, 501, &err);
    int rc2 = mr_profile_set(&p, 11, 6, 502, &err);
    unlimit_file_size();
    assert_int_equal(rc, MR_EIO);
    assert_int_equal(rc2, MR_EIO);
    assert_int_equal(mr_profile_get(&p, 10), 8);
    assert_int_equal(mr_profile_get(&p, 11), 0);
    assert_int_equal(p.n, 1);
    /* the disk has room again: the next change goes through */
    assert_int_equal(mr_profile_set(&p, 11, 6, 503, &err), MR_OK);
    mr_profile_close(&p);
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    assert_int_equal(mr_profile_get(&p, 10), 8);
    assert_int_equal(mr_profile_get(&p, 11), 6);
    mr_profile_close(&p);
}

static void test_export_failures(void **state)
{
    struct fixture *f = *state;
    struct mr_profile p;
    struct mr_error err;
    assert_int_equal(mr_profile_open(f->path, NULL, NULL, &p, &err), MR_OK);
    for (int32_t id = 1; id <= 50; id++)
        assert_int_equal(mr_profile_set(&p, id, 1 + id % 10, 1000 + id, &err), MR_OK);
    char out[192], tmp[200];

    /* into a directory that does not exist */
    snprintf(out, sizeof out, "%s/no/such/dir/out.csv", f->dir);
    assert_int_equal(mr_profile_export(&p, out, 1, &err), MR_EIO);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    assert_string_equal(err.file, tmp);
    assert_non_null(strstr(err.msg, "cannot create"));

    /* onto a full disk: nothing left behind */
    snprintf(out, sizeof out, "%s/out.csv", f->dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", out);
    limit_file_size(100);
    int rc = mr_profile_export(&p, out, 1, &err);
    unlimit_file_size();
    assert_int_equal(rc, MR_EIO);
    assert_string_equal(err.file, out);
    assert_non_null(strstr(err.msg, "cannot write"));
    assert_false(exists(out));
    assert_false(exists(tmp));

    /* onto a directory: written, but it cannot take the directory's place */
    assert_int_equal(mkdir(out, 0700), 0);
    assert_int_equal(mr_profile_export(&p, out, 1, &err), MR_EIO);
    assert_non_null(strstr(err.msg, "cannot write"));
    assert_false(exists(tmp));
    assert_int_equal(rmdir(out), 0);

    /* and a good one: header, then one line per rating with the given userId */
    assert_int_equal(mr_profile_export(&p, out, 7, &err), MR_OK);
    size_t n;
    char *text = read_all(out, &n);
    assert_int_equal(strncmp(text, "userId,movieId,rating,timestamp\n7,1,1.0,1001\n", 45), 0);
    int lines = 0;
    for (size_t i = 0; i < n; i++)
        lines += text[i] == '\n';
    assert_int_equal(lines, 51);
    free(text);
    mr_profile_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_not_a_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_relative_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_backup_cannot_be_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_compaction_cannot_be_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_append_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_export_failures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
