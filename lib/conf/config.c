/* SPDX-License-Identifier: MIT */
/* config - main.cf loading, $name expansion and conversion. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/config.h"
#include "conf/config_impl.h"
#include "conf/params.h"
#include "conf/tern_paths.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/mem.h"

#define CONFIG_ERROR_MAX 4096

struct cf_entry {
	char *name;
	char *value;
	int line; /* main.cf line; 0 for overrides */
};

struct cf_list {
	struct cf_entry *ent;
	size_t n, cap;
};

/* Where expansion looks names up: main (may be NULL) and, when use_over,
 * the overrides; then the table defaults. When config_dir is set,
 * $config_directory is the directory being loaded (-c or the environment),
 * whatever main.cf says, as var_config_dir will be: "$config_directory/x"
 * must name a file beside the main.cf that was read. */
struct cf_lookup {
	const struct cf_list *main;
	int use_over;
	const char *config_dir;
};

/* One converted table value, committed only after every row converted. */
union cf_value {
	char *s;
	long l;
	int b;
};

static struct cf_list cf_main; /* main.cf, file order */
static struct cf_list cf_over; /* -o overrides */
static char **cf_warn;
static size_t cf_nwarn;
static struct buf cf_err;    /* final error text */
static struct buf cf_detail; /* inner error text */

static const char *err_vset(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
static const char *
err_vset(struct buf *b, const char *fmt, va_list ap)
{
	if (b->data == NULL)
		buf_init(b, CONFIG_ERROR_MAX);
	buf_reset(b);
	if (buf_vprintf(b, fmt, ap) < 0)
		buf_set(b, "error message too long");
	return buf_cstr(b);
}

const char *
config_err_set(const char *fmt, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, fmt);
	s = err_vset(&cf_err, fmt, ap);
	va_end(ap);
	return s;
}

static const char *
detail_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *
detail_set(const char *fmt, ...)
{
	va_list ap;
	const char *s;

	va_start(ap, fmt);
	s = err_vset(&cf_detail, fmt, ap);
	va_end(ap);
	return s;
}

int
config_is_name_char(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static int
valid_name(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!config_is_name_char(p[i]))
			return 0;
	return 1;
}

static void
list_free(struct cf_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		xfree(l->ent[i].name);
		xfree(l->ent[i].value);
	}
	xfree(l->ent);
	l->ent = NULL;
	l->n = l->cap = 0;
}

static struct cf_entry *
list_find(const struct cf_list *l, const char *name, size_t len)
{
	size_t i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (strncmp(l->ent[i].name, name, len) == 0 &&
		    l->ent[i].name[len] == 0)
			return &l->ent[i];
	return NULL;
}

/* Set name to value (taking ownership of both); a name already present keeps
 * its place. Returns the previous line of name, or -1 when it is new. */
static int
list_set(struct cf_list *l, char *name, char *value, int line)
{
	struct cf_entry *e = list_find(l, name, strlen(name));
	int old;

	if (e != NULL) {
		old = e->line;
		xfree(name);
		xfree(e->value);
		e->value = value;
		e->line = line;
		return old;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->ent = xrealloc(l->ent, l->cap * sizeof(*l->ent));
	}
	l->ent[l->n].name = name;
	l->ent[l->n].value = value;
	l->ent[l->n].line = line;
	l->n++;
	return -1;
}

static void
warn_free(char ***warn, size_t *nwarn)
{
	size_t i;

	for (i = 0; i < *nwarn; i++)
		xfree((*warn)[i]);
	xfree(*warn);
	*warn = NULL;
	*nwarn = 0;
}

