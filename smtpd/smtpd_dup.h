/* smtpd_dup - the duplicate filter of smtpd's cleanup step: which final
 * recipients have been written to the queue file already.
 * Addresses compare without regard to case: the lookup tables fold keys to
 * lower case, so ALICE@EXAMPLE.TEST and alice@example.test reach the same
 * mailbox and must be delivered once. The filter is bounded as Postfix's
 * is (duplicate_filter_limit): once it holds limit addresses it remembers
 * no more, and a later duplicate of an address it did not remember goes
 * through (a second delivery, never a loss). One filter serves one queue
 * file: create, ask, destroy. Nothing here fails (out of memory is fatal,
 * see mem.h). */
#ifndef TERN_SMTPD_DUP_H
#define TERN_SMTPD_DUP_H

struct smtpd_dup;

/* A filter remembering at most limit addresses (0: no limit). */
struct smtpd_dup *smtpd_dup_create(long limit);
void smtpd_dup_destroy(struct smtpd_dup **dp);

/* 1 when addr was given before (any case) and remembered; else 0, and
 * addr is remembered while the filter holds fewer than limit. */
int smtpd_dup_seen(struct smtpd_dup *d, const char *addr);

#endif
