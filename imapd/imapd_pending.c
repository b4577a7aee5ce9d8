/* TEMPORARY: stand-ins until folder.h, imap_search.h, imap_body land. */
#include "mail/imap_body.h"
#include "util/buf.h"
#include "imapd_sess.h"
#define PENDING(f) int f(struct sess *s, const struct imap_command *c) { return sess_bad(s, c, "not yet"); }
PENDING(cmd_list)
PENDING(cmd_lsub)
PENDING(cmd_create)
PENDING(cmd_delete)
PENDING(cmd_rename)
PENDING(cmd_subscribe)
PENDING(cmd_unsubscribe)
PENDING(cmd_namespace)
PENDING(cmd_search)