static void warn_add(char ***warn, size_t *nwarn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
warn_add(char ***warn, size_t *nwarn, const char *fmt, ...)
{
	struct buf b;
	va_list ap;

	buf_init(&b, CONFIG_ERROR_MAX);
	va_start(ap, fmt);
	if (buf_vprintf(&b, fmt, ap) < 0)
		buf_set(&b, "warning text too long");
	va_end(ap);
	*warn = xrealloc(*warn, (*nwarn + 1) * sizeof(**warn));
	(*warn)[(*nwarn)++] = buf_steal(&b);
	buf_deinit(&b);
}

/* The raw value of name[0..len), or NULL when nothing defines it. */
static const char *
lookup_raw(const struct cf_lookup *lk, const char *name, size_t len)
{
	const struct cf_entry *e;
	size_t i;

	if (lk->config_dir != NULL && len == strlen(VAR_CONFIG_DIR) &&
	    strncmp(name, VAR_CONFIG_DIR, len) == 0)
		return lk->config_dir;
	if (lk->use_over && (e = list_find(&cf_over, name, len)) != NULL)
		return e->value;
	if ((e = list_find(lk->main, name, len)) != NULL)
		return e->value;
	for (i = 0; i < param_table_count; i++)
		if (strncmp(param_table[i].name, name, len) == 0 &&
		    param_table[i].name[len] == 0)
			return config_default(&param_table[i]);
	return NULL;
}

/* Names being expanded, outermost first, to report loops. */
struct cf_stack {
	const char *name[CONFIG_EXPAND_DEPTH];
	size_t len[CONFIG_EXPAND_DEPTH];
	size_t n;
};

static int expand(const struct cf_lookup *lk, const char *p, size_t n,
    struct buf *out, struct cf_stack *st, const char **error_r);

/* Append the expanded value of name[0..len) to out. */
static int
expand_name(const struct cf_lookup *lk, const char *name, size_t len,
    struct buf *out, struct cf_stack *st, const char **error_r)
{
	const char *raw;
	size_t i;
	int ret;

	for (i = 0; i < st->n; i++) {
		if (st->len[i] == len && strncmp(st->name[i], name, len) == 0) {
			*error_r = detail_set("expansion loop through $%.*s",
			    (int)len, name);
			return -1;
		}
	}
	if (st->n == CONFIG_EXPAND_DEPTH) {
		*error_r = "parameter expansion nested too deeply";
		return -1;
	}
	if ((raw = lookup_raw(lk, name, len)) == NULL)
		return 0;
	st->name[st->n] = name;
	st->len[st->n] = len;
	st->n++;
	ret = expand(lk, raw, strlen(raw), out, st, error_r);
	st->n--;
	return ret;
}

/* Length of the text of ${name?text} up to its closing brace (nested braces
 * counted), or -1 when it is unterminated. */
static long
brace_text_len(const char *p, size_t n)
{
	size_t i, depth = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '{') {
			depth++;
		} else if (p[i] == '}') {
			if (depth == 0)
				return (long)i;
			depth--;
		}
	}
	return -1;
}

static int
expand(const struct cf_lookup *lk, const char *p, size_t n, struct buf *out,
    struct cf_stack *st, const char **error_r)
{
	size_t i = 0, start, len;

	while (i < n) {
		const char *dollar = memchr(p + i, '$', n - i);
		size_t lit = dollar ? (size_t)(dollar - (p + i)) : n - i;

		if (buf_append(out, p + i, lit) < 0)
			goto too_long;
		i += lit;
		if (i >= n)
			break;
		i++; /* the '$' */
		if (i < n && p[i] == '$') {
			if (buf_putc(out, '$') < 0)
				goto too_long;
			i++;
			continue;
		}
		if (i < n && p[i] == '{') {
			struct buf val;
			long tlen;
			char op;
			int ret;

			start = ++i;
			while (i < n && config_is_name_char(p[i]))
				i++;
			len = i - start;
			if (len == 0 || i >= n ||
			    (p[i] != '}' && p[i] != '?' && p[i] != ':')) {
				*error_r = "bad ${name} syntax";
				return -1;
			}
			op = p[i++];
			if (op == '}') {
				if (expand_name(lk, p + start, len, out, st,
					error_r) < 0)
					return -1;
				continue;
			}
			if ((tlen = brace_text_len(p + i, n - i)) < 0) {
				*error_r = "missing '}' in ${name?text}";
				return -1;
			}
			buf_init(&val, CONFIG_VALUE_MAX);
			ret =
			    expand_name(lk, p + start, len, &val, st, error_r);
			if (ret == 0 && (buf_len(&val) > 0) == (op == '?'))
				ret = expand(lk, p + i, (size_t)tlen, out, st,
				    error_r);
			buf_deinit(&val);
			if (ret < 0)
				return -1;
			i += (size_t)tlen + 1;
			continue;
		}
		start = i;
		while (i < n && config_is_name_char(p[i]))
			i++;
		if (i == start) {
			*error_r = "'$' not followed by a parameter name";
			return -1;
		}
		if (expand_name(lk, p + start, i - start, out, st, error_r) < 0)
			return -1;
	}
	return 0;
too_long:
	*error_r = "expanded value too long";
	return -1;
}

