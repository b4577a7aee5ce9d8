/* SPDX-License-Identifier: MIT */
/* showq - the mail queue listing (qlist.h) for users who may not read the
 * queue: mailq(1) as an ordinary user reaches it through ternpostdrop -p,
 * set-group-id to setgid_group, the group of public/. Runs as mail_owner.
 * The request is one line, "list" or "json" (postqueue -j's format); the
 * answer is the listing, then the connection is closed. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf/params.h"
#include "queue/qlist.h"
#include "server/server.h"
#include "util/log.h"

static void
showq_serve(int in_fd, int out_fd)
{
	struct pollfd pfd = { in_fd, POLLIN, 0 };
	char req[16] = "";
	const char *error;
	ssize_t n = 0;
	FILE *out;
	int fd;

	if (poll(&pfd, 1, (int)var_ipc_timeout * 1000) == 1)
		n = read(in_fd, req, sizeof(req) - 1);
	if (n <= 0)
		return;
	req[n] = 0;
	if ((fd = dup(out_fd)) < 0 || (out = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		log_warn("cannot answer: %m");
		return;
	}
	if (qlist_print(out, strncmp(req, "json", 4) == 0, &error) < 0) {
		log_warn("%s", error);
		fprintf(out,
		    "showq: the queue cannot be read; see the mail "
		    "log\n");
	}
	fclose(out);
}

int
main(int argc, char **argv)
{
	static const struct server_spec spec = {
		.name = "showq",
		.kind = SERVER_SINGLE,
		.serve = showq_serve,
	};

	server_main(argc, argv, &spec);
}
