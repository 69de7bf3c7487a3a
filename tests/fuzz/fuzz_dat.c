/* fuzz_dat.c — the ml-1m/ml-10m "::" layout: the first input byte picks which file gets the
 * rest (movies.dat, ratings.dat, tags.dat); the others are small and valid (ml-1m's Latin-1
 * title included). */
#include "fuzz_check.h"
#include "fuzz_targets.h"

static const char *const dat_files[] = {"movies.dat", "ratings.dat", "tags.dat"};

static const char *const dat_valid[] = {
    "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Matrix, The (1999)::Action|Sci-Fi\n"
    "3::Cit\xE9 des enfants perdus, La (1995)::Fantasy\n",
    "1::1::5::978300760\n1::2::3::978302109\n2::3::4::978301968\n",
    "1::2::cyberpunk::1\n",
};

int fuzz_dat(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 3;
    char path[512], dir[256];
    for (int i = 0; i < 3; i++)
        if (i != which)
            fuzz_write_text("dat", dat_files[i], dat_valid[i]);
    fuzz_write("dat", dat_files[which], data + 1, size - 1, path, sizeof path);
    fuzz_subdir("dat", dir, sizeof dir);
    fuzz_load_and_check(dir);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_dat(data, size);
}
#endif
