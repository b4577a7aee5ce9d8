/* SPDX-License-Identifier: MIT */
/* smtpd_cmd_fuzz - smtpd's command side on arbitrary bytes: each line
 * through the command line parser (smtpd_parse_line), then the whole input
 * as a client's side of a session (every command handler, the error
 * limits, smtpd_forbidden_commands). DATA gets 451 here (there is no
 * queue), and so does BDAT, but only after its chunk octets are read: the
 * commands after a chunk run as commands, the chunk's bytes never do.
 * TLS is off and AUTH disabled: smtpd_tls_fuzz runs the same sessions
 * (setup and session shared: smtpd_fuzz.h) in the TLS and AUTH states;
 * smtpd_dot_fuzz covers the message bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"

#include "smtpd.h"

#include "smtpd_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parser's promises (smtpd.h) on one line. */
static void
parse_one(const char *p, size_t n)
{
	const struct smtpd_cmd *cmd;
	struct buf line;
	char *verb, *args;
	enum smtpd_line kind;

	buf_init(&line, n + 1);
	if (buf_append(&line, p, n) < 0)
		__builtin_trap();
	kind = smtpd_parse_line(&line, &verb, &args, &cmd);
	switch (kind) {
	case SMTPD_LINE_CMD:
		if (cmd == NULL || strcasecmp(cmd->name, verb) != 0)
			__builtin_trap();
		/* FALLTHROUGH */
	case SMTPD_LINE_UNKNOWN:
		/* The verb was cut off with a NUL; no CR is left. */
		if (verb == NULL || *verb == 0 || args == NULL ||
		    strchr(verb, ' ') != NULL || *args == ' ' ||
		    memchr(line.data, '\r', line.len) != NULL)
			__builtin_trap();
		break;
	case SMTPD_LINE_BAD:
		if (verb != NULL || cmd != NULL)
			__builtin_trap();
		break;
	case SMTPD_LINE_FORBIDDEN:
		if (verb == NULL || *verb == 0 || cmd != NULL)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
	buf_deinit(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const char *p = (const char *)data, *end = p + size;
	struct fuzz_peer replies;

	if (!ready) {
		smtpd_fuzz_setup(NULL, 0);
		ready = 1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n =
		    nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		parse_one(p, n);
		p += n;
	}
	smtpd_fuzz_session(data, size, &replies);
	return 0;
}
