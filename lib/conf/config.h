/* config - main.cf: read, expand, convert and edit parameters.
 * A process-global store, like Postfix's mail_conf. main.cf holds lines
 * "name = value"; a line that starts with white space continues the previous
 * one (joined with one space); blank lines and lines whose first non-blank
 * character is '#' are ignored. Values may refer to other parameters:
 * $name, ${name}, ${name?text} (text when name is non-empty), ${name:text}
 * (text when name is empty) and $$ (a literal '$'); expansion is recursive
 * with a depth limit, so a loop is an error naming the parameter. The value
 * of a name is looked up as: override (-o) > main.cf > table default > "".
 * Names set in main.cf but absent from param_table are kept (they can be
 * referenced) and produce "unknown parameter" warnings. config_load converts
 * and range-checks every table row and only then assigns the var_* globals
 * (see params.h), so a failed load leaves the previous values and store in
 * place. String variables are owned by this module and freed by the next
 * successful load or config_reset(). Error strings returned through error_r
 * are owned by the module and valid until the next call into it. Errors name
 * the place: "<dir>/main.cf:12: message_size_limit: bad size value \"10x\"".
 * Not thread-safe. */
#ifndef TERN_MAIL_CONFIG_H
#define TERN_MAIL_CONFIG_H

#include <stddef.h>

struct buf;
struct param_def;

/* Maximal length of one logical main.cf line and of an expanded value. */
#define CONFIG_VALUE_MAX (1024 * 1024)
/* Maximal nesting of $name references during expansion. */
#define CONFIG_EXPAND_DEPTH 100

/* Record "name=value" (white space around both trimmed) as an override that
 * wins over main.cf; call before config_load(). Later overrides of the same
 * name replace earlier ones. Returns 0, or -1 with *error_r set when the
 * text has no '=' or a bad name. */
/* The configuration directory when no -c is given: the environment's
 * TERN_CONFIG_DIRECTORY when set and non-empty, else the built-in
 * TERN_CONFIG_DIR. Never fails. */
const char *config_dir_default(void);

int config_override(const char *name_eq_value, const char **error_r);

/* Read <config_dir>/main.cf (a missing file is an error; NULL config_dir:
 * config_dir_default()), apply the overrides, expand, convert and
 * range-check every table parameter, set every var_* and set
 * var_config_dir to config_dir. Returns 0, or -1 with
 * *error_r set; on error no variable changes and the previous store stays. */
int config_load(const char *config_dir, const char **error_r);

/* Set every var_* to its expanded default, ignoring main.cf and overrides
 * (the store is left as it is). Returns 0; a default that does not convert
 * is a bug (panic). */
int config_load_defaults(void);

/* The value as written (override > main.cf), or NULL when neither sets it.
 * The string is owned by the store and valid until the next load or
 * reset. */
/* The default of a table parameter in the loaded configuration: its
 * table default, except that mydomain follows an explicit myhostname.
 * Valid until the next call. Never fails. */
const char *config_default(const struct param_def *p);
const char *config_raw(const char *name);

/* Append the expansion of text to out (looking names up as described
 * above). Returns 0, or -1 with *error_r set (bad syntax, a loop, or out's
 * maximum exceeded). */
int config_expand(const char *text, struct buf *out, const char **error_r);

/* Call fn for each parameter set in main.cf, in file order (a name set
 * twice is reported once, at its first place, with its last value). */
void
config_foreach_set(void (*fn)(const char *name, const char *raw, void *ctx),
    void *ctx);

/* Call fn for each warning of the last load, e.g.
 * "/etc/tern/main.cf:3: unknown parameter: foo". */
void config_foreach_warning(void (*fn)(const char *msg, void *ctx), void *ctx);

/* Edit <config_dir>/main.cf like "ternconf -e": for each "name=value",
 * replace the first line setting name (with its continuation lines) and
 * drop later ones, or append "name = value" when it is not set; comments,
 * blank lines and order are kept. The new file is written to a temporary
 * file, fsync'ed and renamed over main.cf (a missing main.cf is created).
 * Does not change the loaded store. Returns 0, or -1 with *error_r set. */
int config_edit(const char *config_dir, const char *const *name_eq_values,
    size_t n, const char **error_r);

/* The value main.cf gives name, read without loading, converting or
 * checking anything else: for "tern status" and "tern stop", which must
 * work when main.cf does not load. Only one-line settings without '$' are
 * used. Returns 0 with the value in out, 1 when main.cf sets no such
 * usable value, -1 when main.cf cannot be read. */
int config_peek(const char *config_dir, const char *name, struct buf *out);

/* Check one "name=value" as "ternconf -e" would write it: name must be a
 * table parameter (else "unknown parameter 'x'; did you mean 'y'?" when
 * one is near), and the value, expanded against the loaded store, must
 * convert to the row's type within its range. Returns 0, or -1 with
 * *error_r set ("message_size_limit: bad size value \"10x\""). */
int config_check_assign(const char *name_eq_value, const char **error_r);

/* Forget main.cf, overrides and warnings, and free the string variables
 * (they become NULL). For tests and SIGHUP reloads. Never fails. */
void config_reset(void);

#endif
