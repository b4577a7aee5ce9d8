/* imapd_sess - the IMAP session after the login (RFC 9051, RFC 3501), as
 * the mailbox owner, on the socket from the login process (imapd.h).
 *
 *   imapd_session.c  the loop: the parser (imap_parse.h) fed from the
 *                    socket, the command table, the untagged updates
 *                    after each command, IDLE, the logout line.
 *   imapd_select.c   the selected folder: SELECT, EXAMINE, CLOSE,
 *                    UNSELECT, EXPUNGE, the sequence sets and the updates
 *                    mailbox_sync (mailbox.h) reports, STATUS.
 *   imapd_fetch.c    FETCH and STORE.
 *   imapd_copy.c     APPEND, COPY and MOVE (UIDPLUS).
 *   imapd_list.c     LIST, LSUB, CREATE, DELETE, RENAME, SUBSCRIBE,
 *                    UNSUBSCRIBE, NAMESPACE (folder.h).
 *   imapd_search.c   SEARCH (imap_search.h).
 *   imapd_write.c    responses: strings, flag lists, sequence sets.
 *
 * Responses go to sess->out, a stream flushed when the session waits for
 * the client. A command handler gets the command and returns one of the
 * SESS_* values; it writes its own untagged responses and, unless it
 * returns SESS_DONE_REPLIED, the loop writes the tagged OK with the text
 * the handler left in sess->ok (or "<NAME> completed."). */
#ifndef TERN_IMAPD_SESS_H
#define TERN_IMAPD_SESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "mail/imap_parse.h"
#include "mail/imap_search.h"
#include "store/mflags.h"
#include "util/buf.h"

struct imap_arg;
struct imap_command;
struct mailbox;
struct mailbox_put;
struct maildir_msg;
struct stream;

/* Handler results. */
enum sess_result {
	SESS_OK,      /* tagged OK from sess->ok */
	SESS_REPLIED, /* the handler wrote its tagged response */
	SESS_LOGOUT,  /* end the session after the reply */
	SESS_CLOSED,  /* the connection is over, no reply: sess->why */
};

/* The most UIDs a saved search result holds (RFC 5182). */
#define SESS_SAVED_MAX ((size_t)1 << 24)

/* Command table flags. */
#define CMD_SELECTED 0x01 /* needs a selected folder */
#define CMD_NO_EXPUNGE \
	0x02         /* no EXPUNGE responses after it (RFC 9051 \
		7.5.1: FETCH, STORE, SEARCH without UID) */
#define CMD_UID 0x04 /* has a UID form */

/* ENABLE'd extensions (RFC 5161). */
#define SESS_ENABLED_REV2 0x01
#define SESS_ENABLED_UTF8 0x02
/* ENABLE UTF8=ACCEPT (RFC 9755): UTF-8 as with IMAP4rev2, APPEND's UTF8
 * data extension, and no CHARSET in SEARCH. */
#define SESS_ENABLED_UTF8_ACCEPT 0x04

/* The selected folder. */
struct sel {
	char *name; /* as the client sees it (UTF-8) */
	char *path; /* its Maildir */
	struct mailbox *mb;
	int readonly;
	struct mkeywords kw;
	time_t kw_mtime;           /* dovecot-keywords as last read */
	size_t exists;             /* EXISTS announced */
	struct imap_seqlist saved; /* SEARCHRES "$": UIDs (RFC 5182) */
	struct mcache *cache;      /* dates, ENVELOPE...: sel_cache() */
};

