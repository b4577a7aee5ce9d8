/* SPDX-License-Identifier: MIT */
/* passwd_file_fuzz - Dovecot passwd-file lines on arbitrary bytes: an
 * entry always has a clean, non-empty user name and every field set. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/passwd_file.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	struct passwd_entry ent;
	const char *error = NULL;
	const char *p;
	int rc;

	rc = passwd_file_parse_line(s, &ent, &error);
	if (rc < 0 && error == NULL)
		__builtin_trap();
	if (rc > 0) {
		if (*ent.user == '\0' || ent.password == NULL ||
		    ent.uid == NULL || ent.gid == NULL || ent.gecos == NULL ||
		    ent.home == NULL || ent.shell == NULL || ent.extra == NULL)
			__builtin_trap();
		for (p = ent.user; *p != '\0'; p++)
			if ((unsigned char)*p <= ' ' || *p == ':')
				__builtin_trap();
		if (ent.scheme != NULL && strchr(ent.scheme, '}') != NULL)
			__builtin_trap();
	}
	xfree(s);
	return 0;
}
