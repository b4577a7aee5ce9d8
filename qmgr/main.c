/* SPDX-License-Identifier: MIT */
/* qmgr - the Tern queue manager. */
#include "mail/resolve.h"
#include "server/server.h"
#include "util/log.h"

#include "qmgr.h"

static void
qmgr_pre_jail(void)
{
	const char *error;

	if (resolve_open(&error) < 0)
		log_fatal("%s", error);
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "qmgr",
		.kind = SERVER_TRIGGER,
		.pre_jail = qmgr_pre_jail,
		.post_jail = qmgr_init,
		.trigger = qmgr_trigger,
	};

	server_main(argc, argv, &spec);
}
