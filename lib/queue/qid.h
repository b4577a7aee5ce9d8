/* qid - queue IDs in Postfix's short-ID shape.
 * A queue ID is upper-case hex: the microseconds of the queue file's
 * creation time as exactly five digits (%05X), then the file's inode number
 * in hex. Since an inode number is unique among the live files of one file
 * system, and all queue directories live on one, an ID is unique while its
 * file exists; the microseconds make reuse of an inode number yield a new ID
 * in practice. The ID names the file in every queue directory and prefixes
 * every log line about the message. Pure functions; no allocation. */
#ifndef TERN_MAIL_QID_H
#define TERN_MAIL_QID_H

#include <sys/time.h>
#include <sys/types.h>

/* Room for any queue ID plus its NUL (5 + 16 hex digits + 1 < 32). */
#define QID_SIZE 32

/* Format the ID for a file created at tv with inode ino into out
 * (NUL-terminated). Never fails; tv.tv_usec is taken modulo 1000000. */
void qid_make(struct timeval tv, ino_t ino, char out[QID_SIZE]);

/* Return 1 when s has the shape of a queue ID (5 + 1..16 upper-case hex
 * digits, the first five at most F423F), else 0. Never fails. */
int qid_valid(const char *s);

#endif
