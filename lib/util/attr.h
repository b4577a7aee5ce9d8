/* attr - the named-attribute codec for requests between daemons.
 * A message is a list of attributes, each a name and a value, ended by an
 * empty name. On the wire each string is a 4-byte big-endian length then
 * its bytes, so nothing in a value can be mistaken for structure. Names
 * and values are C strings: a NUL in either is an error, never a silent
 * truncation. Readers cap the number of attributes and every length, keep
 * unknown attributes (callers ignore what they do not know), and report
 * truncation as an error. Senders use attr_put*() and then
 * stream_flush(); receivers call attr_recv() and look values up by name.
 * Protocol errors are return values; nothing here is fatal. */
#ifndef TERN_UTIL_ATTR_H
#define TERN_UTIL_ATTR_H

#include <stddef.h>

struct stream;

struct attr {
	char *name;
	char *value; /* NUL-terminated; never contains a NUL */
	size_t vlen;
};

struct attr_list {
	struct attr *a;
	size_t n, cap;
};

#define ATTR_MAX_COUNT 10000
#define ATTR_MAX_LEN (1024 * 1024)

/* Queue one attribute / a decimal number / the end marker. Return 0 or a
 * negative stream status (see stream.h). */
int attr_put(struct stream *s, const char *name, const char *value);
int attr_put_long(struct stream *s, const char *name, long value);
int attr_put_end(struct stream *s);

/* Read one message into l (cleared first). Returns 1, 0 on EOF before any
 * byte, or -1 with *error_r set (timeout, I/O, truncation, over a cap). */
int attr_recv(struct stream *s, struct attr_list *l, const char **error_r);

/* The value of the first attribute called name, or NULL. */
const char *attr_get(const struct attr_list *l, const char *name);
/* Parse a decimal value: 0, or -1 when missing or not a number. */
int attr_get_long(const struct attr_list *l, const char *name, long *v_r);
/* Append a copy of name and value to l (a request built in memory). */
void attr_list_add(struct attr_list *l, const char *name, const char *value);
/* Queue every attribute of l, then the end marker: 0 or a negative
 * stream status. */
int attr_put_list(struct stream *s, const struct attr_list *l);
/* Free the contents; the list may be reused. */
void attr_list_clear(struct attr_list *l);

#endif
