/* SPDX-License-Identifier: MIT */
/* pop3d_serve - the process master started for one POP3 connection: the
 * login and session processes of server_login.h, with pop3d's own. See
 * pop3d.h. */
#include "mail/resolve.h"
#include "server/server_login.h"

#include "pop3d.h"

static const struct login_service pop3 = {
	.name = "pop3d",
	.log_name = "pop3-login",
	.login = pop3d_login,
	.session = pop3d_trans,
};

void
pop3d_pre_jail(void)
{
	/* The delivery tables say where a user's Maildir is, as for local;
	 * a table that cannot be opened fails logins, not the daemon. */
	resolve_init_lenient();
	pop3d_login_init();
}

void
pop3d_serve(int in_fd, int out_fd)
{
	server_login_serve(&pop3, in_fd, out_fd);
}

const struct login_service *
pop3d_service(void)
{
	return &pop3;
}