int
config_expand(const char *text, struct buf *out, const char **error_r)
{
	struct cf_lookup lk = { &cf_main, 1, var_config_dir };
	struct cf_stack st;

	st.n = 0;
	return expand(&lk, text, strlen(text), out, &st, error_r);
}

/* Trim white space at both ends of p[0..*n); returns the new start. */
static const char *
trim(const char *p, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)*p)) {
		p++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)p[*n - 1]))
		(*n)--;
	return p;
}

/* Split "name = value" into fresh copies. Returns 0, 1 when there is no
 * '=', or 2 for a bad name. */
int
config_split_assign(const char *p, size_t n, char **name_r, char **value_r)
{
	const char *eq = memchr(p, '=', n);
	const char *name, *value;
	size_t nlen, vlen;

	if (eq == NULL)
		return 1;
	nlen = (size_t)(eq - p);
	name = trim(p, &nlen);
	if (!valid_name(name, nlen))
		return 2;
	vlen = n - (size_t)(eq + 1 - p);
	value = trim(eq + 1, &vlen);
	*name_r = xstrndup(name, nlen);
	*value_r = xstrndup(value, vlen);
	return 0;
}

static int convert(const struct param_def *, const char *, union cf_value *,
    const char **);

int
config_check_assign(const char *name_eq_value, const char **error_r)
{
	const struct param_def *d;
	const char *hint;
	char *name, *value;
	union cf_value v;
	struct buf out;
	int ret = -1;

	switch (config_split_assign(name_eq_value, strlen(name_eq_value), &name,
	    &value)) {
	case 0:
		break;
	case 1:
		*error_r = detail_set("%s: expected name=value",
		    log_str(name_eq_value));
		return -1;
	default:
		*error_r = detail_set("%s: bad parameter name",
		    log_str(name_eq_value));
		return -1;
	}
	if ((d = param_find(name)) == NULL) {
		if ((hint = param_suggest(name)) != NULL)
			*error_r = detail_set("unknown parameter '%s'; did you "
					      "mean '%s'?",
			    log_str(name), hint);
		else
			*error_r =
			    detail_set("unknown parameter '%s'", log_str(name));
		goto out;
	}
	if (d->type == PARAM_STR) {
		ret = 0;
		goto out;
	}
	buf_init(&out, CONFIG_VALUE_MAX);
	if (config_expand(value, &out, error_r) == 0 &&
	    convert(d, buf_cstr(&out), &v, error_r) == 0)
		ret = 0;
	else {
		char *why = xstrdup(*error_r); /* may be our own buffer */

		*error_r = detail_set("%s: %s", d->name, why);
		xfree(why);
	}
	buf_deinit(&out);
out:
	xfree(name);
	xfree(value);
	return ret;
}

int
config_override(const char *name_eq_value, const char **error_r)
{
	char *name, *value;

	switch (config_split_assign(name_eq_value, strlen(name_eq_value), &name,
	    &value)) {
	case 1:
		*error_r =
		    config_err_set("-o %s: missing '=' after parameter name",
			log_str(name_eq_value));
		return -1;
	case 2:
		*error_r = config_err_set("-o %s: bad parameter name",
		    log_str(name_eq_value));
		return -1;
	}
	list_set(&cf_over, name, value, 0);
	return 0;
}

/* Read a whole file into b. Returns 0, or -1 with errno set (EFBIG when it
 * exceeds b's maximum). */
int
config_read_file(const char *path, struct buf *b)
{
	char chunk[8192];
	ssize_t r;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return -1;
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (buf_append(b, chunk, (size_t)r) < 0) {
			r = -1;
			errno = EFBIG;
			break;
		}
	}
	saved = errno;
	close(fd);
	errno = saved;
	return r < 0 ? -1 : 0;
}

