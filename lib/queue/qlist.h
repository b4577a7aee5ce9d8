/* qlist - the mail queue as mailq(1) shows it: for each message of
 * maildrop/ (local submissions pickup has not taken yet, by file name,
 * their mtime for the arrival; left out for a caller who may not read
 * maildrop/), incoming/, active/, deferred/ and hold/ (sorted by queue
 * ID within each),
 * Postfix's layout (the ID with '*' when active, '!' when on hold, the
 * size, the arrival time, the sender, then each recipient still to be
 * delivered after the reason qmgr recorded for its deferral) and a
 * summary line, or with json one object a line as postqueue -j prints
 * them. Reads queue_directory as the caller: ternqueue when it may,
 * showq(8) for everyone else. Files that do not parse are skipped with a
 * warning (log_warn), files that vanish meanwhile silently. */
#ifndef TERN_QUEUE_QLIST_H
#define TERN_QUEUE_QLIST_H

#include <stdio.h>

/* Print the listing to out. 0, or -1 with *error_r (static text) when a
 * queue directory cannot be read. */
int qlist_print(FILE *out, int json, const char **error_r);

#endif
