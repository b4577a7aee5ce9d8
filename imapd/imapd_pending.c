/* TEMPORARY: stand-ins until folder.h, imap_search.h, imap_body land. */
#include "mail/imap_body.h"
#include "util/buf.h"
#include "imapd_sess.h"
int imap_envelope(const char *hdr, size_t hdr_len, struct buf *out) { (void)hdr; (void)hdr_len; buf_puts(out, "NIL"); return 0; }
int imap_bodystructure(const struct mime_message *m, const char *msg, size_t len, int extended, struct buf *out) { (void)m; (void)msg; (void)len; (void)extended; buf_puts(out, "NIL"); return 0; }
int imap_section_parse(const char *text, size_t len, struct imap_section *sec) { (void)text; (void)sec; return len == 0 ? 0 : -1; }
int imap_section_is_part(const struct imap_section *sec) { (void)sec; return 1; }
int imap_section_fetch(const struct mime_message *m, const char *msg, size_t len, const struct imap_section *sec, int binary, struct buf *out) { (void)m; (void)sec; (void)binary; buf_append(out, msg, len); return 0; }
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
