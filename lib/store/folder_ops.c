/* SPDX-License-Identifier: MIT */
/* folder_ops - CREATE, DELETE and RENAME of Maildir++ folders. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/folder.h"
#include "store/folder_impl.h"
#include "store/maildir.h"
#include "store/mflags.h"
#include "util/buf.h"
#include "util/dirsync.h"
#include "util/mem.h"

#define INBOX "INBOX"
#define STORAGE_SEP '.'
/* Where a deleted folder goes before it is removed: a name Dovecot's
 * Maildir++ listing ignores (it lists only names starting with "."). */
#define TRASH_PREFIX "tern-trashed."
/* How deep a deleted folder's directory is removed (Dovecot keeps its
 * index files one level down at most). */
#define RM_DEPTH_MAX 8

/* fsync the directory at path. */
static int
sync_dir(const char *path, struct buf *err)
{
	return dir_fsync(path) < 0
	    ? folder_fail(err, FOLDER_ERROR, "fsync %s: %m", path)
	    : 0;
}

/* Whether "<maildir>/.<storage>" is there (any kind of file). */
static int
storage_exists(const char *maildir, const char *storage, struct buf *path)
{
	struct stat st;

	return folder_storage_path(maildir, storage, path, NULL) == 0 &&
	    lstat(path->data, &st) == 0;
}

/* Create the folder of a storage name (not INBOX), made durable as sync
 * says (maildir_make_folder). */
static int
create_storage(const char *maildir, const char *storage, int sync,
    struct buf *err)
{
	struct buf path;
	const char *error;
	int ret;

	buf_init(&path, BUF_MAX_INTERNAL);
	if ((ret = folder_storage_path(maildir, storage, &path, err)) < 0)
		goto out;
	/* The Maildir itself first: the new directory's parent. */
	if (maildir_make(maildir, &error) < 0) {
		ret = folder_fail(err, FOLDER_ERROR, "%s", error);
		goto out;
	}
	ret = maildir_make_folder(path.data, FOLDER_MARKER, sync, &error);
	ret = ret < 0  ? folder_fail(err, FOLDER_ERROR, "%s", error)
	    : ret == 0 ? folder_fail(err, FOLDER_EXISTS, "mailbox exists")
		       : 0;
out:
	buf_deinit(&path);
	return ret;
}

int
folder_create(const char *maildir, const char *name, int flags, struct buf *err)
{
	size_t len = strlen(name);
	struct buf storage;
	char *copy;
	int ret;

	/* RFC 3501 6.3.3: a separator at the end only declares that
	 * inferiors will follow; Maildir++ makes the folder alone. */
	copy = xstrndup(name, len > 1 && name[len - 1] == '/' ? len - 1 : len);
	buf_init(&storage, FOLDER_NAME_BUF);
	ret =
	    folder_storage_name(copy, flags & ~FOLDER_UNSYNCED, &storage, err);
	if (ret == 0 && strcmp(storage.data, INBOX) == 0)
		ret = folder_fail(err, FOLDER_EXISTS, "INBOX exists");
	else if (ret == 0)
		ret = create_storage(maildir, storage.data,
		    (flags & FOLDER_UNSYNCED)
			? 0
			: MAILDIR_SYNC_FOLDER | MAILDIR_SYNC_PARENT,
		    err);
	buf_deinit(&storage);
	xfree(copy);
	return ret;
}

/* Remove name in the directory at, a directory with what is in it (at most
 * RM_DEPTH_MAX deep), never following a symbolic link. Gone already is
 * fine (another process may be removing the same tree). */
static int
rm_tree(int at, const char *name, int depth)
{
	struct dirent *e;
	int fd, ret = 0;
	DIR *d;

	if (unlinkat(at, name, 0) == 0 || errno == ENOENT)
		return 0;
	/* Linux says EISDIR for a directory, POSIX EPERM. */
	if ((errno != EISDIR && errno != EPERM) || depth >= RM_DEPTH_MAX)
		return -1;
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (rm_tree(fd, e->d_name, depth + 1) < 0)
			ret = -1;
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		ret = -1;
	return ret;
}

/* Remove what deletes left in maildir (after a crash, or a failed
 * removal). Best effort. */
