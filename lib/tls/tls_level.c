/* SPDX-License-Identifier: MIT */
/* tls_level - the names of TLS security levels and policy values. */
#include <string.h>
#include <strings.h>

#include "tls/tls_level.h"
#include "util/buf.h"

static const char *const level_names[] = {
	[TLS_LEVEL_NONE] = "none",
	[TLS_LEVEL_MAY] = "may",
	[TLS_LEVEL_ENCRYPT] = "encrypt",
	[TLS_LEVEL_VERIFY] = "verify",
	[TLS_LEVEL_SECURE] = "secure",
};

int
tls_level_parse(const char *name, size_t len, enum tls_level *level_r)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]);
	     i++)
		if (strlen(level_names[i]) == len &&
		    strncasecmp(name, level_names[i], len) == 0) {
			*level_r = (enum tls_level)i;
			return 0;
		}
	return -1;
}

int
tls_server_level_parse(const char *value, enum tls_level *level_r,
    const char **error_r)
{
	if (*value == '\0') {
		*level_r = TLS_LEVEL_NONE;
		return 0;
	}
	if (tls_level_parse(value, strlen(value), level_r) < 0 ||
	    *level_r > TLS_LEVEL_ENCRYPT) {
		*error_r = "unknown security level (none, may or encrypt)";
		return -1;
	}
	return 0;
}

const char *
tls_level_name(enum tls_level level)
{
	return level_names[level];
}

int
tls_policy_parse(const char *value, enum tls_level *level_r, struct buf *match,
    const char **error_r)
{
	const char *p = value + strspn(value, " \t,");
	size_t n = strcspn(p, " \t,");

	buf_reset(match);
	if (n == 0) {
		*error_r = "no security level";
		return -1;
	}
	if (tls_level_parse(p, n, level_r) < 0) {
		*error_r = "unknown security level (none, may, encrypt, "
			   "verify or secure)";
		return -1;
	}
	for (p += n; *(p += strspn(p, " \t,")) != '\0'; p += n) {
		n = strcspn(p, " \t,");
		if (n > 6 && strncasecmp(p, "match=", 6) == 0) {
			if (memchr(p + 6, ':', n - 6) != NULL) {
				*error_r = "match= takes one name here";
				return -1;
			}
			buf_reset(match);
			if (buf_append(match, p + 6, n - 6) < 0) {
				*error_r = "match= name too long";
				return -1;
			}
			continue;
		}
		*error_r = "unknown attribute (match= is known)";
		return -1;
	}
	return 0;
}
