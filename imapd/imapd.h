/* TEMPORARY: the login helper's imapd.h replaces this. */
#ifndef TERN_IMAPD_H
#define TERN_IMAPD_H
#include "server/server_login.h"
void imapd_session(int fd, const char *user, const char *maildir, const struct login_peer *p);
#endif
