/* rec_table.h — printing recommendations (recommend, similar): the movie columns, then score
 * and reason.  TSV always has the reason column (empty without --explain). */
#ifndef MOVIEREC_CLI_REC_TABLE_H
#define MOVIEREC_CLI_REC_TABLE_H

#include "movierec/session.h"
#include "cli.h"

/* Prints recs[0..n) as a table or TSV; reasons only when explain (in the table, on a line
 * under each film).
 * Returns CLI_OK, or CLI_DATA when out of memory or writing failed. */
int rec_table_print(const struct cli *cli, const struct mr_dataset *ds, const struct mr_rec *recs,
                    int n, int explain, int tsv);

#endif
