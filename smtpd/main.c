/* SPDX-License-Identifier: MIT */
/* smtpd - the Tern SMTP server. */
#include <stdlib.h>

#include "mail/resolve.h"
#include "server/server.h"
#include "util/log.h"

#include "smtpd.h"

/* Tables are opened while root, before chroot. */
static void
smtpd_pre_jail(void)
{
	const char *error;

	if (resolve_open(&error) < 0)
		log_fatal("%s", error);
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "smtpd",
		.kind = SERVER_SINGLE,
		.pre_jail = smtpd_pre_jail,
		.serve = smtpd_session,
	};

	server_main(argc, argv, &spec);
}
