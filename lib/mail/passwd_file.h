/* passwd_file - Dovecot's passwd-file user table format.
 *
 * One user a line: user:password:uid:gid:gecos:home:shell:extra_fields,
 * where every field after the password may be empty or missing, the
 * password may start with "{SCHEME}" (no scheme: crypt(3)), and the
 * extra fields are space-separated name=value pairs. Lines starting with
 * "#" and blank lines are skipped. This is the format of an existing
 * Dovecot host's users file, read here unchanged.
 *
 * passwd_file_parse_line() splits a caller-owned line in place; the entry
 * points into that line and lives as long as it does. passwd_file_read()
 * reads a whole file and calls back once per entry; its errors name
 * file:line. Nothing is kept between calls; re-entrant. */
#ifndef TERN_MAIL_PASSWD_FILE_H
#define TERN_MAIL_PASSWD_FILE_H

#include <stddef.h>

struct buf;

/* Longest line accepted (Dovecot has no fixed limit; ours is generous). */
#define PASSWD_FILE_LINE_MAX 8192

struct passwd_entry {
	const char *user;
	const char *scheme;   /* "SHA512-CRYPT", "PLAIN", ...; NULL: none */
	const char *password; /* after the {SCHEME} prefix; may be "" */
	const char *uid;      /* "" when empty or missing */
	const char *gid;
	const char *gecos;
	const char *home;
	const char *shell;
	const char *extra; /* the rest of the line, "" when none */
};

/* Split line (NUL-terminated, without its newline; modified in place)
 * into *ent_r. Returns 1 for an entry, 0 for a comment or blank line, or
 * -1 with *error_r set (an empty user name, a user name with white space
 * or control characters, a missing password field, an unterminated
 * "{SCHEME" prefix). */
int passwd_file_parse_line(char *line, struct passwd_entry *ent_r,
    const char **error_r);

typedef int passwd_file_entry_fn(const struct passwd_entry *ent, void *ctx);

/* Read path and call fn for every entry, in file order; fn returns 0 to
 * go on or non-zero to stop (that value is returned). Returns 0 after the
 * whole file, or -1 with the reason in err ("path:line: reason", or the
 * open/read error). A line longer than PASSWD_FILE_LINE_MAX or holding a
 * NUL is an error. */
int passwd_file_read(const char *path, passwd_file_entry_fn *fn, void *ctx,
    struct buf *err);

#endif
