/* folder - a user's IMAP mailboxes as Dovecot's Maildir++ keeps them:
 * names and directories, LIST, CREATE, DELETE, RENAME, subscriptions and
 * the folders a new user starts with.
 *
 * Layout (Dovecot LAYOUT=maildir++, its default for Maildir): the user's
 * Maildir is INBOX; every other mailbox is a Maildir in a directory of
 * the Maildir named "." and its storage name, with an empty file
 * "maildirfolder" in it. The storage name is the IMAP name in modified
 * UTF-7 (RFC 3501 5.1.3, mutf7.h) with the hierarchy separator "/"
 * written "."; so "Work/2024" is "<maildir>/.Work.2024/", and "Entwürfe"
 * ".Entw&APw-rfe". Parents are implicit: ".a.b" without ".a" makes "a" a
 * name that does not exist but has children (RFC 5258 \NonExistent).
 * Names in and out are UTF-8 with FOLDER_UTF8 (IMAP4rev2, UTF8=ACCEPT:
 * RFC 9051 5.1, RFC 6855 3), modified UTF-7 without it (IMAP4rev1).
 *
 * Names: INBOX in any case is INBOX (RFC 3501 5.1), as the first level
 * too ("inbox/x" is "INBOX/x", stored ".INBOX.x", as Dovecot does). With
 * no escape character Dovecot refuses what its storage cannot hold, and
 * so does this module: an empty level (an empty name, "/" first or last,
 * "//"), a level that holds "." or starts with "~", a control character
 * (below 0x20, 0x7f), invalid UTF-8 or modified UTF-7, and a storage name
 * longer than FOLDER_STORAGE_MAX (the directory name must fit NAME_MAX).
 *
 * Subscriptions are Dovecot 2.3's "subscriptions" file in the Maildir,
 * as src/lib-storage/list/subscription-file.c (dovecot/core; the same
 * in 2.3.21.1 and in its main branch of 2026) reads and writes it, given
 * the storage name (index-storage.c, index_storage_set_subscribed: its
 * box->name, mailbox_list_get_storage_name of the IMAP name): the header
 * "V\t2\n\n", then one storage name a line, each level written with
 * str_append_tabescaped (\001 as \0011, TAB \001t, CR \001r, LF
 * \001n) and the levels joined by a TAB in place of the storage
 * separator ("Work\t2024"); INBOX written "INBOX". A file without the
 * header is version 1: one storage name a line, as it is. Dovecot drops
 * a separator at the end of a name and entries that are not valid names
 * (and removes those from the file); the reader here drops them too but
 * leaves the file alone. Dovecot writes under a dot-lock,
 * "subscriptions.lock", created exclusively, written, fsync'ed and
 * renamed over the file, a lock untouched for 30 s taken as stale
 * (SUBSCRIPTION_FILE_CHANGE_TIMEOUT); the writer here does the same, then
 * fsyncs the directory, and always writes version 2 (a version 1 file is
 * converted). Lines it does not touch are written back as they were.
 *
 * Durability: a created folder's directories and its maildirfolder file
 * are fsync'ed into the folder, then the folder into the Maildir
 * (maildir_make_folder); a new user's five default folders are made
 * without fsyncs, their entries made durable by the fsync of their
 * subscriptions (folder_make_defaults); a delete, rename or
 * subscription change is durable (the Maildir fsync'ed) before it
 * returns 0. A rename of a folder with inferiors is one rename(2) a
 * directory: a crash in between leaves some inferiors under the old
 * name, never a lost message.
 *
 * Errors: functions that can fail return 0 (or more) on success and one
 * of the negative FOLDER_* codes below, with a text in err (may be NULL);
 * nothing is fatal. Limits: FOLDER_NAME_MAX, FOLDER_STORAGE_MAX,
 * FOLDER_PATTERN_MAX, FOLDER_COUNT_MAX (folders listed, subscriptions
 * read), FOLDER_SUBS_MAX (bytes of the subscriptions file). Not
 * thread-safe; ownership of what is returned is stated at each call. */
#ifndef TERN_STORE_FOLDER_H
#define TERN_STORE_FOLDER_H

#include <stddef.h>

struct buf;

/* flags: names in and out are UTF-8 (else modified UTF-7). */
#define FOLDER_UTF8 0x01
/* folder_list: list the subscribed names (RFC 5258 LIST (SUBSCRIBED),
 * LSUB), existing or not, instead of the mailboxes. */
#define FOLDER_LIST_SUBSCRIBED 0x02

/* Results. The server's replies: FOLDER_ERROR NO [SERVERBUG] (or
 * [UNAVAILABLE]), FOLDER_BADNAME NO [CANNOT] (RFC 5530: can never
 * succeed), FOLDER_EXISTS NO [ALREADYEXISTS], FOLDER_NONEXISTENT NO
 * [NONEXISTENT], FOLDER_CANNOT NO [CANNOT]. */