struct sess {
	struct stream *out;
	int fd; /* the socket (read directly; out writes to it) */
	struct imap_parser *parser;
	const char *user;
	const char *maildir; /* INBOX */
	struct sel *sel;     /* NULL: authenticated state */
	unsigned enabled;    /* SESS_ENABLED_* */
	int uid;             /* the command is a UID command */
	struct buf ok;       /* tagged OK text */
	struct buf tmp;      /* scratch for handlers */
	struct buf pbuf;     /* sess_printf's */
	/* input */
	char *in;
	size_t in_len, in_off;
	/* APPEND's streamed literals, in order, into put */
	struct mailbox_put *put;
	struct maildir_msg **streamed;
	size_t nstreamed;
	int streaming;     /* the last of streamed is being written */
	int stream_failed; /* a streamed literal could not be kept */
	/* counts for the logout line */
	unsigned long long in_bytes, out_bytes;
	unsigned long expunged, deleted;
	int bad;
	time_t start;
	time_t deadline; /* imapd_session_deadline; 0: none */
	const char *why; /* SESS_CLOSED's reason, for the log */
};

/* imapd_write.c: output helpers. Strings as quoted when they can be,
 * else literals (RFC 9051 4.3). */
void sess_printf(struct sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void sess_write(struct sess *s, const void *p, size_t n);
/* A string value: quoted, or a literal when it holds CR, LF, NUL or
 * 8-bit bytes or is long (imap_write_nstring). */
void sess_string(struct sess *s, const char *p, size_t n);
/* n UIDs (ascending runs compressed: 1:3,7) as a uid-set into out. */
void uidset_to_buf(struct buf *out, const uint32_t *v, size_t n);
/* "(\Seen \Flagged $Forwarded kw)" for flags f in the selected folder,
 * \Recent added when recent (not after ENABLE IMAP4rev2), extra (when
 * not NULL) last. */
void sess_flags(struct sess *s, const struct mflags *f, int recent,
    const char *extra);
/* The text value of an argument (ATOM, NUMBER, STRING, LITERAL), or
 * NULL. */
const char *arg_text(const struct imap_arg *a);
/* Whether a is an ATOM equal to word (case-insensitive). */
int arg_is(const struct imap_arg *a, const char *word);

/* imapd_select.c */
int cmd_select(struct sess *s, const struct imap_command *c);
int cmd_close(struct sess *s, const struct imap_command *c);
int cmd_unselect(struct sess *s, const struct imap_command *c);
int cmd_expunge(struct sess *s, const struct imap_command *c);
int cmd_status(struct sess *s, const struct imap_command *c);
/* Close the selected folder (nothing written). */
void sel_close(struct sess *s);
/* Look at the selected folder again and write what changed: EXPUNGE
 * (when expunge is set), EXISTS, RECENT, FETCH (FLAGS) of messages
 * others flagged. */
void sel_sync(struct sess *s, int expunge);
/* Resolve a sequence set (message numbers, or UIDs when uid) to view
 * indices, ascending, into *idx (caller frees); "$" is the saved result.
 * Returns the count, or -1 with a BAD text in s->tmp (a number beyond
 * the view: RFC 9051 gives BAD for message numbers only). */
long
sel_resolve(struct sess *s, const struct imap_arg *set, int uid, size_t **idx);
/* Message i's internal date: from the folder's cache, else its file's
 * mtime (then cached). The date, or 0 when the message is gone. */
time_t sess_msg_date(struct sess *s, size_t i);
/* Message i's RFC822.SIZE: known from its name or the UID list, else from
 * the folder's cache, else counted by reading it (then cached; SELECT
 * does not count: MAILBOX_LAZY_VSIZE). 0 when it is gone or unreadable
 * (logged). */
uint64_t sess_msg_vsize(struct sess *s, size_t i);
/* Whether message i's RFC822.SIZE is known without reading the message
 * (its name, the UID list or the folder's cache). */
int sess_msg_vsize_known(struct sess *s, size_t i);
/* Keep the RFC822.SIZE the caller counted from message i's whole file
 * (mailbox_msg_counted_vsize), in the folder's cache too. */
void sess_msg_vsize_counted(struct sess *s, size_t i, off_t vsize);
/* The selected folder's cache (mcache.h), opened at first use. */
struct mcache *sel_cache(struct sess *s);
/* Write what was put in the folder's cache (errors are logged). */
void sel_cache_flush(struct sess *s);
/* The keywords file of the selected folder, reread when it changed. */
void sel_keywords(struct sess *s);
/* The folder's Maildir for an IMAP name (INBOX or a folder), into out;
 * -1 when the name is not valid. */
int sess_folder_path(struct sess *s, const char *name, struct buf *out);
/* Whether the folder at path exists (a Maildir: its cur/). */
int sess_folder_exists(const char *path);
/* folder.h's flags for this session's names: UTF-8 after ENABLE
 * IMAP4rev2 (RFC 9051 5.1), modified UTF-7 before. */
int sess_folder_flags(const struct sess *s);
/* Whether a is a list of status items this server knows. */
int sess_status_items_ok(const struct imap_arg *a);
/* "* STATUS name (items...)" of the folder at path. 0, or -1 (logged). */
int sess_status(struct sess *s, const char *name, const char *path,
    const struct imap_arg *items);

/* imapd_fetch.c */
int cmd_fetch(struct sess *s, const struct imap_command *c);
int cmd_store(struct sess *s, const struct imap_command *c);
/* imapd_write.c: the MFLAG_* bit of a system flag, 0 for a keyword, -1
 * for one a client cannot set. */
int sess_flag_bit(const char *name);
/* sess_load's whole: at least the header block, the whole file, or the
 * whole file when it is at most SESS_LOAD_SMALL bytes (else the header). */
#define SESS_LOAD_HEADER 0
#define SESS_LOAD_WHOLE 1
#define SESS_LOAD_WHOLE_IF_SMALL 2
#define SESS_LOAD_SMALL ((off_t)4 * 1024 * 1024)
/* Read message i into data as whole says. Returns 1, 2 when it read the
 * whole file for SESS_LOAD_WHOLE_IF_SMALL, 0 when the message is gone,
 * -1 (logged). */
int sess_load(struct sess *s, size_t i, int whole, struct buf *data);
/* The length of the header block at p (n bytes), its empty line
 * included. */
size_t sess_header_len(const char *p, size_t n);
/* Parse a flag list (or flags one after the other) into f: keywords by
 * their index in kws (NULL: ignored), those kws lacks added to it and the
 * table written to dir (NULL: a keyword kws lacks is left out). Returns
 * 0, or -1 with a response text in s->tmp. */
int sess_parse_flags(struct sess *s, const struct imap_arg *a, struct mflags *f,
    struct mkeywords *kws, const char *dir);

/* imapd_copy.c */
int cmd_append(struct sess *s, const struct imap_command *c);
int cmd_copy(struct sess *s, const struct imap_command *c);
int cmd_move(struct sess *s, const struct imap_command *c);
/* A streamed literal's piece (APPEND): written to the message it
 * starts. */
void sess_append_piece(struct sess *s, const char *p, size_t n, uint64_t left);
void sess_append_drop(struct sess *s);

/* imapd_list.c */
int cmd_list(struct sess *s, const struct imap_command *c);
int cmd_lsub(struct sess *s, const struct imap_command *c);
int cmd_create(struct sess *s, const struct imap_command *c);
int cmd_delete(struct sess *s, const struct imap_command *c);
int cmd_rename(struct sess *s, const struct imap_command *c);
int cmd_subscribe(struct sess *s, const struct imap_command *c);
int cmd_unsubscribe(struct sess *s, const struct imap_command *c);
int cmd_namespace(struct sess *s, const struct imap_command *c);

/* imapd_search.c */
int cmd_search(struct sess *s, const struct imap_command *c);

/* imapd_session.c: the tagged NO/BAD of the command running. */
int sess_no(struct sess *s, const struct imap_command *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sess_bad(struct sess *s, const struct imap_command *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The capability list after login, into out. */
void sess_capability(struct buf *out);

#endif
