/* SPDX-License-Identifier: MIT */
/* smtpd - the Tern SMTP server. */
#include <stdlib.h>

#include "server/server.h"

#include "smtpd.h"

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
