/* passwd_edit - add, change or remove one user of a passwd-file table.
 *
 * The table is Dovecot's passwd-file format (passwd_file.h). An edit
 * touches only the lines of the named user: every other line (comments,
 * blank lines, other users, lines this parser would refuse) is kept byte
 * for byte, and so is the rest of a changed user's line after its password
 * field (uid, gid, home, extra fields, a CR before the newline). A user is
 * matched the way passwd_file_parse_line() finds it: leading blanks
 * skipped, the name up to the first ':'. When a user has several lines,
 * set and delete act on all of them, so no stale secret survives.
 *
 * passwd_edit_apply() is the pure text transformation. passwd_edit_file()
 * does it to a file on disk: an exclusive flock(2) on "<table>.lock"
 * beside the table (created 0600 when missing and left in place; removing
 * a lock file races with its next user), the whole table read, the result
 * written to a temporary file in the same directory with the old table's
 * mode and owner (0640 and the caller's ids for a new table), fsync'ed,
 * renamed over the table, and the directory fsync'ed. A reader therefore
 * sees the old table or the new one, never a mix, and a crash leaves at
 * worst a stray temporary file. Errors are return values with a text in
 * the caller's buffer; nothing is fatal. The buffers that held the table
 * (which may hold {PLAIN} passwords) are wiped before they are freed.
 * Re-entrant. */
#ifndef TERN_MAIL_PASSWD_EDIT_H
#define TERN_MAIL_PASSWD_EDIT_H

#include <stddef.h>
#include <sys/types.h>

struct buf;

/* Longest user name accepted. */
#define PASSWD_EDIT_NAME_MAX 255
/* Largest table read (a million users with long hashes fit). */
#define PASSWD_EDIT_FILE_MAX (256 * 1024 * 1024)
/* Mode of a table created by an add. */
#define PASSWD_EDIT_NEW_MODE 0640
/* How long passwd_edit_file() waits for the lock, in seconds. */
#define PASSWD_EDIT_LOCK_WAIT 10

enum passwd_edit_op {
	PASSWD_EDIT_ADD, /* append a new user; refuse an existing one */
	PASSWD_EDIT_SET, /* replace the password of an existing user */
	PASSWD_EDIT_DEL, /* remove an existing user */
};

/* Error kinds, for the caller's exit status and wording. */
#define PASSWD_EDIT_ERR_USAGE -1  /* bad name or secret */
#define PASSWD_EDIT_ERR_EXISTS -2 /* add: the user is already there */
#define PASSWD_EDIT_ERR_NOUSER -3 /* set, delete: no such user */
#define PASSWD_EDIT_ERR_SYSTEM -4 /* lock, read, write, rename, sync */

/* Check a user name: not empty, at most PASSWD_EDIT_NAME_MAX bytes, no
 * ':', white space or control character (passwd_file would refuse those),
 * not starting with '#' (that line would be a comment). Case is kept as
 * given. Returns 0, or -1 with *error_r set (static text). */
int passwd_edit_name_ok(const char *name, const char **error_r);

/* Check a password field ("{SCHEME}secret" from passwd_hash()): no ':',
 * CR, LF or NUL in its len bytes, since the format has no escapes (only a
 * {PLAIN} password can hold them). Returns 0 or -1 with *error_r set. */
int passwd_edit_secret_ok(const char *secret, size_t len, const char **error_r);

/* Apply op for user to the table text[0..len) and put the new table in
 * out (reset first). secret is the new password field for ADD and SET,
 * ignored (may be NULL) for DEL. A new entry is
 * "user:secret::::::\n" at the end (after a newline is added to a last
 * line that lacks one). Returns 0, or a PASSWD_EDIT_ERR_* value with
 * *error_r set (static text): a bad name or secret, the user exists (ADD)
 * or is missing (SET, DEL), or out is too small (SYSTEM). */
int passwd_edit_apply(const char *text, size_t len, enum passwd_edit_op op,
    const char *user, const char *secret, struct buf *out,
    const char **error_r);

/* Do op for user to the table at path, as described above. A missing
 * table is empty: ADD creates it, SET and DEL find no user. Returns 0, or
 * a PASSWD_EDIT_ERR_* value with the reason appended to err (naming the
 * file and the system call). */
int passwd_edit_file(const char *path, enum passwd_edit_op op, const char *user,
    const char *secret, struct buf *err);

#endif