enum line_kind
config_line_kind(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && isspace((unsigned char)p[i]))
		i++;
	if (i == n || p[i] == '#')
		return LINE_SKIP;
	return i > 0 ? LINE_CONT : LINE_START;
}

int
config_peek(const char *config_dir, const char *name, struct buf *out)
{
	struct buf path, text;
	const char *p, *end, *nl;
	int found = 0;

	buf_init(&path, 8192);
	buf_init(&text, CONFIG_FILE_MAX);
	if (buf_printf(&path, "%s/main.cf", config_dir) < 0 ||
	    config_read_file(buf_cstr(&path), &text) < 0) {
		buf_deinit(&path);
		buf_deinit(&text);
		return -1;
	}
	p = buf_cstr(&text);
	end = p + buf_len(&text);
	for (; p < end; p = nl + 1) {
		char *n, *v;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (config_line_kind(p, (size_t)(nl - p)) != LINE_START ||
		    config_split_assign(p, (size_t)(nl - p), &n, &v) != 0)
			continue;
		if (strcmp(n, name) == 0) {
			/* The last setting wins, as in config_load. */
			found = strchr(v, '$') == NULL;
			buf_reset(out);
			if (found && buf_puts(out, v) < 0)
				found = 0;
		}
		xfree(n);
		xfree(v);
	}
	buf_deinit(&path);
	buf_deinit(&text);
	return found ? 0 : 1;
}

/* Parse one logical line into list. */
static int
parse_logical(const char *path, int line, struct buf *logical,
    struct cf_list *list, char ***warn, size_t *nwarn, const char **error_r)
{
	struct cf_entry *prev;
	char *name, *value;

	switch (config_split_assign(buf_cstr(logical), buf_len(logical), &name,
	    &value)) {
	case 1:
		*error_r =
		    config_err_set("%s:%d: missing '=' after parameter name",
			path, line);
		return -1;
	case 2:
		*error_r =
		    config_err_set("%s:%d: bad parameter name", path, line);
		return -1;
	}
	prev = list_find(list, name, strlen(name));
	if (prev != NULL)
		warn_add(warn, nwarn,
		    "%s:%d: %s: overriding earlier entry at line %d", path,
		    line, name, prev->line);
	else if (param_find(name) == NULL)
		warn_add(warn, nwarn, "%s:%d: unknown parameter: %s", path,
		    line, name);
	list_set(list, name, value, line);
	return 0;
}

/* Parse the text of main.cf into list (file order). */
static int
parse_main(const char *path, const struct buf *text, struct cf_list *list,
    char ***warn, size_t *nwarn, const char **error_r)
{
	const char *p = buf_cstr(text), *end = p + buf_len(text);
	struct buf logical;
	int lineno = 0, start_line = 0, ret = 0;

	buf_init(&logical, CONFIG_VALUE_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		enum line_kind kind = config_line_kind(p, n);
		size_t tn = n;
		const char *t;

		lineno++;
		if (memchr(p, 0, n) != NULL) {
			*error_r = config_err_set("%s:%d: NUL byte in line",
			    path, lineno);
			ret = -1;
			break;
		}
		if (kind == LINE_CONT && start_line == 0) {
			*error_r =
			    config_err_set("%s:%d: continuation line without "
					   "a preceding parameter",
				path, lineno);
			ret = -1;
			break;
		}
		if (kind == LINE_START && start_line != 0) {
			if (parse_logical(path, start_line, &logical, list,
				warn, nwarn, error_r) < 0) {
				ret = -1;
				break;
			}
			buf_reset(&logical);
			start_line = 0;
		}
		if (kind != LINE_SKIP) {
			t = trim(p, &tn);
			if (kind == LINE_START)
				start_line = lineno;
			if ((kind == LINE_CONT &&
				buf_putc(&logical, ' ') < 0) ||
			    buf_append(&logical, t, tn) < 0) {
				*error_r =
				    config_err_set("%s:%d: line too long", path,
					start_line);
				ret = -1;
				break;
			}
		}
		p += n + (nl != NULL);
	}
	if (ret == 0 && start_line != 0)
		ret = parse_logical(path, start_line, &logical, list, warn,
		    nwarn, error_r);
	buf_deinit(&logical);
	return ret;
}

