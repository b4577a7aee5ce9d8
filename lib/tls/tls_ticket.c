/* SPDX-License-Identifier: MIT */
/* tls_ticket - session ticket keys that every process of a service shares. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "tls/tls_ticket.h"
#include "util/buf.h"

/* The file: a magic line, the creation time (8 octets, big-endian), a
 * flag (1: a previous key follows), the current key, the previous key. */
static const char magic[8] = "TERNTK1\n";
#define KEY_LEN (TLS_TICKET_NAME_LEN + 2 * TLS_TICKET_SECRET_LEN)
#define FILE_LEN (sizeof(magic) + 8 + 1 + 2 * KEY_LEN)

static void
key_put(unsigned char *p, const struct tls_ticket_key *k)
{
	memcpy(p, k->name, sizeof(k->name));
	memcpy(p + TLS_TICKET_NAME_LEN, k->aes, sizeof(k->aes));
	memcpy(p + TLS_TICKET_NAME_LEN + TLS_TICKET_SECRET_LEN, k->hmac,
	    sizeof(k->hmac));
}

static void
key_get(const unsigned char *p, struct tls_ticket_key *k)
{
	memcpy(k->name, p, sizeof(k->name));
	memcpy(k->aes, p + TLS_TICKET_NAME_LEN, sizeof(k->aes));
	memcpy(k->hmac, p + TLS_TICKET_NAME_LEN + TLS_TICKET_SECRET_LEN,
	    sizeof(k->hmac));
}

/* 1 when buf (n octets read) is a whole file; *keys filled. */
static int
decode(const unsigned char *buf, size_t n, struct tls_ticket_keys *keys)
{
	const unsigned char *p = buf + sizeof(magic);
	uint64_t t = 0;
	int i;

	if (n != FILE_LEN || memcmp(buf, magic, sizeof(magic)) != 0 || p[8] > 1)
		return 0;
	for (i = 0; i < 8; i++)
		t = t << 8 | p[i];
	keys->created = (int64_t)t;
	keys->have_previous = p[8];
	key_get(p + 9, &keys->current);
	key_get(p + 9 + KEY_LEN, &keys->previous);
	return 1;
}

static void
encode(const struct tls_ticket_keys *keys, unsigned char *buf)
{
	unsigned char *p = buf + sizeof(magic);
	uint64_t t = (uint64_t)keys->created;
	int i;

	memcpy(buf, magic, sizeof(magic));
	for (i = 7; i >= 0; i--, t >>= 8)
		p[i] = (unsigned char)(t & 0xff);
	p[8] = keys->have_previous ? 1 : 0;
	key_put(p + 9, &keys->current);
	key_put(p + 9 + KEY_LEN, &keys->previous);
}

static int
fail(struct buf *err, const char *what, const char *path)
{
	buf_reset(err);
	buf_printf(err, "%s %s: %s", what, path, strerror(errno));
	return -1;
}

int
tls_ticket_keys_load(const char *path, long lifetime, time_t now,
    struct tls_ticket_keys *keys, struct buf *err)
{
	unsigned char buf[FILE_LEN + 1];
	struct stat st;
	ssize_t n;
	int fd, ret = -1, ok;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) <
	    0)
		return fail(err, "cannot open", path);
	if (flock(fd, LOCK_EX) < 0) {
		fail(err, "cannot lock", path);
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		fail(err, "cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    st.st_uid != geteuid()) {
		buf_reset(err);
		buf_printf(err,
		    "%s: not a regular file of mode 0600 owned by this user",
		    path);
		goto out;
	}
	if ((n = pread(fd, buf, sizeof(buf), 0)) < 0) {
		fail(err, "cannot read", path);
		goto out;
	}
	ok = decode(buf, (size_t)n, keys);
	if (ok && now >= keys->created && now - keys->created < lifetime) {
		ret = 0;
		goto out;
	}
	/* Missing, damaged, worn out or from the future: a new current
	 * key, the old one (if sound) kept to resume what it sealed. */
	if (ok) {
		keys->previous = keys->current;
		keys->have_previous = 1;
	} else {
		memset(keys, 0, sizeof(*keys));
	}
	if (RAND_bytes((unsigned char *)&keys->current,
		sizeof(keys->current)) != 1) {
		buf_reset(err);
		buf_printf(err, "%s: no random octets for a ticket key", path);
		goto out;
	}
	keys->created = (int64_t)now;
	encode(keys, buf);
	if (pwrite(fd, buf, FILE_LEN, 0) != (ssize_t)FILE_LEN) {
		if (errno == 0)
			errno = ENOSPC;
		fail(err, "cannot write", path);
		goto out;
	}
	if (ftruncate(fd, FILE_LEN) < 0) {
		fail(err, "cannot truncate", path);
		goto out;
	}
	ret = 0;
out:
	close(fd); /* drops the lock */
	return ret;
}
