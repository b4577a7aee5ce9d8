/* SPDX-License-Identifier: MIT */
/* mflags - a Maildir message's flags and keywords. See mflags.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/mflags.h"
#include "store/store_err.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/mem.h"

static const char std_letters[] = "DFPRST";

void
mflags_parse(const char *name, struct mflags *f)
{
	const char *p = strstr(name, ":2,");
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	if (p == NULL)
		return;
	for (p += 3; *p != '\0'; p++) {
		const char *std = strchr(std_letters, *p);

		if (*p != '\0' && std != NULL)
			f->flags |= 1u << (std - std_letters);
		else if (*p >= 'a' && *p <= 'z')
			f->keywords |= (uint32_t)1 << (*p - 'a');
		else if (*p != ',' && strchr(f->other, *p) == NULL &&
		    n < sizeof(f->other) - 1)
			f->other[n++] = *p;
	}
}

int
mflags_name(const char *base, const struct mflags *f, struct buf *out)
{
	char letters[6 + MFLAG_KEYWORDS_MAX + sizeof(f->other)];
	size_t n = 0;
	int c;

	/* Every letter once, in ASCII order (upper case, then lower). */
	for (c = 1; c < 128; c++) {
		const char *std = c != 0 ? strchr(std_letters, c) : NULL;

		if ((std != NULL && (f->flags & (1u << (std - std_letters)))) ||
		    (c >= 'a' && c <= 'z' &&
			(f->keywords & ((uint32_t)1 << (c - 'a')))) ||
		    (std == NULL && !(c >= 'a' && c <= 'z') &&
			strchr(f->other, c) != NULL))
			letters[n++] = (char)c;
	}
	letters[n] = '\0';
	buf_reset(out);
	return buf_printf(out, "%s:2,%s", base, letters) < 0 ? -1 : 0;
}

int
mkeywords_read(const char *dir, struct mkeywords *k, struct buf *err)
{
	char path[4096], line[1024];
	FILE *f;

	memset(k, 0, sizeof(*k));
	snprintf(path, sizeof(path), "%s/%s", dir, MFLAG_KEYWORDS_FILE);
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		return store_err(err, "open %s: %m", path);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *sp = strchr(line, ' '), *end;
		size_t n = strcspn(line, "\n");
		long idx;

		line[n] = '\0';
		if (sp == NULL || sp == line || sp[1] == '\0')
			continue;
		*sp = '\0';
		idx = strtol(line, &end, 10);
		if (*end != '\0' || idx < 0 || idx >= MFLAG_KEYWORDS_MAX ||
		    k->names[idx] != NULL || mkeywords_find(k, sp + 1) >= 0)
			continue;
		k->names[idx] = xstrdup(sp + 1);
	}
	if (ferror(f)) {
		fclose(f);
		mkeywords_free(k);
		return store_err(err, "read %s: %m", path);
	}
	fclose(f);
	return 0;
}

int
mkeywords_find(const struct mkeywords *k, const char *name)
{
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		if (k->names[i] != NULL && strcasecmp(k->names[i], name) == 0)
			return i;
	return -1;
}

int
mkeywords_add(struct mkeywords *k, const char *name)
{
	int i = mkeywords_find(k, name);

	if (i >= 0)
		return i;
	for (i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		if (k->names[i] == NULL) {
			k->names[i] = xstrdup(name);
			return i;
		}
	return -1;
}

/* Dovecot's rule for its lock files: one older than this is stale. */
#define KEYWORDS_STALE_LOCK 120

int
mkeywords_write(const char *dir, const struct mkeywords *k, struct buf *err)
{
	char path[4096], lock[4200];
	struct stat st, old;
	struct buf text;
	int fd, tries, have_old, ret = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, MFLAG_KEYWORDS_FILE);
	snprintf(lock, sizeof(lock), "%s.lock", path);
	for (tries = 0;; tries++) {
		fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			break;
		if (errno != EEXIST || tries >= 1)
			return store_err(err, "create %s: %m", lock);
		/* Held: by a crash when it is old, else give up now (the
		 * caller holds the UID list's lock, as Dovecot's writers do,
		 * so a live holder is another program's doing). */
		if (stat(lock, &st) == 0 &&
		    time(NULL) - st.st_mtime < KEYWORDS_STALE_LOCK)
			return store_err(err, "%s: locked", lock);
		(void)unlink(lock);
	}
	buf_init(&text, 64 * 1024);
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		if (k->names[i] != NULL)
			buf_printf(&text, "%d %s\n", i, k->names[i]);
	have_old = stat(path, &old) == 0;
	if (write(fd, text.data, text.len) != (ssize_t)text.len ||
	    fsync(fd) < 0) {
		store_err(err, "write %s: %m", lock);
		goto fail;
	}
	/* Dovecot rereads the file when its mtime changes: make it grow. */
	if (have_old && fstat(fd, &st) == 0 && st.st_mtime <= old.st_mtime) {
		struct timespec ts[2] = { { old.st_mtime + 1, 0 },
			{ old.st_mtime + 1, 0 } };

		(void)futimens(fd, ts);
	}
	if (rename(lock, path) < 0) {
		store_err(err, "rename %s to %s: %m", lock, path);
		goto fail;
	}
	close(fd);
	fd = -1;
	if (dir_fsync(dir) < 0) {
		store_err(err, "fsync %s: %m", dir);
		buf_deinit(&text);
		return -1;
	}
	ret = 0;
	buf_deinit(&text);
	return ret;
fail:
	close(fd);
	(void)unlink(lock);
	buf_deinit(&text);
	return ret;
}

void
mkeywords_free(struct mkeywords *k)
{
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++) {
		xfree(k->names[i]);
		k->names[i] = NULL;
	}
}
