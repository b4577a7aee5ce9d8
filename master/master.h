/* master - the supervisor: services from master.cf, their sockets and
 * children. One struct service per master.cf entry; each owns its
 * listening socket (kept across reloads when the entry keeps its name and
 * type), a status pipe (new for every generation) and its children. */
#ifndef TERN_MASTER_H
#define TERN_MASTER_H

#include <stdint.h>
#include <sys/types.h>

struct mastercf_service;

struct child {
	pid_t pid;
	struct service *svc; /* NULL once its service was reloaded away */
	int avail;
	int reported;   /* has written a status at least once */
	int err_fd;     /* read end of its stderr, or -1 */
	size_t err_len; /* bytes of a partial line in err_line */
	char err_line[1024];
	struct child *next;
};

struct service {
	char *name;             /* master.cf service column */
	int type;               /* MASTERCF_INET or MASTERCF_UNIX */
	char *path;             /* unix: socket path; inet: "host:port" */
	char *command;          /* absolute path of the program */
	char **argv;            /* full argv for exec, NULL-terminated */
	long maxproc;           /* 0 = no limit */
	long wakeup;            /* seconds, 0 = none */
	int wakeup_conditional; /* "?": only while a process runs */
	int listen_fd;
	int status_rd, status_wr; /* status pipe of this generation */
	int total, avail;         /* children, and idle ones */
	int64_t throttle_until;   /* ms; no forks before */
	uint64_t wakeup_timer;
	int watching; /* listen_fd is in the event loop */
	/* reload: the old entry whose listener this one takes over */
	struct service *carried;
	struct service *next;
};

/* master_service.c */
/* Open svc's listening socket unless it has one. 0, or -1 with *error_r
 * set ("bind 127.0.0.1:25: Address already in use"). */
int service_bind(struct service *svc, const char **error_r);
/* service_bind, then a new status pipe. 0, or -1 with *error_r set. */
int service_open_listener(struct service *svc, const char **error_r);
void service_update_watch(struct service *svc);
void service_spawn(struct service *svc);
void service_child_exited(struct child *c, int status);
void service_close(struct service *svc, int close_listener);
void service_wakeup(void *ctx);
struct child *child_find(pid_t pid);
void child_forget(struct child *c);
extern struct child *master_children;
extern const char *master_config_dir;
/* Children's stderr goes to a pipe that master logs (when master's own
 * log is not stderr): a child that dies before it opened its log, on a
 * bad main.cf value say, still gets its reason into the log. */
extern int master_capture_stderr;

/* master_conf.c */
int master_load_services(struct service **list_r, const char **error_r);
void master_free_service(struct service *svc);

#endif
