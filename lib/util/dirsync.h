/* dirsync - group commit: one directory fsync serves many processes.
 * Writers that each created or renamed a file in the same directory must
 * each see a directory fsync that began after their change before they
 * may rely on it. dirsync() gives that guarantee while letting writers
 * that arrive together share one fsync: a small state file in the
 * directory holds two counters, "started" and "completed", read and
 * written with pread/pwrite under a short lock (an open file description
 * lock on one byte of the file; no shared memory). A writer notes
 * "started" after its change, under that lock (an unlocked read could see
 * a torn, too small value and take an older sync for its own) but without
 * waiting for a running fsync; then, holding a second lock that admits
 * one fsync at a time, it returns at once if a sync numbered above what
 * it noted has completed, and otherwise runs the next sync itself. Errors
 * are return values; a missing or unusable state file means a plain
 * fsync. */
#ifndef TERN_UTIL_DIRSYNC_H
#define TERN_UTIL_DIRSYNC_H

/* The state file's name inside the directory (not a queue file name). */
#define DIRSYNC_STATE ".dirsync"

/* Make every change made so far in the directory open at dirfd durable.
 * Returns 0, or -1 with *error_r set (strerror text). */
int dirsync(int dirfd, const char **error_r);

/* One writer alone (a list, a folder, a subscriptions file, a table):
 * fsync the directory at path, so that the entries made or renamed in it
 * are durable. 0, or -1 with errno (from open or fsync). */
int dir_fsync(const char *path);
/* The same for the directory that holds path ("." for a name without a
 * slash, "/" for one at the root). */
int dir_fsync_parent(const char *path);

/* The function that makes a directory durable: fsync by default. Tests
 * replace it to count and time the syncs of many processes; NULL puts
 * fsync back. Process-global, inherited across fork. */
typedef int dirsync_fsync_fn(int dirfd);
void dirsync_set_fsync(dirsync_fsync_fn *fn);

#endif