/* Convert an expanded value for row d. Returns 0, or -1 with the static
 * reason in *error_r (syntax) or a detail text (range). */
static int
convert(const struct param_def *d, const char *text, union cf_value *v,
    const char **error_r)
{
	const char *why;
	long l;

	switch (d->type) {
	case PARAM_STR:
		v->s = xstrdup(text);
		return 0;
	case PARAM_BOOL:
		if (param_parse_bool(text, &v->b, &why) < 0)
			goto bad;
		return 0;
	case PARAM_INT:
		if (param_parse_int(text, &l, &why) < 0)
			goto bad;
		break;
	case PARAM_SIZE:
		if (param_parse_size(text, &l, &why) < 0)
			goto bad;
		break;
	case PARAM_TIME:
		if (param_parse_time(text, &l, &why) < 0)
			goto bad;
		break;
	default:
		log_panic("config: bad type for %s", d->name);
	}
	if (l < d->min) {
		*error_r =
		    detail_set("%s value \"%s\" is below the minimum %ld",
			param_type_name(d->type), log_str(text), d->min);
		return -1;
	}
	if (l > d->max) {
		*error_r =
		    detail_set("%s value \"%s\" is above the maximum %ld",
			param_type_name(d->type), log_str(text), d->max);
		return -1;
	}
	v->l = l;
	return 0;
bad:
	*error_r = detail_set("%s \"%s\"", why, log_str(text));
	return -1;
}

static void
free_values(union cf_value *vals, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (param_table[i].type == PARAM_STR)
			xfree(vals[i].s);
}

/* Expand and convert every row against lk into vals. On error *error_r
 * names the place of the row's value. */
static int
convert_all(const struct cf_lookup *lk, const char *path, union cf_value *vals,
    const char **error_r)
{
	struct buf out;
	size_t i;
	int ret = 0;

	buf_init(&out, CONFIG_VALUE_MAX);
	for (i = 0; i < param_table_count; i++) {
		const struct param_def *d = &param_table[i];
		const struct cf_entry *e;
		struct cf_stack st;
		const char *why;

		buf_reset(&out);
		st.n = 0;
		if (expand_name(lk, d->name, strlen(d->name), &out, &st, &why) <
			0 ||
		    convert(d, buf_cstr(&out), &vals[i], &why) < 0) {
			if (lk->use_over &&
			    (e = list_find(&cf_over, d->name,
				 strlen(d->name))) != NULL)
				*error_r =
				    config_err_set("-o %s: %s", d->name, why);
			else if ((e = list_find(lk->main, d->name,
				      strlen(d->name))) != NULL)
				*error_r = config_err_set("%s:%d: %s: %s", path,
				    e->line, d->name, why);
			else
				*error_r =
				    config_err_set("%s: %s", d->name, why);
			free_values(vals, i);
			ret = -1;
			break;
		}
	}
	buf_deinit(&out);
	return ret;
}

static void
commit_values(union cf_value *vals)
{
	size_t i;

	for (i = 0; i < param_table_count; i++) {
		const struct param_def *d = &param_table[i];

		switch (d->type) {
		case PARAM_STR:
			xfree(*(char **)d->var);
			*(char **)d->var = vals[i].s;
			break;
		case PARAM_BOOL:
			*(int *)d->var = vals[i].b;
			break;
		default:
			*(long *)d->var = vals[i].l;
			break;
		}
	}
}

