/* pickup - local submissions from maildrop/ into the queue.
 * One long-lived trigger server (master.cf wakeup, and pokes from sendmail
 * and ternpostdrop on public/pickup). Each trigger scans maildrop/: every
 * complete file (maildrop.h) is opened without following links, checked
 * whole as untrusted input, and copied into a real queue file with what a
 * local submission needs (Received:, and Date:, Message-ID:, From: when
 * missing); the queue file is committed before the maildrop file is
 * removed, so a crash in between means a duplicate, never a loss. A
 * malformed file goes to corrupt/. The submitter is the file's owner,
 * never what the file says. Recipients go through virtual_alias_maps, as
 * smtpd's do (the queue holds final addresses); a table that fails leaves
 * the file for the next scan. Failures are logged, never fatal. */
#ifndef TERN_PICKUP_H
#define TERN_PICKUP_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* The skeleton's hooks (pickup_scan.c). */
void pickup_init(void);
void pickup_trigger(const char *req, size_t len);

/* Scan maildrop/ under the current directory (the queue directory) once;
 * returns the number of messages queued. */
int pickup_scan(void);

/* What the header section of a submitted message holds (pickup_header.c).
 * len: bytes of the header fields, their line ends included, not the empty
 * line after them; body_sep: 1 when an empty line follows (else the body
 * starts without one, or there is no body); complete: the section ended
 * within the bytes scanned. */
struct pickup_header {
	size_t len;
	int complete;
	int body_sep;
	int date, message_id, from;
	char message_id_value[256];
};

/* Scan the n bytes at p, the start of a message with LF line ends. Never
 * fails. */
void pickup_header_scan(const char *p, size_t n, struct pickup_header *h);

/* The display form of an address with a full name: "Full Name" <addr>
 * (quotes and backslashes escaped), or addr alone when name is NULL or
 * empty. Appended to out; -1 when out is full. */
struct buf;
int pickup_from_field(struct buf *out, const char *name, const char *addr);

#endif
