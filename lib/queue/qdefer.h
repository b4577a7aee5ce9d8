/* qdefer - the reasons why a message's recipients were deferred, kept
 * beside the queue (like Postfix's defer logs) for mailq to show.
 *
 * Format: <queue_dir>/defer/<queue ID>, text, one line per deferred
 * recipient: "<recipient>\t<reason>\n". Neither field holds a control
 * character (the writer turns each into a space, so a reason cannot add a
 * line or a field); the reason is cut at QDEFER_MAX_REASON bytes, and a
 * recipient longer than QDEFER_MAX_RCPT is left out. The queue file
 * itself is never touched: this file is advice, not state.
 *
 * Guarantees: qdefer_write replaces the whole file atomically (a temp
 * file in defer/, then rename), so a reader or a restarted qmgr sees the
 * old list or the new one, never a mix. There is no fsync: after a power
 * loss the file may be missing, old or empty, which only loses the text
 * shown by mailq (the next deferral writes it again). The reader is
 * bounded (QDEFER_MAX_LINE per line, QDEFER_MAX_ENTRIES lines) and skips
 * lines it cannot parse, so a damaged file never fails a listing.
 *
 * Errors: -1 with *error_r set (module-static text valid until the next
 * failing call; not thread-safe). Nothing here is fatal. */
#ifndef TERN_QUEUE_QDEFER_H
#define TERN_QUEUE_QDEFER_H

#include <stddef.h>

#define QDEFER_DIR "defer"
#define QDEFER_MAX_REASON 500
#define QDEFER_MAX_RCPT 1000
#define QDEFER_MAX_LINE (QDEFER_MAX_RCPT + 1 + QDEFER_MAX_REASON)
#define QDEFER_MAX_ENTRIES 100000

struct qdefer_entry {
	char *rcpt;
	char *reason;
};

/* The reasons of one message, in file order; owned by the object. */
struct qdefer {
	struct qdefer_entry *entry;
	size_t n;
};

/* Replace <queue_dir>/defer/<id> with the n pairs rcpt[i], reason[i]
 * (cleaned and cut as above; a NULL reason is written as ""). n == 0
 * removes the file instead. Returns 0, or -1 with *error_r: a bad queue
 * ID, or a failed system call (the temp file is removed). */
int qdefer_write(const char *queue_dir, const char *id, const char *const *rcpt,
    const char *const *reason, size_t n, const char **error_r);

/* Read <queue_dir>/defer/<id>. Returns 1 with *d_r set, 0 with *d_r NULL
 * when there is no such file, or -1 with *error_r (a bad queue ID, a
 * failed open or read other than ENOENT). */
int qdefer_read(const char *queue_dir, const char *id, struct qdefer **d_r,
    const char **error_r);

/* The reason recorded for rcpt, or NULL. d may be NULL. Never fails. */
const char *qdefer_reason(const struct qdefer *d, const char *rcpt);

/* Free; sets *dp to NULL; NULL is allowed. */
void qdefer_free(struct qdefer **dp);

/* Remove <queue_dir>/defer/<id>; a missing file is not an error. Returns
 * 0, or -1 with *error_r. */
int qdefer_remove(const char *queue_dir, const char *id, const char **error_r);

/* Copy s into out (size bytes, NUL-terminated), control characters as
 * spaces, cut at size - 1 bytes. Never fails (size must be > 0). */
void qdefer_clean(char *out, size_t size, const char *s);

#endif
