/* SPDX-License-Identifier: MIT */
/* smtpd_cmd_fuzz - smtpd's command side on arbitrary bytes: each line
 * through the command line parser (smtpd_parse_line), then the whole input
 * as a client's side of a session (every command handler, the error
 * limits, smtpd_forbidden_commands). DATA gets 451 here (there is no
 * queue); smtpd_dot_fuzz covers the message bytes. */
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
#include "util/log.h"

#include "smtpd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A pipe holds this much without a reader (Linux: 64 KiB). */
#define SESSION_MAX 60000

static int devnull = -1;
static char dir[] = "/tmp/smtpd_cmd_fuzz.XXXXXX";

/* Leave no directory behind in /tmp. */
static void
cleanup(void)
{
	char path[sizeof(dir) + 16];

	snprintf(path, sizeof(path), "%s/main.cf", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

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

static void
setup(void)
{
	const char *error;
	size_t i;
	int fd;

	log_init("smtpd");
	if (log_open_file("/dev/null", &error) < 0)
		abort();
	/* An empty main.cf in a directory of our own, which is also the
	 * queue directory: it has no incoming/, so DATA gets 451. */
	if (mkdtemp(dir) == NULL || chdir(dir) < 0 ||
	    (fd = open("main.cf", O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		abort();
	close(fd);
	atexit(cleanup);
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (config_override(settings[i], &error) < 0)
			abort();
	if (config_load(dir, &error) < 0 || resolve_open(&error) < 0) {
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
		size_t n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);

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
	smtpd_session(fds[0], devnull);
	close(fds[0]);
	return 0;
}
