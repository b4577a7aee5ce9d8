/* msghdr - the header section of a queued message.
 * Queue file content is stored with LF line endings; its header section
 * is everything before the first empty line. Readers that need only the
 * headers (loop detection in local, the quoted headers of a bounce in
 * qmgr) read them here, bounded by the caller's buffer. Errors are
 * return values. */
#ifndef TERN_MAIL_MSGHDR_H
#define TERN_MAIL_MSGHDR_H

struct buf;

/* Append the header section of the queue file open on fd to out: the
 * content up to, not including, the empty line that ends it, cut at
 * out's maximum. Works on a dup (qfile_content_open), so fd's offset does
 * not matter. Returns 0, or -1 with *error_r set (out then holds what
 * was read). */
int msghdr_read(int fd, struct buf *out, const char **error_r);

#endif
