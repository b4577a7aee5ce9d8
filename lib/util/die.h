/* die - the fatal error of a command-line tool (sendmail, ternalias,
 * ternmap, ternpostdrop, ternqueue): "<program>: fatal: <text>" on
 * stderr, then exit with the status the caller gives (sysexits.h for
 * sendmail's callers, 1 elsewhere). A cleanup set with die_init runs
 * first (a half-written file removed). The daemons have log_fatal (log.h)
 * instead, which writes to the mail log. Process-global; not
 * thread-safe. */
#ifndef TERN_UTIL_DIE_H
#define TERN_UTIL_DIE_H

/* The program name of the messages (kept, not copied) and the cleanup
 * (NULL: none). Until it is called the name is "tern". */
void die_init(const char *program, void (*cleanup)(void));

/* Print the message (printf format; %m allowed) and exit(status). */
void die(int status, const char *fmt, ...)
    __attribute__((noreturn, format(printf, 2, 3)));

#endif
