/* main.c — placeholder entry point until the CLI lands. */
#include <stdio.h>

int main(void)
{
    printf("movierec %s\n", MOVIEREC_VERSION);
    return 0;
}
