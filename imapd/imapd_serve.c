/* SPDX-License-Identifier: MIT */
/* imapd_serve - the process master started for one IMAP connection: the
 * login and session processes of server_login.h, with imapd's own. See
 * imapd.h. */
#include "mail/resolve.h"
#include "server/server_login.h"

#include "imapd.h"

static const struct login_service imap = {
	.name = "imapd",
	.log_name = "imap-login",
	.login = imapd_login,
	.session = imapd_session,
};

void
imapd_pre_jail(void)
{
	/* The delivery tables say where a user's Maildir is, as for local;
	 * a table that cannot be opened fails logins, not the daemon. */
	resolve_init_lenient();
	imapd_login_init();
}

void
imapd_serve(int in_fd, int out_fd)
{
	server_login_serve(&imap, in_fd, out_fd);
}

const struct login_service *
imapd_service(void)
{
	return &imap;
}
