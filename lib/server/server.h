/* server - the skeleton every daemon's main() calls.
 * server_main() owns what all daemons share: command-line options (see
 * master_proto.h, plus -S to serve one session on stdin/stdout and -v for
 * verbose logging), loading main.cf with -o overrides, opening the log,
 * the pre_jail hook (still root, if started as root), chroot and the drop
 * to mail_owner, signals, and the master status protocol. Two kinds:
 *   SERVER_SINGLE: accept one connection at a time on the inherited
 *     listening socket and call serve(); exit after max_use sessions or
 *     max_idle seconds without a client, or when the master goes away.
 *   SERVER_TRIGGER: one long-lived process (maxproc 1) driven by the
 *     event loop (event.h): the skeleton accepts each connection on the
 *     listening socket, reads the request bytes (at most
 *     SERVER_TRIGGER_MAX) without waiting for them (a slow sender is
 *     watched on the event loop for at most a second), closes it and
 *     calls trigger(); post_jail sets
 *     up the daemon's own timers and watches. It exits when the master
 *     stops or reloads (the status pipe closes).
 *   SERVER_MULTI: one long-lived process (maxproc 1) on the event loop
 *     that keeps many clients at once (a counter or cache every other
 *     process asks): the skeleton accepts each connection, non-blocking
 *     and close-on-exec, and hands it to connect(), which watches it and
 *     closes it when done. It exits like a trigger server.
 * Both kinds restart when a lookup table they opened changes on disk
 * (server_draining).
 * Configuration or environment problems at startup are fatal. */
#ifndef TERN_SERVER_SERVER_H
#define TERN_SERVER_SERVER_H

#include <stddef.h>
#include <sys/types.h>

enum server_kind {
	SERVER_SINGLE,
	SERVER_TRIGGER,
	SERVER_MULTI,
};

#define SERVER_TRIGGER_MAX 64
/* The request a trigger server leaves for its successor when it restarts
 * with nothing held back (queue/trigger.h: TRIGGER_REQ_WAKEUP). */
#define SERVER_TRIGGER_RESTART 'W'
/* How often a trigger server looks at its tables' files. */
#define SERVER_TABLE_CHECK_MS 1000

struct server_spec {
	const char *name;
	enum server_kind kind;
	/* After config load, before chroot/privilege drop. May be NULL. */
	void (*pre_jail)(void);
	/* After the privilege drop. May be NULL. */
	void (*post_jail)(void);
	/* SERVER_SINGLE: one session; in_fd == out_fd except in -S mode.
	 * The skeleton closes the descriptors afterwards. */
	void (*serve)(int in_fd, int out_fd);
	/* Stays root in -S mode (it changes identity per delivery). Under
	 * master, the master.cf unpriv column decides. */
	int keep_root;
	/* SERVER_TRIGGER: the bytes of one trigger request. */
	void (*trigger)(const char *req, size_t len);
	/* SERVER_TRIGGER and SERVER_MULTI: 1 while work is in progress that
	 * a restart must not cut short (see server_draining). May be NULL:
	 * never busy. */
	int (*busy)(void);
	/* SERVER_MULTI: a new client connection, now the daemon's. */
	void (*connect)(int fd);
	/* The daemon drops privileges itself, per connection (pop3d: its
	 * login process becomes mail_owner, its session process the
	 * mailbox owner): with the unpriv column set, the skeleton keeps
	 * root for it instead of dropping to mail_owner. The process that
	 * keeps root must never read the client. */
	int drops_itself;
	/* The user to drop privileges to and its parameter's name, for a
	 * daemon that must not run as mail_owner (auth: the only reader
	 * of the user table). NULL: mail_owner. */
	char **owner;
	const char *owner_param;
};

/* Never returns. */
void server_main(int argc, char **argv, const struct server_spec *spec)
    __attribute__((noreturn));

/* 1 once a lookup table this process opened has changed on disk (see
 * dict_changed): the process is about to restart and must take no new
 * work. The skeleton logs "table TYPE:NAME has changed -- restarting"
 * and restarts at a safe point: a single server before it accepts the
 * next client or after a session; a trigger server stops passing on
 * triggers and exits once busy() says it is idle (checked every
 * SERVER_TABLE_CHECK_MS), poking its own socket so that master starts
 * the next one at once. Never 1 outside master (-S). */
int server_draining(void);

/* The service name from master.cf (-n), or the program name. */
const char *server_service_name(void);
/* 1 when the process runs with root privileges (may change identity). */
int server_is_root(void);

/* Become uid/gid (with only gid as group), optionally after chroot to
 * dir, and verify that root cannot be regained. Returns 0, or -1 with
 * *error_r set (static text or strerror). */
int server_drop_privileges(uid_t uid, gid_t gid, const char *chroot_dir,
    const char **error_r);
/* Look up a user: 0 and the ids, or -1 with *error_r naming the problem. */
int server_user_ids(const char *user, uid_t *uid_r, gid_t *gid_r,
    const char **error_r);

#endif
