/* fuzz_csv.c — the ml-latest layout loaded from a directory: the first input byte picks which
 * file gets the rest of the input (movies.csv, ratings.csv, tags.csv, links.csv); the others
 * hold a small valid data set.  The loaded data set must pass fuzz_check.h. */
#include "fuzz_check.h"
#include "fuzz_targets.h"

static const char *const csv_files[] = {"movies.csv", "ratings.csv", "tags.csv", "links.csv"};

static const char *const csv_valid[] = {
    "movieId,title,genres\n1,Toy Story (1995),Adventure|Animation\n"
    "2,\"Matrix, The (1999)\",Action|Sci-Fi\n3,Amelie (Fabuleux destin d'Am\xC3\xA9lie Poulain, "
    "Le) (2001),Comedy\n",
    "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,2,5.0,964981247\n2,3,3.5,1\n",
    "userId,movieId,tag,timestamp\n1,2,cyberpunk,1\n2,2,Cyberpunk,2\n",
    "movieId,imdbId,tmdbId\n1,0114709,862\n2,0133093,603\n",
};

int fuzz_csv(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int which = data[0] % 4;
    char path[512], dir[256];
    for (int i = 0; i < 4; i++)
        if (i != which)
            fuzz_write_text("csv", csv_files[i], csv_valid[i]);
    fuzz_write("csv", csv_files[which], data + 1, size - 1, path, sizeof path);
    fuzz_subdir("csv", dir, sizeof dir);
    fuzz_load_and_check(dir);
    return 0;
}

#ifndef FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_csv(data, size);
}
#endif
