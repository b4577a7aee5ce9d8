/* perms - the permissions manifest: what an installed Tern consists of
 * (directories, files, links), with the owner, group and mode each must
 * have. "tern set-permissions" makes it so (perms_apply), "tern check"
 * reports what differs (perms_check). The manifest is a text file,
 * $meta_directory/permissions; one entry a line, white-space separated:
 *
 *   path  type  owner  group  mode  [flags]
 *
 * path is absolute once $name and ${name} (main.cf parameters, expanded
 * against the loaded configuration) are expanded. type: d (directory), f
 * (regular file), l (symbolic link: only its kind is checked, owner, group
 * and mode are "-"). owner: a user name ("$mail_owner" after expansion),
 * or "-": not checked. group: a group name, or the name of a user whose
 * primary group is meant when no group has that name; "-": the owner's
 * primary group. mode: octal (at most 07777), or "-": not checked. flags:
 * "create" (a missing directory is made by perms_apply and is no problem
 * for perms_check: master makes the queue directories too) or "optional"
 * (may be absent). Blank lines and '#' comments are ignored. A malformed
 * line is an error naming file and line.
 *
 * Neither function ever follows a symbolic link where the manifest has no
 * link: such a path is refused and reported. perms_apply opens each path
 * with O_NOFOLLOW and changes it through the descriptor (owner first, then
 * the mode, as chown may clear set-id bits); the parents are not checked
 * (they are root's: the config, queue and daemon directories). Not
 * thread-safe (getpwnam). */
#ifndef TERN_CONF_PERMS_H
#define TERN_CONF_PERMS_H

#include "util/buf.h"

/* The manifest's name in $meta_directory. */
#define PERMS_FILE_NAME "permissions"
/* Bound on the size of the manifest. */
#define PERMS_FILE_MAX ((size_t)256 * 1024)

/* How each finding is told: error 1 for a deviation or a failure, 0 for a
 * warning or (from perms_apply) a change made; text has no newline. */
typedef void perms_report_fn(void *ctx, int error, const char *text);

/* Compare every entry of the manifest at path with the file system. With
 * as_root, another owner or group, or a mode that allows more than the
 * manifest's, is an error, and a mode that only allows less a warning;
 * otherwise owners are not looked at (a test instance is all its user's)
 * and a wrong mode is a warning. A missing entry without flags is a
 * warning. Returns the number of errors reported, or -1 with err set when
 * the manifest cannot be read or parsed (nothing is reported then). */
int perms_check(const char *path, int as_root, perms_report_fn *report,
    void *ctx, struct buf *err);

/* Make the file system match the manifest at path: create the missing
 * "create" directories, set owners and groups (only as root; otherwise
 * they are left alone, as perms_check leaves them) and modes. Every
 * change is reported as a warning-level note, every failure as an error.
 * Returns the number of errors, or -1 with err set when the manifest
 * cannot be read or parsed (then nothing was changed). */
int perms_apply(const char *path, perms_report_fn *report, void *ctx,
    struct buf *err);

#endif
