/* SPDX-License-Identifier: MIT */
/* smtpd_forbid - smtpd_forbidden_commands: lines that are not SMTP. */
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "util/dict.h"
#include "util/log.h"

#include "smtpd.h"

/* Postfix's default ends in this table, which matches a command name
 * whose first character is not a letter (Postfix regexp tables ignore
 * case). We have no regexp tables: this one entry is understood as that
 * rule and any other table entry is ignored with a warning. */
#define NOT_A_LETTER_ENTRY "regexp:{{/^[^A-Z]/ Bogus}}"

static int
is_letter(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int
smtpd_forbidden(const char *verb, size_t len)
{
	static int warned;
	const char *cursor = var_smtpd_forbid_cmds, *item, *error;
	size_t n;
	int ret;

	if (len == 0)
		return 0;
	while ((ret = dict_list_next(&cursor, &item, &n, &error)) > 0) {
		if (memchr(item, ':', n) == NULL) {
			if (n == len && strncasecmp(item, verb, len) == 0)
				return 1;
		} else if (n == strlen(NOT_A_LETTER_ENTRY) &&
		    memcmp(item, NOT_A_LETTER_ENTRY, n) == 0) {
			if (!is_letter((unsigned char)verb[0]))
				return 1;
		} else if (!warned) {
			log_warn("%s: ignoring \"%.*s\": only command names "
				 "and %s are supported",
			    VAR_SMTPD_FORBID_CMDS, (int)n, item,
			    NOT_A_LETTER_ENTRY);
			warned = 1;
		}
	}
	if (ret < 0 && !warned) {
		log_warn("%s: %s", VAR_SMTPD_FORBID_CMDS, error);
		warned = 1;
	}
	return 0;
}