/* a system call failed, a lock is held, a count limit passed */
#define FOLDER_ERROR (-1)
#define FOLDER_BADNAME (-2)     /* not a valid name (err says why) */
#define FOLDER_EXISTS (-3)      /* the target exists */
#define FOLDER_NONEXISTENT (-4) /* the mailbox does not exist */
/* never allowed: delete INBOX, rename into its own inferior */
#define FOLDER_CANNOT (-5)

/* A name as the client writes it, in bytes (checked before conversion). */
#define FOLDER_NAME_MAX 1024
/* A storage name: ".<storage>" must fit a file name (NAME_MAX 255). */
#define FOLDER_STORAGE_MAX 254
/* A LIST reference and pattern together, in bytes. */
#define FOLDER_PATTERN_MAX 1024
/* Folders (with their implicit parents) a list may hold, and
 * subscriptions read: more is FOLDER_ERROR. */
#define FOLDER_COUNT_MAX 10000
/* The subscriptions file: its name in the Maildir, its largest size. */
#define FOLDER_SUBS_FILE "subscriptions"
#define FOLDER_SUBS_LOCK "subscriptions.lock"
#define FOLDER_SUBS_MAX (1024 * 1024)
/* Dovecot's stale time for the subscriptions lock (seconds), and how long
 * a writer here waits for a live one. */
#define FOLDER_SUBS_STALE 30
#define FOLDER_SUBS_WAIT 5
/* The file that marks a Maildir++ folder (Dovecot, Courier). */
#define FOLDER_MARKER "maildirfolder"

/* Attributes (RFC 3501 7.2.2, RFC 5258, RFC 6154). Every name has one
 * of \HasChildren and \HasNoChildren. FOLDER_NONEXISTENT_ATTR is
 * \NonExistent, which implies \Noselect (IMAP4rev1 clients: show
 * \Noselect). SPECIAL-USE: the top-level folders named Sent, Drafts,
 * Trash, Junk and Archive (that case exactly), when they exist. */
#define FOLDER_HASCHILDREN 0x001
#define FOLDER_HASNOCHILDREN 0x002
#define FOLDER_NONEXISTENT_ATTR 0x004
#define FOLDER_SUBSCRIBED 0x008
#define FOLDER_SENT 0x010
#define FOLDER_DRAFTS 0x020
#define FOLDER_TRASH 0x040
#define FOLDER_JUNK 0x080
#define FOLDER_ARCHIVE 0x100

struct folder_info {
	char *name;     /* the IMAP name, UTF-8 or modified UTF-7 */
	unsigned attrs; /* FOLDER_HASCHILDREN ... */
};

/* What folder_list and folder_subscriptions return; the caller frees it
 * with folder_set_free. */
struct folder_set {
	struct folder_info *items;
	size_t count;
};

/* Check name (UTF-8 with FOLDER_UTF8, else modified UTF-7) and replace
 * storage_r with its storage name: "INBOX" for INBOX, else modified
 * UTF-7 with "/" as ".". Returns 0, or FOLDER_BADNAME with err set. */
int folder_storage_name(const char *name, int flags, struct buf *storage_r,
    struct buf *err);

/* The reverse: replace name_r with the IMAP name (per flags) of a storage
 * name (a folder's directory name without its "."; "INBOX"). Returns 0,
 * or FOLDER_BADNAME with err set for a storage name that no valid IMAP
 * name gives (such directories are not listed). */
int folder_imap_name(const char *storage, int flags, struct buf *name_r,
    struct buf *err);

/* Replace path_r with the directory of the mailbox name under maildir:
 * maildir itself for INBOX, else "<maildir>/.<storage name>". Returns 0,
 * FOLDER_BADNAME, or FOLDER_ERROR when path_r is too small. */
int folder_path(const char *maildir, const char *name, int flags,
    struct buf *path_r, struct buf *err);

/* Replace out with the LIST reference and pattern joined (RFC 3501
 * 6.3.8: the reference is put in front of the pattern). Returns 0, or
 * FOLDER_BADNAME when the result is longer than FOLDER_PATTERN_MAX. */
int folder_pattern(const char *ref, const char *pattern, struct buf *out,
    struct buf *err);

/* Whether name matches pattern (RFC 9051 6.3.9: "*" matches anything,
 * "%" anything but "/"; other characters themselves; a name whose first
 * level is INBOX matches it without case, RFC 3501 5.1). Time at most
 * (name length + 1) * (pattern length + 1) steps, with no recursion: a
 * table of the pattern's prefixes row by row of the name, after runs of
 * wildcards are made one and a pattern with more literal characters
 * than the name is refused at once (so at most about 2 * length^2). A
 * pattern longer than FOLDER_PATTERN_MAX matches nothing. Returns 1 or
 * 0. */
