/* SPDX-License-Identifier: MIT */
/* pickup - local submissions from maildrop/ into the queue. */
#include "mail/resolve.h"
#include "server/server.h"

#include "pickup.h"

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "pickup",
		.kind = SERVER_TRIGGER,
		.pre_jail = resolve_init_lenient, /* virtual_alias_maps */
		.post_jail = pickup_init,
		.trigger = pickup_trigger,
	};

	server_main(argc, argv, &spec);
}
