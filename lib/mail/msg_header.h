/* msg_header - small facts about message header fields shared by the
 * programs that take in a message (smtpd's cleanup, pickup, sendmail).
 * Pure functions on caller data; nothing here fails or allocates. */
#ifndef TERN_MAIL_MSG_HEADER_H
#define TERN_MAIL_MSG_HEADER_H

#include <stddef.h>
#include <time.h>

/* Answers of msg_header_name. */
#define MSG_HEADER_NOT_FIELD 0
#define MSG_HEADER_FIELD 1
/* The n bytes end inside what may still become a field name. */
#define MSG_HEADER_MAYBE 2

/* Whether the line (or line piece) of n bytes at p starts a header field:
 * a name of printable ASCII but ':', then ':' (RFC 5322 2.2 and 3.6.8).
 * Never fails. */
int msg_header_name(const char *p, size_t n);

/* RFC 5322 date-time of t in local time ("Tue, 24 Nov 2026 12:00:00
 * +0000") into out (an empty string when len is too small). */
void msg_header_date(char *out, size_t len, time_t t);

#endif
