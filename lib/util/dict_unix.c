/* SPDX-License-Identifier: MIT */
/* dict_unix - "unix:passwd.byname": the system's user database as a
 * table, as in Postfix. The key is a login name; the value is the passwd
 * entry as one line "name:*:uid:gid:gecos:home:shell" (the password field
 * is never copied). Lookups go through getpwnam_r, so NSS (files, LDAP,
 * systemd's dynamic users) answers, and a table that cannot be read
 * (an NSS error other than "no such user") is a lookup error: the caller
 * defers, it never decides that a user is unknown because a directory
 * server was down. Keys reach us folded to lower case (dict.c), as
 * Postfix's local_recipient_maps lookups are: a login name with capitals
 * cannot receive mail through this table. Walking is not supported. */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/dict.h"
#include "util/dict_impl.h"
#include "util/mem.h"

static int
unix_lookup(struct dict *d, const char *key, const char **value_r,
    const char **error_r)
{
	struct passwd pw, *res = NULL;
	long size = sysconf(_SC_GETPW_R_SIZE_MAX);
	char *scratch;
	int err;

	if (size <= 0 || size > 1024 * 1024)
		size = 16384;
	scratch = xmalloc((size_t)size);
	errno = 0;
	err = getpwnam_r(key, &pw, scratch, (size_t)size, &res);
	if (res == NULL) {
		xfree(scratch);
		/* getpwnam_r(3): 0, ENOENT, ESRCH, EBADF and EPERM all
		 * mean "not found" for some NSS module. */
		if (err == 0 || err == ENOENT || err == ESRCH || err == EBADF ||
		    err == EPERM)
			return 0;
		buf_reset(&d->error);
		buf_printf(&d->error, "getpwnam(%s): %s", key, strerror(err));
		*error_r = buf_cstr(&d->error);
		return -1;
	}
	buf_reset(&d->value);
	buf_printf(&d->value, "%s:*:%lu:%lu:%s:%s:%s", pw.pw_name,
	    (unsigned long)pw.pw_uid, (unsigned long)pw.pw_gid,
	    pw.pw_gecos ? pw.pw_gecos : "", pw.pw_dir ? pw.pw_dir : "",
	    pw.pw_shell ? pw.pw_shell : "");
	xfree(scratch);
	*value_r = buf_cstr(&d->value);
	return 1;
}

struct dict *
dict_unix_open(const char *name, const char **error_r)
{
	struct dict *d;

	if (strcmp(name, "passwd.byname") != 0) {
		*error_r = dict_error("unix:%s: unknown map (Tern has "
				      "unix:passwd.byname)",
		    name);
		return NULL;
	}
	d = dict_alloc(sizeof(*d));
	d->lookup = unix_lookup;
	return d;
}
