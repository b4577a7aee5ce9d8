/* mailbox_impl - what mailbox.c, mailbox_sync.c and mailbox_put.c share:
 * the struct mailbox and the scan of a folder's directories. Internal to
 * lib/store; see mailbox.h for the contract. */
#ifndef TERN_STORE_MAILBOX_IMPL_H
#define TERN_STORE_MAILBOX_IMPL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "store/mailbox.h"
#include "store/uidlist.h"

struct buf;
struct htable;

struct mailbox {
	char *path; /* the Maildir, without trailing slashes */
	int lock_fd;
	int flags; /* mailbox_open's */
	struct uidlist ul;
	struct mailbox_msg *msgs;
	size_t count, cap;
	uint32_t max_uid; /* the highest UID the view has shown */
	/* cur/ and new/ as the last scan found them (mailbox_sync skips a
	 * scan when neither changed since and the scan was settled) */
	struct timespec cur_mtime, new_mtime;
	/* The coarse clock just before the last scan stat'ed cur/ and new/,
	 * and whether both mtimes were behind it then (mbx_settled): a later
	 * change then moves them on, so an unchanged mtime means unchanged. */
	struct timespec scan_t0;
	int scan_settled;
	/* The last scan's dovecot-uidlist, as stat'ed before and after it was
	 * read (ul_known: the same file both times) */
	struct stat ul_st;
	int ul_known;
	/* The last scan saw the folder as the view shows it, settled, with
	 * nothing moved from new/ and the list not written: its view may be
	 * kept in tern-index (mbx_index_save) */
	int index_ok;
	size_t lazy_counted; /* sizes counted by mailbox_msg_vsize */
};

/* One file found by a scan of cur/. */
struct ent {
	char *name; /* "cur/<file name>" */
	char *base;
	off_t size, vsize; /* vsize: -1 until known */
	int counted;       /* vsize counted here: to be kept in the list */
	int gone;
	int recent; /* moved from new/ by this scan */
	int taken;  /* mailbox_sync: matched to a message of the view */
	/* Its record in the mailbox's list as mbx_scan left it, or NULL */
	const struct uidlist_rec *rec;
};

struct scan {
	struct ent *ents;
	size_t count, cap;
	struct htable *bases; /* base -> index in ents, plus one */
};

/* path/sub (sub may be NULL) into b; returns b's text. */
const char *mbx_sub_path(struct buf *b, const char *path, const char *sub);
int mbx_fsync_dir(const char *path, struct buf *err);
/* Look at the folder: move new/ to cur/ (the moved bases into moved, when
 * not NULL), scan cur/ with sizes, read the list, count the sizes it
 * lacks, and write the list when it is stale. s is filled, each file with
 * its record in mb->ul (rec). */
int mbx_scan(struct mailbox *mb, struct scan *s, struct htable *moved,
    struct buf *err);
/* The file of base that the scan found, or NULL. The table holds
 * indices (plus one) into ents, which moves as it grows. */
struct ent *mbx_scan_find(const struct scan *s, const char *base);
void mbx_scan_free(struct scan *s);
/* Find base's file again (another client renamed it). 1 with
 * "cur/<name>" in out, 0 gone, -1 error. */
int mbx_find_by_base(const char *path, const char *base, struct buf *out,
    struct buf *err);
/* Open path/name for reading; on ENOENT look for base again and update
 * *name (heap). 1 with *fd_r, 0 when gone, -1 with err. */
int mbx_open_msg(const char *path, char **name, const char *base, int *fd_r,
    struct buf *err);
/* Read the open message file fd (path/name, for errors) to its end,
 * counting its wire size into *v and its length into *size; closes fd.
 * 0, or -1 with err. */
int mbx_read_vsize(int fd, const char *path, const char *name, off_t *v,
    off_t *size, struct buf *err);
/* Make room for one more message in mb->msgs. */
struct mailbox_msg *mbx_msg_new(struct mailbox *mb);
/* Append the file x (which has UID record r) to the view; its strings
 * move to the message. */
struct mailbox_msg *
mbx_msg_take(struct mailbox *mb, struct ent *x, const struct uidlist_rec *r);
void mbx_msg_free(struct mailbox_msg *m);

/* Whether a directory whose mtime is m, stat'ed when the coarse clock
 * (CLOCK_REALTIME_COARSE, the clock file times come from) said t0, can
 * have changed since without m moving on: not when t0 was past m's clock
 * tick (a file system with whole-second times: past m's second and the
 * next). */
int mbx_settled(const struct timespec *m, const struct timespec *t0);
/* Whether two file times are the same to the nanosecond. */
int mbx_same_time(const struct timespec *a, const struct timespec *b);

/* mailbox_index.c: the view kept in the folder's tern-index file, so that
 * a folder that has not changed opens without reading its directories.
 * mbx_index_load fills the empty view mb (msgs, uidvalidity and nextuid,
 * the mtimes) from the file when cur/, new/ and dovecot-uidlist are
 * exactly as they were when it was written, and returns 1; 0 when there
 * is none, it is stale or damaged, or it lacks a size POP3 needs (mb is
 * then as it was). mbx_index_save writes the view when the last scan says
 * index_ok; errors are ignored (the index is only a short cut). */
#define MBX_INDEX_FILE "tern-index"
int mbx_index_load(struct mailbox *mb);
void mbx_index_save(struct mailbox *mb);
/* The stat(2) of cur/, new/ and dovecot-uidlist an index is valid for. */
struct mbx_stamp {
	struct stat cur, new, ul;
};
/* The index's text_len bytes at text (no NUL needed) into the empty view
 * mb, as mbx_index_load does once it has read the file; st NULL takes any
 * stamp (the fuzzer). 1, or 0 with mb as it was. */
int mbx_index_parse(struct mailbox *mb, const char *text, size_t text_len,
    const struct mbx_stamp *st);

#endif
