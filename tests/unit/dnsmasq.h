/* SPDX-License-Identifier: MIT */
/* dnsmasq.h - for unit tests that need a real DNS server: start dnsmasq on
 * a free loopback port with the given records (dnsmasq options), answering
 * only from them (names under .test that it does not know are NXDOMAIN).
 * Header-only: each test program includes it once. */
#ifndef TERN_TEST_DNSMASQ_H
#define TERN_TEST_DNSMASQ_H

#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define DNSMASQ "/usr/sbin/dnsmasq"

/* A free port on 127.0.0.1 of the socket type given. When keep_fd is not
 * NULL the bound socket is left open there, else it is closed. */
static int
test_free_port(int type, int *keep_fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, type, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return -1;
	if (keep_fd != NULL)
		*keep_fd = fd;
	else
		close(fd);
	return ntohs(sin.sin_port);
}

/* Wait (at most 10 s) until a DNS server answers on 127.0.0.1:port: any
 * reply to a query for "ready.test" will do. Returns 0 or -1. */
static int
test_dns_ready(int port)
{
	static const unsigned char query[] = {
		0x12,
		0x34,
		0x01,
		0x00,
		0,
		1,
		0,
		0,
		0,
		0,
		0,
		0,
		5,
		'r',
		'e',
		'a',
		'd',
		'y',
		4,
		't',
		'e',
		's',
		't',
		0,
		0,
		1,
		0,
		1,
	};
	struct sockaddr_in sin;
	struct timeval tv = { 0, 100000 };
	unsigned char reply[512];
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < 100; i++) {
		if (sendto(fd, query, sizeof(query), 0, (struct sockaddr *)&sin,
			sizeof(sin)) < 0)
			usleep(100000);
		else if (recv(fd, reply, sizeof(reply), 0) > 0) {
			close(fd);
			return 0;
		}
	}
	close(fd);
	return -1;
}

/* Start dnsmasq with the NULL-terminated record options (at most 32) and
 * wait until it answers. Returns its pid (0 when dnsmasq is not
 * installed, -1 on error) and puts "127.0.0.1:PORT" into servers. */
static pid_t
test_dnsmasq_start(const char *const *records, char *servers, size_t size)
{
	const char *argv[48];
	char portarg[32];
	size_t n = 0;
	int port;
	pid_t pid;

	if (access(DNSMASQ, X_OK) != 0)
		return 0;
	if ((port = test_free_port(SOCK_DGRAM, NULL)) < 0)
		return -1;
	snprintf(servers, size, "127.0.0.1:%d", port);
	snprintf(portarg, sizeof(portarg), "--port=%d", port);
	argv[n++] = DNSMASQ;
	argv[n++] = "--keep-in-foreground";
	argv[n++] = "--no-resolv";
	argv[n++] = "--no-hosts";
	argv[n++] = "--no-poll";
	argv[n++] = "--bind-interfaces";
	argv[n++] = "--listen-address=127.0.0.1";
	argv[n++] = "--log-facility=/dev/null";
	argv[n++] = "--local=/test/";
	argv[n++] = portarg;
	for (size_t i = 0; records[i] != NULL && n + 1 < 48; i++)
		argv[n++] = records[i];
	argv[n] = NULL;
	if ((pid = fork()) == 0) {
		/* Gone with the test, however the test ends. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execv(DNSMASQ, (char *const *)argv);
		_exit(127);
	}
	if (pid < 0 || test_dns_ready(port) < 0) {
		if (pid > 0) {
			kill(pid, SIGTERM);
			waitpid(pid, NULL, 0);
		}
		return -1;
	}
	return pid;
}

static void
test_dnsmasq_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

#endif
