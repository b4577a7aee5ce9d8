/* SPDX-License-Identifier: MIT */
/* ternalias - build and query aliases(5) tables (like postalias); run as
 * newaliases it builds alias_database. */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/params.h"
#include "mail/alias.h"
#include "util/dict.h"
#include "util/die.h"
#include "util/log.h"
#include "util/maps.h"
#include "util/mem.h"

/* Exit codes of -q: found, not found, trouble. */
#define EXIT_FOUND 0
#define EXIT_NOT_FOUND 1
#define EXIT_TROUBLE 2

static const char *progname = "ternalias";

static void __attribute__((noreturn)) usage(void)
{
	if (strcmp(progname, "newaliases") == 0)
		fputs("usage: newaliases [-c config_dir]\n", stderr);
	else
		fputs("usage: ternalias [-c config_dir] [[type:]file ...]\n"
		      "       ternalias [-c config_dir] -q name "
		      "[[type:]file ...]\n",
		    stderr);
	exit(EXIT_TROUBLE);
}

/* Does spec name a texthash: table (read at open, nothing to build)? */
static int
is_texthash(const char *spec, const char *default_type)
{
	size_t n = strspn(spec,
	    "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	if (n > 0 && spec[n] == ':')
		return n == 8 && strncasecmp(spec, "texthash", 8) == 0;
	return strcasecmp(default_type, "texthash") == 0;
}

/* Build one table; a texthash: table is only read, to check it. */
static void
build(const char *spec, const char *default_type)
{
	const char *error;
	struct dict *d;

	if (is_texthash(spec, default_type)) {
		if (dict_open_source(spec, default_type, &alias_dict_source, &d,
			&error) < 0)
			die(1, "%s", error);
		dict_close(&d);
		return;
	}
	if (dict_build_source(spec, default_type, &alias_dict_source, &error) <
	    0)
		die(1, "%s", error);
}

/* Build every table of alias_database. */
static void
build_all(const char *default_type)
{
	const char *cursor = var_alias_db, *item, *error;
	size_t len;
	int ret;

	while ((ret = dict_list_next(&cursor, &item, &len, &error)) > 0) {
		char *spec = xstrndup(item, len);

		build(spec, default_type);
		xfree(spec);
	}
	if (ret < 0)
		die(1, "%s: %s", VAR_ALIAS_DB, error);
}

/* Look name up in the tables given, or in alias_maps. */
static int
query(const char *name, char **specs, int count, const char *default_type)
{
	const char *error, *value;
	struct maps *m;
	struct dict *d;
	int i, ret;

	if (count == 0) {
		if (maps_open_source(var_alias_maps, default_type,
			&alias_dict_source, &m, &error) < 0)
			die(EXIT_TROUBLE, "%s: %s", VAR_ALIAS_MAPS, error);
		ret = maps_find(m, name, &value, &error);
		if (ret < 0)
			die(EXIT_TROUBLE, "%s", error);
		if (ret > 0)
			printf("%s\n", value);
		maps_close(&m);
		return ret > 0 ? EXIT_FOUND : EXIT_NOT_FOUND;
	}
	for (i = 0; i < count; i++) {
		if (dict_open_source(specs[i], default_type, &alias_dict_source,
			&d, &error) < 0)
			die(EXIT_TROUBLE, "%s", error);
		ret = dict_lookup(d, name, &value, &error);
		if (ret < 0)
			die(EXIT_TROUBLE, "%s", error);
		if (ret > 0)
			printf("%s\n", value);
		dict_close(&d);
		if (ret > 0)
			return EXIT_FOUND;
	}
	return EXIT_NOT_FOUND;
}

int
main(int argc, char **argv)
{
	const char *config_dir = NULL, *name = NULL, *error;
	const char *default_type = DEF_DB_TYPE, *base;
	int c, status = 0, newaliases, trouble;

	base = strrchr(argv[0], '/');
	base = base != NULL ? base + 1 : argv[0];
	newaliases = strcmp(base, "newaliases") == 0;
	progname = newaliases ? "newaliases" : "ternalias";
	log_init(progname);
	die_init(progname, NULL);
	while ((c = getopt(argc, argv, newaliases ? "c:" : "c:q:")) != -1) {
		switch (c) {
		case 'c':
			config_dir = optarg;
			break;
		case 'q':
			name = optarg;
			break;
		default:
			usage();
		}
	}
	if (newaliases && optind < argc)
		usage();
	trouble = name != NULL ? EXIT_TROUBLE : 1;
	/* main.cf is read when it is needed (alias_database, alias_maps)
	 * or named (-c); a table named on the command line alone needs
	 * none, as with ternmap. */
	if (config_dir != NULL || optind == argc) {
		if (config_load(config_dir != NULL ? config_dir
						   : config_dir_default(),
			&error) < 0)
			die(trouble, "%s", error);
		default_type = var_db_type;
	}
	if (name != NULL) {
		status =
		    query(name, argv + optind, argc - optind, default_type);
	} else if (optind == argc) {
		build_all(default_type);
	} else {
		for (; optind < argc; optind++)
			build(argv[optind], default_type);
	}
	if (fflush(stdout) != 0)
		die(trouble, "write: %s", strerror(errno));
	return status;
}
