/* server_login - the three processes of a mail access service (pop3d,
 * imapd), as DESIGN.md has them: unprivileged before the login, the
 * mailbox owner after it.
 *
 *   server_login_serve()   runs in the process master started, which is
 *                          root when master is and never reads the client
 *                          (its client descriptors become /dev/null). It
 *                          forks the login process, mail_owner at once.
 *                          When that reports a login, it redeems the
 *                          login's one-time cookie with auth(8) for the
 *                          user name (auth_cookie.h: the name never comes
 *                          from the login process, which the client may
 *                          have subverted), finds the Maildir and its
 *                          owner as delivery does (resolve.h: the name,
 *                          with "@login_default_domain" when it has none),
 *                          and forks the session process as that owner
 *                          for good (it cannot regain root).
 *   server_login_session() in the login process, after auth accepted a
 *                          login: asks for the session, and gets the
 *                          socket to it;
 *   server_login_hand_over() then passes a plain connection to the
 *                          session, or relays a TLS one
 *                          (server_login_relay) until either side ends;
 *   server_login_accept()  in the session process, takes it.
 *
 * Not root (tests, the demo): the same processes, all as the caller. The
 * login and session functions are the service's; they return when their
 * part of the connection is over. */
#ifndef TERN_SERVER_SERVER_LOGIN_H
#define TERN_SERVER_SERVER_LOGIN_H

struct buf;
struct stream;

/* Who the client is, for logs: addresses without port. */
struct login_peer {
	char rip[64];     /* remote address, "unknown" when not IP */
	char lip[64];     /* local address */
	char client[340]; /* "unknown[rip]", for auth(8) */
	int loopback;     /* rip is in 127.0.0.0/8 or ::1 */
};

/* The peer of fd (getpeername/getsockname). */
void login_peer_get(int fd, struct login_peer *p);

struct login_service {
	const char *name;     /* "pop3d": auth's service name */
	const char *log_name; /* "pop3-login": the login's log prefix */
	/* The login process: in_fd/out_fd the client, ctl the socket to
	 * the serve process (for server_login_session). */
	void (
	    *login)(int in_fd, int out_fd, int ctl, const struct login_peer *p);
	/* The session process: fd the socket to the login process. */
	void (*session)(int fd, const char *user, const char *maildir,
	    const struct login_peer *p);
};

/* One connection, in the process master started. */
void server_login_serve(const struct login_service *svc, int in_fd, int out_fd);

/* In the login process: the session for the login auth's cookie proves
 * (method is the mechanism, for the log). Returns the socket to the
 * session, with *mpid_r its pid and *user_r the user (the caller frees);
 * -1: try again later (logged); -2: the user has no mailbox (logged). */
int server_login_session(const struct login_service *svc, int ctl,
    const char *cookie, const char *method, long *mpid_r, char **user_r);

/* Relay between client and fd until either side ends or nothing moves
 * for idle_s seconds (the session's own idle timer fires first). What the
 * client pipelined behind its login goes first. Client input is passed on
 * a line (or a piece of a long one) at a time. */
void server_login_relay(struct stream *client, int fd, long idle_s);

/* The connection to the session at fd, after a login, in the login
 * process: the n bytes at first go before the client's (imapd: the
 * LOGIN's tag line). A plain connection (no TLS, one descriptor) is
 * passed to the session whole, with what the client pipelined, and this
 * returns at once: the session talks to the client itself, as Dovecot's
 * does, with no process between them. A TLS one stays here and is
 * relayed (server_login_relay) until the connection is over. The session
 * takes either with server_login_accept. */
void server_login_hand_over(struct stream *client, int fd, const char *first,
    size_t n, long idle_s);

/* In the session process, first thing: the descriptor to serve the client
 * on, the client's own (fd is closed; the first bytes, then what the
 * client pipelined, appended to first, whose maximum is what the session
 * can take) or fd (a relayed connection: everything follows on fd). -1
 * when the login process ended first, or sent more than first holds
 * (logged; the client's connection is closed). A login sends its first
 * bytes and at most its stream's buffer (STREAM_BUFSIZE) behind them. */
int server_login_accept(int fd, struct buf *first);

#endif