int
config_load(const char *config_dir, const char **error_r)
{
	struct cf_list list = { NULL, 0, 0 };
	struct cf_lookup lk = { &list, 1, NULL };
	union cf_value *vals;
	char **warn = NULL;
	size_t nwarn = 0, i;
	struct buf path, text;
	int ret = -1;

	if (config_dir == NULL)
		config_dir = config_dir_default();
	lk.config_dir = config_dir;
	buf_init(&path, 4096);
	buf_init(&text, CONFIG_FILE_MAX);
	if (buf_printf(&path, "%s/main.cf", config_dir) < 0) {
		*error_r = "configuration directory name too long";
		goto out;
	}
	if (config_read_file(buf_cstr(&path), &text) < 0) {
		*error_r = config_err_set("%s: cannot read: %s",
		    buf_cstr(&path), strerror(errno));
		goto out;
	}
	if (parse_main(buf_cstr(&path), &text, &list, &warn, &nwarn, error_r) <
	    0)
		goto out;
	for (i = 0; i < cf_over.n; i++)
		if (param_find(cf_over.ent[i].name) == NULL &&
		    list_find(&list, cf_over.ent[i].name,
			strlen(cf_over.ent[i].name)) == NULL)
			warn_add(&warn, &nwarn, "-o %s: unknown parameter: %s",
			    cf_over.ent[i].name, cf_over.ent[i].name);
	vals = xcalloc(param_table_count, sizeof(*vals));
	if (convert_all(&lk, buf_cstr(&path), vals, error_r) < 0) {
		xfree(vals);
		goto out;
	}
	commit_values(vals);
	xfree(vals);
	xfree(var_config_dir);
	var_config_dir = xstrdup(config_dir);

	/* Swap the new store in; the old one is freed below. */
	list_free(&cf_main);
	cf_main = list;
	list.ent = NULL;
	list.n = list.cap = 0;
	warn_free(&cf_warn, &cf_nwarn);
	cf_warn = warn;
	cf_nwarn = nwarn;
	warn = NULL;
	nwarn = 0;
	ret = 0;
out:
	list_free(&list);
	warn_free(&warn, &nwarn);
	buf_deinit(&path);
	buf_deinit(&text);
	return ret;
}

int
config_load_defaults(void)
{
	struct cf_lookup lk = { NULL, 0, NULL };
	union cf_value *vals;
	const char *error;

	vals = xcalloc(param_table_count, sizeof(*vals));
	if (convert_all(&lk, "", vals, &error) < 0)
		log_panic("config: bad built-in default: %s", error);
	commit_values(vals);
	xfree(vals);
	return 0;
}

const char *
config_dir_default(void)
{
	const char *dir = getenv("TERN_CONFIG_DIRECTORY");

	return dir != NULL && *dir != 0 ? dir : TERN_CONFIG_DIR;
}

const char *
config_default(const struct param_def *p)
{
	static char *derived;
	const char *h;

	/* mydomain follows an explicit myhostname, as in Postfix. */
	if (strcmp(p->name, VAR_MYDOMAIN) == 0 &&
	    (h = config_raw(VAR_MYHOSTNAME)) != NULL &&
	    strchr(h, '$') == NULL) {
		xfree(derived);
		derived = param_domain_default(h);
		return derived;
	}
	return param_default(p);
}

const char *
config_raw(const char *name)
{
	const struct cf_entry *e;

	if ((e = list_find(&cf_over, name, strlen(name))) != NULL)
		return e->value;
	if ((e = list_find(&cf_main, name, strlen(name))) != NULL)
		return e->value;
	return NULL;
}

void
config_foreach_set(void (*fn)(const char *name, const char *raw, void *ctx),
    void *ctx)
{
	size_t i;

	for (i = 0; i < cf_main.n; i++)
		fn(cf_main.ent[i].name, cf_main.ent[i].value, ctx);
}

void
config_foreach_warning(void (*fn)(const char *msg, void *ctx), void *ctx)
{
	size_t i;

	for (i = 0; i < cf_nwarn; i++)
		fn(cf_warn[i], ctx);
}

void
config_reset(void)
{
	size_t i;

	list_free(&cf_main);
	list_free(&cf_over);
	warn_free(&cf_warn, &cf_nwarn);
	for (i = 0; i < param_table_count; i++) {
		if (param_table[i].type == PARAM_STR) {
			xfree(*(char **)param_table[i].var);
			*(char **)param_table[i].var = NULL;
		}
	}
	xfree(var_config_dir);
	var_config_dir = NULL;
	buf_deinit(&cf_err);
	buf_deinit(&cf_detail);
}