static void
sweep_trash(const char *maildir)
{
	struct dirent *e;
	DIR *d;

	if ((d = opendir(maildir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, TRASH_PREFIX, strlen(TRASH_PREFIX)) == 0)
			(void)rm_tree(dirfd(d), e->d_name, 0);
	closedir(d);
}

/* Rename the folder's directory out of sight, make that durable, then
 * remove it. */
static int
delete_dir(const char *maildir, const char *path, struct buf *err)
{
	struct buf trash;
	int ret, dfd;

	sweep_trash(maildir);
	buf_init(&trash, BUF_MAX_INTERNAL);
	if (buf_printf(&trash, "%s/%s%ld", maildir, TRASH_PREFIX,
		(long)getpid()) < 0)
		ret = folder_fail(err, FOLDER_ERROR, "path too long");
	else if (rename(path, trash.data) < 0)
		ret = folder_fail(err, FOLDER_ERROR, "rename %s to %s: %m",
		    path, trash.data);
	else if ((ret = sync_dir(maildir, err)) == 0 &&
	    (dfd = open(maildir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		/* Deleted as IMAP sees it; what is not removed now the
		 * next delete sweeps. */
		(void)rm_tree(dfd, strrchr(trash.data, '/') + 1, 0);
		close(dfd);
	}
	buf_deinit(&trash);
	return ret;
}

int
folder_delete(const char *maildir, const char *name, int flags, struct buf *err)
{
	struct buf storage, path;
	struct stat st;
	int ret, found = 0;

	buf_init(&storage, FOLDER_NAME_BUF);
	buf_init(&path, BUF_MAX_INTERNAL);
	if ((ret = folder_storage_name(name, flags, &storage, err)) < 0)
		goto out;
	if (strcmp(storage.data, INBOX) == 0) {
		ret =
		    folder_fail(err, FOLDER_CANNOT, "INBOX cannot be deleted");
		goto out;
	}
	if ((ret = folder_storage_path(maildir, storage.data, &path, err)) < 0)
		goto out;
	/* A symbolic link to a directory is a folder (as listed); it is
	 * the link that goes, never what it points to. */
	if (stat(path.data, &st) == 0)
		found = S_ISDIR(st.st_mode);
	else if (errno != ENOENT && errno != ENOTDIR) {
		ret = folder_fail(err, FOLDER_ERROR, "stat %s: %m", path.data);
		goto out;
	}
	if (!found) {
		ret = folder_fail(err, FOLDER_NONEXISTENT,
		    "mailbox does not exist");
		goto out;
	}
	ret = delete_dir(maildir, path.data, err);
out:
	buf_deinit(&storage);
	buf_deinit(&path);
	return ret;
}

/* fsync the open directory fd (named path, for the error). */
static int
sync_fd(int fd, const char *path, struct buf *err)
{
	if (fsync(fd) < 0)
		return folder_fail(err, FOLDER_ERROR, "fsync %s: %m", path);
	return 0;
}

/* Move the messages of INBOX's sub (new or cur) into the folder at to,
 * then make both directories durable. */
static int
move_messages(const char *maildir, const char *to, const char *sub,
    struct buf *err)
{
	struct buf src, dst;
	struct dirent *e;
	int ret = 0, dfd = -1;
	DIR *d = NULL;

	buf_init(&src, BUF_MAX_INTERNAL);
	buf_init(&dst, BUF_MAX_INTERNAL);
	(void)buf_printf(&src, "%s/%s", maildir, sub);
	(void)buf_printf(&dst, "%s/%s", to, sub);
	if ((dfd = open(dst.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		ret = folder_fail(err, FOLDER_ERROR, "open %s: %m", dst.data);
		goto out;
	}
	if ((d = opendir(src.data)) == NULL) {
		if (errno != ENOENT)
			ret = folder_fail(err, FOLDER_ERROR, "opendir %s: %m",
			    src.data);
		goto out;
	}
	while (ret == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		/* Names kept: flags and sizes stay in them. Gone meanwhile
		 * (expunged by another session) is fine. */
		if (renameat(dirfd(d), e->d_name, dfd, e->d_name) < 0 &&
		    errno != ENOENT)
			ret = folder_fail(err, FOLDER_ERROR,
			    "rename %s/%s to %s: %m", src.data, e->d_name,
			    dst.data);
	}
	/* The new names first: a crash between the two syncs leaves a
	 * message in both folders at worst, never in none. */
	if (ret == 0 && (ret = sync_fd(dfd, dst.data, err)) == 0)
		ret = sync_fd(dirfd(d), src.data, err);
out:
	if (d != NULL)
		closedir(d);
	if (dfd >= 0)
		close(dfd);
	buf_deinit(&src);
	buf_deinit(&dst);
	return ret;
}

/* Copy INBOX's keyword names to the folder at to: the keyword letters
 * in the moved names mean what INBOX's file says. */
static int
copy_keywords(const char *maildir, const char *to, struct buf *err)
{
	struct mkeywords k = { 0 };
	int ret = 0, any = 0;

	if (mkeywords_read(maildir, &k, err) < 0)
		return FOLDER_ERROR;
	for (int i = 0; i < MFLAG_KEYWORDS_MAX; i++)
		any |= k.names[i] != NULL;
	if (any && mkeywords_write(to, &k, err) < 0)
		ret = FOLDER_ERROR;
	mkeywords_free(&k);
	return ret;
}

/* RFC 3501 6.3.5, RFC 9051 6.3.6: renaming INBOX moves its messages to a
 * new folder and leaves INBOX, and its inferiors, as they are. */
static int
rename_inbox(const char *maildir, const char *to, struct buf *err)
{
	struct buf path;
	int ret;

	buf_init(&path, BUF_MAX_INTERNAL);
	if (storage_exists(maildir, to, &path))
		ret = folder_fail(err, FOLDER_EXISTS, "target mailbox exists");
	else if ((ret = create_storage(maildir, to,
		      MAILDIR_SYNC_FOLDER | MAILDIR_SYNC_PARENT, err)) == 0 &&
	    (ret = copy_keywords(maildir, path.data, err)) == 0 &&
	    (ret = move_messages(maildir, path.data, "new", err)) == 0)
		ret = move_messages(maildir, path.data, "cur", err);
	buf_deinit(&path);
	return ret;
}

/* Whether storage name s is p or one of its inferiors. */
static int
is_under(const char *s, const char *p)
{
	size_t n = strlen(p);

	return strncmp(s, p, n) == 0 && (s[n] == 0 || s[n] == STORAGE_SEP);
}

/* The directories to rename: from's and its inferiors', in byte order
 * (from first), into moves. Then check every new name. */
static int
plan_rename(const char *maildir, const char *from, const char *to,
    struct folder_names *moves, struct buf *err)
{
	struct folder_names dirs = { 0 };
	struct buf target, path;
	int ret;

	if ((ret = folder_scan(maildir, 0, &dirs, err)) < 0)
		return ret;
	for (size_t i = 0; i < dirs.n; i++)
		if (is_under(dirs.v[i], from))
			(void)folder_names_add(moves, dirs.v[i],
			    strlen(dirs.v[i]));
	folder_names_free(&dirs);
	folder_names_sort(moves);
	if (moves->n == 0)
		return folder_fail(err, FOLDER_NONEXISTENT,
		    "mailbox does not exist");
	buf_init(&target, BUF_MAX_INTERNAL);
	buf_init(&path, BUF_MAX_INTERNAL);
	/* RFC 9051 6.3.6: renaming to an existing name is an error; so is
	 * an inferior's new name that exists (rename(2) would put an
	 * empty directory's name to use). */
	if (storage_exists(maildir, to, &path))
		ret = folder_fail(err, FOLDER_EXISTS, "target mailbox exists");
	for (size_t i = 0; i < moves->n && ret == 0; i++) {
		buf_reset(&target);
		(void)buf_printf(&target, "%s%s", to,
		    moves->v[i] + strlen(from));
		if (target.len > FOLDER_STORAGE_MAX)
			ret = folder_fail(err, FOLDER_BADNAME,
			    "new name of %s too long", moves->v[i]);
		else if (storage_exists(maildir, target.data, &path))
			ret = folder_fail(err, FOLDER_EXISTS,
			    "mailbox %s exists", target.data);
	}
	buf_deinit(&target);
	buf_deinit(&path);
	return ret;
}

/* Rename each planned directory: from + rest to to + rest. */
static int
do_rename(const char *maildir, const char *from, const char *to,
    const struct folder_names *moves, struct buf *err)
{
	struct buf old, new, target;
	int ret = 0;

	buf_init(&old, BUF_MAX_INTERNAL);
	buf_init(&new, BUF_MAX_INTERNAL);
	buf_init(&target, BUF_MAX_INTERNAL);
	for (size_t i = 0; i < moves->n && ret == 0; i++) {
		buf_reset(&target);
		(void)buf_printf(&target, "%s%s", to,
		    moves->v[i] + strlen(from));
		if ((ret = folder_storage_path(maildir, moves->v[i], &old,
			 err)) < 0 ||
		    (ret = folder_storage_path(maildir, target.data, &new,
			 err)) < 0)
			break;
		if (rename(old.data, new.data) < 0)
			ret = folder_fail(err, FOLDER_ERROR,
			    "rename %s to %s: %m", old.data, new.data);
	}
	if (moves->n > 0) {
		int sret = sync_dir(maildir, ret < 0 ? NULL : err);

		ret = ret < 0 ? ret : sret;
	}
	buf_deinit(&old);
	buf_deinit(&new);
	buf_deinit(&target);
	return ret;
}

int
folder_rename(const char *maildir, const char *from, const char *to, int flags,
    struct buf *err)
{
	struct folder_names moves = { 0 };
	struct buf sf, st;
	int ret;

	buf_init(&sf, FOLDER_NAME_BUF);
	buf_init(&st, FOLDER_NAME_BUF);
	if ((ret = folder_storage_name(from, flags, &sf, err)) < 0 ||
	    (ret = folder_storage_name(to, flags, &st, err)) < 0)
		goto out;
	if (strcmp(st.data, INBOX) == 0)
		ret = folder_fail(err, FOLDER_EXISTS, "INBOX exists");
	else if (strcmp(sf.data, INBOX) == 0)
		ret = rename_inbox(maildir, st.data, err);
	else if (is_under(st.data, sf.data) && strcmp(sf.data, st.data) != 0)
		ret = folder_fail(err, FOLDER_CANNOT,
		    "cannot rename a mailbox into itself");
	else if ((ret = plan_rename(maildir, sf.data, st.data, &moves, err)) ==
	    0)
		ret = do_rename(maildir, sf.data, st.data, &moves, err);
out:
	folder_names_free(&moves);
	buf_deinit(&sf);
	buf_deinit(&st);
	return ret;
}
