/* master_proto - what passes between master and the children it forks.
 * A child finds its listening socket at MASTER_LISTEN_FD and the write end
 * of its service's status pipe at MASTER_STATUS_FD. It reports a fixed
 * struct master_status whenever it becomes available for a new client or
 * takes one, so master knows how many idle processes each service has and
 * forks another only when none is idle. A write that fails (EPIPE) means
 * the master is gone or has reloaded: the child finishes its session and
 * exits. Command-line contract: master runs
 *   <daemon_directory>/<command> -c <config_directory> -n <service>
 *       -t inet|unix [-u] [-C] [-o name=value ...] [args ...]
 * where -u asks the child to drop to mail_owner (master.cf unpriv = y) and
 * -C to chroot to queue_directory (master.cf chroot = y). */
#ifndef TERN_SERVER_MASTER_PROTO_H
#define TERN_SERVER_MASTER_PROTO_H

#include <sys/types.h>

#define MASTER_STATUS_FD 3
#define MASTER_LISTEN_FD 4

#define MASTER_STAT_TAKEN 0
#define MASTER_STAT_AVAIL 1

struct master_status {
	pid_t pid;
	int avail; /* MASTER_STAT_AVAIL or MASTER_STAT_TAKEN */
};

/* The outcome of master's start and of each reload, for "tern reload":
 * <queue_directory>/pid/MASTER_RELOAD_STATUS holds one line,
 * "<master pid> <sequence> ok" or "<master pid> <sequence> error <reason>",
 * replaced atomically (rename). The sequence is 0 after start and grows by
 * one with every SIGHUP, so a reader that saw sequence n before it sent
 * SIGHUP waits for a line with the same pid and a larger sequence. */
#define MASTER_RELOAD_STATUS "reload.status"

/* On its wakeup timer master writes TRIGGER_REQ_WAKEUP (queue/trigger.h). */

#endif
