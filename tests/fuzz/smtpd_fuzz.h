/* smtpd_fuzz - what the smtpd session harnesses (smtpd_cmd_fuzz,
 * smtpd_tls_fuzz) share: the configuration, loaded once per process, and
 * one session on a socket pair whose other end holds the input (then end
 * of input) and collects the replies. The scratch directory is both
 * queue_directory and the session's working directory, as the queue
 * directory is smtpd's: it has no incoming/ (DATA and BDAT get 451) and
 * no private/ (no anvil, and no auth service: AUTH gets 454 at once, EHLO
 * lists no AUTH). For libFuzzer harnesses only: a failed system call or a
 * bad setting aborts. */
#ifndef TERN_SMTPD_FUZZ_H
#define TERN_SMTPD_FUZZ_H

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/resolve.h"

#include "smtpd.h"
#include "smtpd_check.h"

#include "fuzz_util.h"

/* The configuration every session harness starts from, as main.cf
 * settings: the store owns the values. */
static const char *const smtpd_fuzz_settings[] = {
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
	/* Users of the system, without the host's user database. */
	"mydestination = mail.example.com, localhost",
	"local_recipient_maps = inline:{joe=x}",
	"alias_maps = inline:{postmaster=joe, {staff = joe, |/bin/true}}",
};

static int smtpd_fuzz_cwd = -1; /* libFuzzer's, for its artifacts */

static inline void
smtpd_fuzz_override(const char *setting)
{
	const char *error;

	if (config_override(setting, &error) < 0) {
		fprintf(stderr, "%s: %s\n", setting, error);
		abort();
	}
}

/* Set parameter name to <fuzz_dir>/file, or to the scratch directory
 * itself when file is NULL. */
static inline void
smtpd_fuzz_set_path(const char *name, const char *file)
{
	char setting[600];

	if ((size_t)snprintf(setting, sizeof(setting), "%s = %s%s%s", name,
		fuzz_dir(), file != NULL ? "/" : "",
		file != NULL ? file : "") >= sizeof(setting))
		abort();
	smtpd_fuzz_override(setting);
}

/* Load smtpd_fuzz_settings, then the n settings of extra (which win), as
 * smtpd's pre_jail would: the resolver, then the restrictions. Once per
 * process; never fails. */
static inline void
smtpd_fuzz_setup(const char *const *extra, size_t n)
{
	const char *dir = fuzz_dir(), *error;
	size_t i;

	(void)fuzz_file("main.cf", NULL, 0);
	if ((smtpd_fuzz_cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
	    0)
		abort();
	for (i = 0;
	     i < sizeof(smtpd_fuzz_settings) / sizeof(smtpd_fuzz_settings[0]);
	     i++)
		smtpd_fuzz_override(smtpd_fuzz_settings[i]);
	/* Nothing of the host's queue, should smtpd look there. */
	smtpd_fuzz_set_path("queue_directory", NULL);
	for (i = 0; i < n; i++)
		smtpd_fuzz_override(extra[i]);
	if (config_load(dir, &error) < 0 || resolve_open(&error) < 0 ||
	    smtpd_check_init(&error) < 0) {
		fprintf(stderr, "smtpd_fuzz_setup: %s\n", error);
		abort();
	}
}

/* One session with the client's side in data (fuzz_peer_start); the
 * replies end up in c. */
static inline void
smtpd_fuzz_session(const uint8_t *data, size_t size, struct fuzz_peer *c)
{
	int fd = fuzz_peer_start(c, data, size);

	if (chdir(fuzz_dir()) < 0)
		abort();
	smtpd_session(fd, fd);
	if (fchdir(smtpd_fuzz_cwd) < 0)
		abort();
	close(fd);
	fuzz_peer_finish(c);
}

#endif