int folder_match(const char *pattern, const char *name);

/* The mailboxes of maildir (or, with FOLDER_LIST_SUBSCRIBED, the
 * subscribed names) whose names match ref and pattern joined
 * (folder_pattern), with their attributes, into *out (replaced): INBOX
 * first, then the others in byte order. A directory is a mailbox when
 * its name starts with "." (not "." or ".."), it is a directory and it
 * holds cur/; one whose name no valid IMAP name gives is skipped.
 * Implicit parents are listed with FOLDER_NONEXISTENT_ATTR. Returns 0,
 * FOLDER_BADNAME (the pattern), or FOLDER_ERROR (a failed readdir, a
 * subscriptions file that cannot be read, more than FOLDER_COUNT_MAX
 * names). */
int folder_list(const char *maildir, const char *ref, const char *pattern,
    int flags, struct folder_set *out, struct buf *err);

/* Free what a folder_set holds and empty it. Never fails. */
void folder_set_free(struct folder_set *set);

/* Create the mailbox name: its Maildir (cur/ new/ tmp/) and the
 * maildirfolder file, durable, the Maildir itself made first when
 * missing. One "/" at the end of name is dropped (RFC 3501 6.3.3); its
 * parents stay implicit. Returns 0, FOLDER_BADNAME, FOLDER_EXISTS (INBOX,
 * or a folder with cur/), or FOLDER_ERROR. */
int folder_create(const char *maildir, const char *name, int flags,
    struct buf *err);

/* Delete the mailbox name: its messages and its directory (what is in it,
 * to a depth of 8; symbolic links are removed, never followed), not its
 * inferiors, which stay as they are (RFC 9051 6.3.5; the name becomes an
 * implicit parent). The directory is first renamed out of sight
 * ("tern-trashed.<pid>" in the Maildir, which Dovecot does not list),
 * then removed; leftovers of a crash are removed by the next delete. The
 * subscription is left as it is (RFC 3501 6.3.6). Returns 0,
 * FOLDER_BADNAME, FOLDER_CANNOT (INBOX), FOLDER_NONEXISTENT, or
 * FOLDER_ERROR. */
int folder_delete(const char *maildir, const char *name, int flags,
    struct buf *err);

/* Rename the mailbox from to to, with its inferiors (RFC 9051 6.3.6): one
 * rename(2) each, from's own directory first; from may be an implicit
 * parent. Renaming INBOX moves its messages (new/ and cur/, names kept;
 * its dovecot-keywords copied) into the new folder to, which must not
 * exist, and leaves INBOX empty; INBOX's inferiors stay. Everything is
 * checked before anything is renamed. Returns 0, FOLDER_BADNAME (a name,
 * or a target storage name too long), FOLDER_EXISTS (to, or the new name
 * of an inferior, exists; to is INBOX or from), FOLDER_NONEXISTENT
 * (neither from nor an inferior exists), FOLDER_CANNOT (to is under
 * from), or FOLDER_ERROR (what was renamed before the failure stays
 * renamed). Subscriptions are left as they are, as Dovecot leaves them
 * (index-storage.c: "renames also don't change subscriptions"). */
int folder_rename(const char *maildir, const char *from, const char *to,
    int flags, struct buf *err);

/* Add name to, or remove it from, the subscriptions (see above). Any
 * valid name may be subscribed, existing or not; the Maildir is made
 * when missing. Returns 1 when the file changed, 0 when it already said
 * so (nothing written), FOLDER_BADNAME, or FOLDER_ERROR (the lock held
 * past FOLDER_SUBS_WAIT seconds, a failed read or write; the file is
 * then as it was). */
int folder_subscribe(const char *maildir, const char *name, int flags,
    struct buf *err);
int folder_unsubscribe(const char *maildir, const char *name, int flags,
    struct buf *err);

/* The subscribed names (per flags) into *out (replaced), in the file's
 * order, duplicates and invalid entries dropped, each with
 * FOLDER_SUBSCRIBED. No file: none. Returns 0 or FOLDER_ERROR. */
int folder_subscriptions(const char *maildir, int flags, struct folder_set *out,
    struct buf *err);

/* A new user's folders: when maildir has no folder and no subscriptions
 * file (the first login), create Sent, Drafts, Trash, Junk and Archive,
 * then subscribe them and INBOX. Otherwise do nothing: calling it at
 * every login is cheap and idempotent. Returns 1 when it made them, 0
 * when there was nothing to do, or FOLDER_ERROR. */
int folder_make_defaults(const char *maildir, struct buf *err);

#endif
