/* SPDX-License-Identifier: MIT */
/* smtpd_cmd_fuzz - smtpd's command side on arbitrary bytes: each line
 * through the command line parser (smtpd_parse_line), then the whole input
 * as a client's side of a session (every command handler, the error
 * limits, smtpd_forbidden_commands). DATA gets 451 here (there is no
 * queue), and so does BDAT, but only after its chunk octets are read: the
 * commands after a chunk run as commands, the chunk's bytes never do.
 * smtpd_dot_fuzz covers the message bytes. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"
#include "util/buf.h"

#include "smtpd.h"
#include "smtpd_check.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A pipe holds this much without a reader (Linux: 64 KiB). */
#define SESSION_MAX 60000

/* The configuration, as main.cf settings: the store owns the values. */
static const char *const settings[] = {
	"myhostname = mail.example.com",
	"myorigin = example.com",
	"recipient_delimiter = +",
	"smtpd_error_sleep_time = 0",
	"disable_vrfy_command = no",
	"virtual_mailbox_domains = example.com",
	"virtual_mailbox_maps = inline:{alice@example.com=a/, "
	"bob@example.com=b/}",
	"virtual_alias_maps = inline:{{team@example.com = alice@example.com "
	"bob@example.com}, loop@example.com=loop@example.com}",
};

static int devnull = -1;
static int cwd = -1; /* libFuzzer's, for its artifacts */

static void
setup(void)
{
	const char *dir = fuzz_dir(), *error;
	size_t i;

	/* An empty main.cf in the scratch directory, which is also the
	 * queue directory during a session: it has no incoming/, so DATA
	 * gets 451. */
	(void)fuzz_file("main.cf", NULL, 0);
	if ((cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		abort();
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (config_override(settings[i], &error) < 0)
			abort();
	/* As smtpd's pre_jail: the resolver, then the relay restrictions
	 * (mynetworks, relay_domains, smtpd_*_restrictions) RCPT applies. */
	if (config_load(dir, &error) < 0 || resolve_open(&error) < 0 ||
	    smtpd_check_init(&error) < 0) {
		fprintf(stderr, "smtpd_cmd_fuzz: %s\n", error);
		abort();
	}
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		abort();
}

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
	const char *p = (const char *)data, *end = p + size;
	int fds[2];

	if (devnull < 0)
		setup();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n =
		    nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

		parse_one(p, n);
		p += n;
	}
	if (size > SESSION_MAX)
		size = SESSION_MAX;
	if (pipe(fds) < 0)
		abort();
	if (write(fds[1], data, size) != (ssize_t)size)
		abort();
	close(fds[1]);
	if (chdir(fuzz_dir()) < 0)
		abort();
	smtpd_session(fds[0], devnull);
	if (fchdir(cwd) < 0)
		abort();
	close(fds[0]);
	return 0;
}
