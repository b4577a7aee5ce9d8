/* SPDX-License-Identifier: MIT */
/* imapd_session - PLACEHOLDER for the authenticated and selected states:
 * it only answers the login's tag and LOGOUT, so that imapd links and
 * its login can be tested. The real session replaces this file whole.
 * See imapd.h for the hand-over (the first line is the login's tag). */
#include <string.h>
#include <strings.h>

#include "conf/params.h"
#include "util/buf.h"
#include "util/stream.h"

#include "imapd.h"

/* A line's first word (the tag) and second (the command), in place. */
static void
split(struct buf *line, const char **tag, const char **name)
{
	char *s = line->data, *sp;

	s[strcspn(s, "\r\n")] = '\0';
	*tag = s;
	*name = "";
	if ((sp = strchr(s, ' ')) != NULL) {
		*sp++ = '\0';
		sp[strcspn(sp, " ")] = '\0';
		*name = sp;
	}
}

void
imapd_session(int fd, const char *user, const char *maildir,
    const struct login_peer *p)
{
	struct stream *s = stream_create(fd, 0);
	const char *error, *tag, *name;
	struct buf line;

	(void)user;
	(void)maildir;
	(void)p;
	buf_init(&line, IMAPD_LOGIN_LINE_MAX);
	stream_set_timeout(s, (int)var_imapd_timeout);
	if (stream_get_line(s, &line, IMAPD_LOGIN_LINE_MAX, &error) ==
	    STREAM_LINE) {
		split(&line, &tag, &name);
		(void)stream_printf(s,
		    "%s OK [CAPABILITY IMAP4rev1] Logged in\r\n", tag);
		(void)stream_flush(s, &error);
		buf_reset(&line);
		while (stream_get_line(s, &line, IMAPD_LOGIN_LINE_MAX,
			   &error) == STREAM_LINE) {
			split(&line, &tag, &name);
			if (strcasecmp(name, "LOGOUT") == 0) {
				(void)stream_printf(s,
				    "* BYE Logging out\r\n"
				    "%s OK Logout completed.\r\n",
				    tag);
				break;
			}
			(void)stream_printf(s, "%s BAD not yet\r\n", tag);
			(void)stream_flush(s, &error);
			buf_reset(&line);
		}
	}
	(void)stream_flush(s, &error);
	buf_deinit(&line);
	stream_destroy(&s);
}
