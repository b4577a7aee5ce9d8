/* SPDX-License-Identifier: MIT */
/* passwd_file - Dovecot's passwd-file user table format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "mail/passwd_file.h"
#include "util/buf.h"

/* Cut the next ':'-separated field off *p; "" once the line is used up. */
static const char *
next_field(char **p)
{
	char *s = *p, *colon;

	if (s == NULL)
		return "";
	colon = strchr(s, ':');
	if (colon != NULL) {
		*colon = '\0';
		*p = colon + 1;
	} else
		*p = NULL;
	return s;
}

int
passwd_file_parse_line(char *line, struct passwd_entry *ent_r,
    const char **error_r)
{
	char *p = line, *pw, *close;
	const char *s;

	memset(ent_r, 0, sizeof(*ent_r));
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#')
		return 0;
	ent_r->user = next_field(&p);
	if (*ent_r->user == '\0') {
		*error_r = "empty user name";
		return -1;
	}
	for (s = ent_r->user; *s != '\0'; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f) {
			*error_r = "white space or control character in "
				   "user name";
			return -1;
		}
	}
	if (p == NULL) {
		*error_r = "missing password field";
		return -1;
	}
	pw = (char *)next_field(&p);
	if (*pw == '{') {
		close = strchr(pw, '}');
		if (close == NULL) {
			*error_r = "unterminated {SCHEME} prefix";
			return -1;
		}
		*close = '\0';
		ent_r->scheme = pw + 1;
		pw = close + 1;
	}
	ent_r->password = pw;
	ent_r->uid = next_field(&p);
	ent_r->gid = next_field(&p);
	ent_r->gecos = next_field(&p);
	ent_r->home = next_field(&p);
	ent_r->shell = next_field(&p);
	/* Extra fields may themselves hold ':' (e.g. userdb_mail=maildir:~). */
	ent_r->extra = p == NULL ? "" : p;
	return 1;
}

int
passwd_file_read(const char *path, passwd_file_entry_fn *fn, void *ctx,
    struct buf *err)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	struct passwd_entry ent;
	const char *why;
	unsigned long lineno = 0;
	size_t len;
	int rc = 0, r;

	if ((fp = fopen(path, "re")) == NULL) {
		buf_printf(err, "open %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		len = (size_t)n;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (len > PASSWD_FILE_LINE_MAX) {
			buf_printf(err, "%s:%lu: line too long", path, lineno);
			rc = -1;
			break;
		}
		if (memchr(line, '\0', len) != NULL) {
			buf_printf(err, "%s:%lu: NUL character", path, lineno);
			rc = -1;
			break;
		}
		r = passwd_file_parse_line(line, &ent, &why);
		if (r < 0) {
			buf_printf(err, "%s:%lu: %s", path, lineno, why);
			rc = -1;
			break;
		}
		if (r > 0 && (r = fn(&ent, ctx)) != 0) {
			rc = r;
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		buf_printf(err, "read %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (line != NULL) {
		/* The lines hold password hashes. */
		explicit_bzero(line, cap);
		free(line);
	}
	fclose(fp);
	return rc;
}
