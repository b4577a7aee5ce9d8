/* trigger - wake a trigger server (qmgr) through its UNIX-domain socket.
 * A trigger is one byte written on a fresh, non-blocking connection; it is
 * a hint, never a request: losing one only delays work until the next
 * periodic scan, so failures are returned but never fatal. */
#ifndef TERN_MAIL_TRIGGER_H
#define TERN_MAIL_TRIGGER_H

#define TRIGGER_REQ_WAKEUP 'W' /* look at incoming/ */
#define TRIGGER_REQ_SCAN 'S'   /* also scan deferred/ now */

/* Send one trigger byte to the socket at path. Returns 0 or -1 with
 * *error_r (strerror text). */
int trigger_send(const char *path, char req, const char **error_r);

#endif
