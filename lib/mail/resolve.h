/* resolve - where a recipient goes: virtual alias expansion, then the
 * class of each final address (a virtual mailbox, an unknown user of a
 * virtual or local domain, a user of the system in a domain of
 * mydestination found in local_recipient_maps, or a domain we do not
 * handle). smtpd uses it to answer
 * RCPT and to write final recipients into the queue file (the "cleanup"
 * step of Postfix); qmgr uses it to route; local uses resolve_mailbox()
 * and resolve_owner() to find the Maildir and its owner.
 * resolve_open() opens every table named by the virtual_* parameters and
 * must run before chroot/privilege drop (pre_jail). Results carry an
 * enhanced status code and text ready for an SMTP reply or a DSN. Table
 * errors are temporary (4.3.0), never fatal. */
#ifndef TERN_MAIL_RESOLVE_H
#define TERN_MAIL_RESOLVE_H

#include <stddef.h>
#include <sys/types.h>

struct buf;

enum resolve_class {
	RESOLVE_VIRTUAL,    /* a mailbox in virtual_mailbox_maps */
	RESOLVE_UNKNOWN,    /* virtual domain, no such mailbox */
	RESOLVE_RELAY,      /* not a domain of ours */
	RESOLVE_POSTMASTER, /* postmaster with no mailbox: 2bounce rcpt */
	RESOLVE_LOCAL,      /* a user of a domain in mydestination */
};

/* Why a resolution failed: SMTP code, enhanced code, text. */
struct resolve_error {
	int code;     /* 450/451/550/554 */
	char dsn[16]; /* "5.1.1" */
	char text[512];
};

/* The result of alias expansion: final addresses. */
struct resolve_list {
	char **addr;
	size_t n, cap;
};

/* Open the tables. Returns 0, or -1 with *error_r naming the table. */
int resolve_open(const char **error_r);
/* resolve_open() for a daemon's pre_jail hook: a table that cannot be
 * opened is fatal (logged with the parameter's name). */
void resolve_init(void);
/* resolve_open() for a daemon that must answer clients even when a table
 * is missing (smtpd's pre_jail hook): a list that cannot be opened is
 * logged as "<table> is unavailable. <why>" and every lookup through it
 * then fails with 451 4.3.0 "<addr>: Temporary lookup failure", as
 * Postfix's surrogate tables do; the other lists work. Never fatal. (The
 * whole list of that parameter fails, not only the missing table.) */
void resolve_init_lenient(void);
/* Close the tables (a reload opens them again). */
void resolve_close(void);

/* Expand addr through virtual_alias_maps (recursively, with the loop,
 * recursion and expansion limits), appending the final addresses to out.
 * An address that is not aliased is its own result. Returns 0 or -1 with
 * err filled. */
int resolve_alias(const char *addr, struct resolve_list *out,
    struct resolve_error *err);
void resolve_list_free(struct resolve_list *l);
/* Add a copy of addr to l unless it is there already (in any case). */
void resolve_list_add(struct resolve_list *l, const char *addr);

/* Classify a final address. Returns the class, or -1 with err filled (a
 * table error). For RESOLVE_UNKNOWN/RESOLVE_RELAY, err holds the reply
 * that a client should get. */
int resolve_class(const char *addr, struct resolve_error *err);

/* The user name of a RESOLVE_LOCAL address and its address extension
 * (the text after the first recipient_delimiter character that follows
 * at least one other character; empty when none), both lower-cased as
 * Postfix's local does, into user_r and ext_r. Returns 0, or -1 when
 * addr has no usable local part. */
int resolve_local_user(const char *addr, struct buf *user_r, struct buf *ext_r);

/* The aliases(5) value of a local user name (resolve_local_user's user
 * and extension) in alias_maps: "user+ext" first, then "user". Returns 1
 * with a heap copy in *value_r (the caller frees it), 0 when there is no
 * alias, or -1 with err (4.3.0: the table failed or is unavailable). */
int resolve_local_alias(const char *user, const char *ext, char **value_r,
    struct resolve_error *err);

/* The Maildir of a RESOLVE_VIRTUAL address: virtual_mailbox_base joined
 * with the table value (which must end in "/" for Maildir format).
 * Returns 0 or -1 with err. */
int resolve_mailbox(const char *addr, struct buf *path_r,
    struct resolve_error *err);
/* The owner of that mailbox from virtual_uid_maps / virtual_gid_maps
 * (uid at least virtual_minimum_uid, never 0; gid never 0: a delivery
 * never runs as root or with root's group). Returns 0 or -1 with err. */
int resolve_owner(const char *addr, uid_t *uid_r, gid_t *gid_r,
    struct resolve_error *err);

/* Called by resolve_check with one finding, a line for the administrator
 * ("virtual_uid_maps static:0: uid 0 ..."): an error (error = 1: mail to
 * it cannot be delivered as configured) or a warning (error = 0: it
 * waits in the queue until the configuration changes). */
typedef void resolve_report_fn(void *ctx, int error, const char *text);

/* Check every entry of the open virtual tables for what delivery would
 * refuse: in virtual_mailbox_maps an mbox path (a value not ending in
 * "/": only Maildir is supported, such mail is bounced), an absolute path
 * or a ".." segment; in virtual_uid_maps and virtual_gid_maps uid or gid
 * 0, a uid below virtual_minimum_uid, a value that is not a number; in
 * alias_maps a value that does not parse, an :include: file that is
 * missing or that local would refuse (alias_file_load, read as the
 * caller: run it as root); and, when home_mailbox is empty, a
 * mail_spool_directory that is missing or writable by all without the
 * sticky bit.
 * Calls report for each (a uid below the minimum is a warning, the rest
 * are errors). For "tern check". Returns the number of errors, or -1
 * with *error_r set when a table cannot be listed. */
int resolve_check(resolve_report_fn *report, void *ctx, const char **error_r);

/* Where a final address is delivered, from transport_maps (transport(5)
 * syntax "transport:nexthop", searched for the address, its domain, its
 * parent domains as ".domain", then "*"). An empty transport is the
 * default one of the class (local for ours, smtp for other domains); an
 * empty smtp next hop is relayhost, else the recipient's domain. For
 * error: and discard: the next hop is the text ("5.1.1 gone"). */
enum resolve_transport {
	RESOLVE_T_LOCAL,
	RESOLVE_T_SMTP,
	RESOLVE_T_ERROR,
	RESOLVE_T_DISCARD,
};
struct resolve_route {
	enum resolve_transport transport;
	char nexthop[1024];
};
/* cls is resolve_class()'s answer for addr. Returns 0, or -1 with err: a
 * table error (4.3.0), or a transport Tern does not have (4.3.5, logged
 * with the table's name). */
int resolve_route(const char *addr, int cls, struct resolve_route *rt,
    struct resolve_error *err);

#endif
