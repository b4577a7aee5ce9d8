/* SPDX-License-Identifier: MIT */
/* qmgr - the Tern queue manager. */
#include "server/server.h"

#include "qmgr.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "qmgr",
		.kind = SERVER_TRIGGER,
		.pre_jail = qmgr_pre_jail, /* tables open as root */
		.post_jail = qmgr_init,
		.trigger = qmgr_trigger,
		.busy = qmgr_busy,
	};

	server_main(argc, argv, &spec);
}
