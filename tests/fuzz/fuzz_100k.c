/* fuzz_100k.c — the ml-100k layout: the first input byte picks which file gets the rest
 * (u.item or u.data); the other is small and valid. */
#include "fuzz_check.h"
#include "fuzz_targets.h"

static const char *const k100_files[] = {"u.item", "u.data"};

static const char *const k100_valid[] = {
    "1|Toy Story (1995)|01-Jan-1995||http://us.imdb.com/M/title-exact?Toy%20Story%20(1995)|"
    "0|0|0|1|1|1|0|0|0|0|0|0|0|0|0|0|0|0|0\n"
    "2|Cit\xE9 des enfants perdus, La "
    "(1995)|01-Jan-1995||x|0|0|0|0|0|0|0|0|1|0|0|0|0|0|0|0|0|0|0\n",
    "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t878542960\n",
};

int fuzz_100k(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 2;
    char path[512], dir[256];
    fuzz_write_text("100k", k100_files[!which], k100_valid[!which]);
    fuzz_write("100k", k100_files[which], data + 1, size - 1, path, sizeof path);
    fuzz_subdir("100k", dir, sizeof dir);
    fuzz_load_and_check(dir);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_100k(data, size);
}
#endif
