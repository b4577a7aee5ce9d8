/* SPDX-License-Identifier: MIT */
/* smtpd_access_fuzz - access(5) values and lookup keys on arbitrary bytes.
 * The first line is an access table value; the rest is both a client
 * (name, then address, split at the first space) and an email address.
 * Checked: a refusal's code is 4NN or 5NN and its enhanced status code has
 * the code's class; every text points into the value; every key is a
 * non-empty string. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "smtpd_access.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_keys(const struct smtpd_access_keys *k)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->key[i] == NULL || k->key[i][0] == '\0')
			__builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = xstrndup((const char *)data, size);
	char *rest = strchr(s, '\n'), *addr;
	struct smtpd_access_result res;
	struct smtpd_access_keys k = { NULL, 0 };
	size_t vlen;

	if (rest != NULL)
		*rest++ = '\0';
	else
		rest = s + strlen(s);
	vlen = strlen(s);
	smtpd_access_parse(s, &res);
	if (res.text == NULL || res.text < s || res.text > s + vlen)
		__builtin_trap();
	if (res.action == ACCESS_REFUSE ||
	    res.action == ACCESS_DEFER_IF_PERMIT ||
	    res.action == ACCESS_DEFER_IF_REJECT) {
		if (res.code < 400 || res.code > 599 ||
		    res.dsn[0] != '0' + res.code / 100 || res.dsn[1] != '.')
			__builtin_trap();
	}
	smtpd_access_mail_keys(rest, "+", "<>", &k);
	check_keys(&k);
	smtpd_access_mail_keys(rest, NULL, "", &k);
	check_keys(&k);
	if ((addr = strchr(rest, ' ')) != NULL)
		*addr++ = '\0';
	smtpd_access_client_keys(rest, addr, &k);
	check_keys(&k);
	smtpd_access_keys_free(&k);
	xfree(s);
	return 0;
}
