// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: table output through libsmartcols, shared by every command that
 * prints rows (info, status, list): text, -r/--raw, -J/--json,
 * -n/--noheadings, -o/--output and -b/--bytes, as in util-linux.
 *
 * How a command uses it:
 *
 *   enum { COL_SIZE, COL_NAME };                   column ids = indexes
 *   static const struct col_desc cols[] = {
 *       [COL_SIZE] = { "SIZE", COL_T_SIZE, 6, "size of the buffer" },
 *       [COL_NAME] = { "NAME", COL_T_STRING, 0.2, "name of the buffer" },
 *   };
 *   static const struct table_spec spec = {
 *       "buffers", cols, ARRAY_SIZE(cols), "NAME,SIZE",  JSON key, defaults
 *   };
 *
 *   struct out_opts o = { 0 };
 *   while ((opt = getopt_long(argc, argv, "h" TABLE_SHORTOPTS, ...)))
 *       if (!table_opt(&o, opt, optarg)) switch (opt) { ... }
 *                        (long options: TABLE_LONGOPTS in the option array)
 *   if (o.list_columns)
 *       return table_list_columns(&spec, stdout), EXIT_OK;
 *   ret = table_new(&t, &spec, &o, "cmd");    bad -o: message, EXIT_USAGE
 *   if (ret) return ret;
 *   table_new_row(t);                         then set its cells by id:
 *   table_set_size(t, COL_SIZE, bytes);
 *   table_set_str(t, COL_NAME, name);         NULL: unknown
 *   ret = table_print(t);                     0 or -errno (also of setters)
 *   table_free(t);
 *
 * Setting a column that -o did not select does nothing, so commands set
 * every column and never look at the selection (table_wants() tells them
 * whether a costly column is wanted at all).
 *
 * Values: a string, a number (u64), a size (text: "64 MiB", with -b bytes;
 * JSON: always a number of bytes), a boolean (text 1/0, JSON true/false), a
 * list of strings (text "a,b", JSON ["a","b"]) or unknown: "-" in text,
 * null in JSON. The JSON type of a column never depends on its values.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libsmartcols.h>

#include "shmapctl.h"

#define TABLE_MAX_COLS 64
#define UNKNOWN_TEXT "-"

struct table {
	struct libscols_table *tb;
	struct libscols_line *line;
	/* By column id: NULL if not selected. */
	struct libscols_column *cols[TABLE_MAX_COLS];
	const struct table_spec *spec;
	bool json, bytes;
	int err;
};

bool table_opt(struct out_opts *o, int opt, const char *arg)
{
	switch (opt) {
	case 'J':
		o->json = true;
		break;
	case 'o':
		o->columns = arg;
		break;
	case 'n':
		o->noheadings = true;
		break;
	case 'r':
		o->raw = true;
		break;
	case 'b':
		o->bytes = true;
		break;
	case 'H':
		o->list_columns = true;
		break;
	default:
		return false;
	}
	return true;
}

static const char *type_name(enum col_type type)
{
	switch (type) {
	case COL_T_NUMBER:
		return "<number>";
	case COL_T_SIZE:
		return "<size>";
	case COL_T_BOOL:
		return "<boolean>";
	case COL_T_LIST:
		return "<list>";
	default:
		return "<string>";
	}
}

void table_list_columns(const struct table_spec *spec, FILE *f)
{
	size_t i, w = 0;

	for (i = 0; i < spec->ncols; i++)
		if (strlen(spec->cols[i].name) > w)
			w = strlen(spec->cols[i].name);
	for (i = 0; i < spec->ncols; i++)
		fprintf(f, " %*s  %-9s  %s\n", (int)w, spec->cols[i].name,
			type_name(spec->cols[i].type), spec->cols[i].help);
}

static int json_type(enum col_type type)
{
	switch (type) {
	case COL_T_NUMBER:
	case COL_T_SIZE:
		return SCOLS_JSON_NUMBER;
	case COL_T_BOOL:
		return SCOLS_JSON_BOOLEAN_OPTIONAL;
	case COL_T_LIST:
		return SCOLS_JSON_ARRAY_STRING;
	default:
		return SCOLS_JSON_STRING;
	}
}

static int add_column(struct table *t, size_t id)
{
	const struct col_desc *d = &t->spec->cols[id];
	struct libscols_column *cl;
	int flags = d->flags;

	if (t->cols[id])
		return 0;	/* named twice: shown once */
	if (d->type == COL_T_NUMBER || d->type == COL_T_SIZE)
		flags |= SCOLS_FL_RIGHT;
	if (d->type == COL_T_LIST && t->json)
		flags |= SCOLS_FL_WRAP;
	cl = scols_table_new_column(t->tb, d->name, d->whint, flags);
	if (!cl)
		return -ENOMEM;
	if (t->json) {
		scols_column_set_json_type(cl, json_type(d->type));
		if (d->type == COL_T_LIST)
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize,
						  scols_wrapnl_nextchunk, NULL);
	}
	t->cols[id] = cl;
	return 0;
}

/*
 * Add the columns of a comma-separated @list; an unknown name is a usage
 * error (reported here).
 */
static int add_columns(struct table *t, const char *list, const char *cmd)
{
	const char *p = list;

	while (*p) {
		const char *end = strchrnul(p, ',');
		size_t i, len = (size_t)(end - p);
		int err;

		for (i = 0; i < t->spec->ncols; i++)
			if (strlen(t->spec->cols[i].name) == len &&
			    !strncasecmp(t->spec->cols[i].name, p, len))
				break;
		if (i == t->spec->ncols) {
			usage_error(cmd, "unknown column '%.*s' (see --list-columns)",
				    (int)len, p);
			return EXIT_USAGE;
		}
		err = add_column(t, i);
		if (err) {
			err_msg("%s", strerror(-err));
			return EXIT_FAIL;
		}
		p = *end ? end + 1 : end;
	}
	return EXIT_OK;
}

int table_new(struct table **tp, const struct table_spec *spec,
	      const struct out_opts *o, const char *cmd)
{
	const char *sel = o->columns;
	struct table *t;
	int ret;

	*tp = NULL;
	if (spec->ncols > TABLE_MAX_COLS) {
		err_msg("internal error: too many columns");
		return EXIT_FAIL;
	}
	if (sel && !*sel)
		return usage_error(cmd, "empty column list");
	t = calloc(1, sizeof(*t));
	if (!t || !(t->tb = scols_new_table())) {
		free(t);
		err_msg("%s", strerror(ENOMEM));
		return EXIT_FAIL;
	}
	t->spec = spec;
	t->json = o->json;
	t->bytes = o->bytes;
	scols_table_set_name(t->tb, spec->name);
	scols_table_enable_raw(t->tb, o->raw);
	scols_table_enable_noheadings(t->tb, o->noheadings);
	scols_table_enable_json(t->tb, o->json);

	ret = EXIT_OK;
	if (!sel || *sel == '+')
		ret = add_columns(t, spec->defaults, cmd);
	if (!ret && sel)
		ret = add_columns(t, *sel == '+' ? sel + 1 : sel, cmd);
	if (ret) {
		table_free(t);
		return ret;
	}
	*tp = t;
	return EXIT_OK;
}

bool table_wants(const struct table *t, int col)
{
	return col >= 0 && (size_t)col < t->spec->ncols && t->cols[col];
}

int table_new_row(struct table *t)
{
	t->line = scols_table_new_line(t->tb, NULL);
	if (!t->line) {
		t->err = -ENOMEM;
		return -ENOMEM;
	}
	return 0;
}

/* Set the current row's cell to @data, which the table then owns. */
static void set_owned(struct table *t, int col, char *data)
{
	int err;

	if (!data) {
		t->err = -ENOMEM;
		return;
	}
	err = t->line ? scols_line_refer_column_data(t->line, t->cols[col],
						     data) : -EINVAL;
	if (err) {
		free(data);
		t->err = err;
	}
}

void table_set_str(struct table *t, int col, const char *s)
{
	if (!table_wants(t, col))
		return;
	if (!s) {
		table_set_unknown(t, col);
		return;
	}
	set_owned(t, col, strdup(s));
}

void table_set_u64(struct table *t, int col, uint64_t v)
{
	char *s;

	if (!table_wants(t, col))
		return;
	if (asprintf(&s, "%" PRIu64, v) < 0)
		s = NULL;
	set_owned(t, col, s);
}

void table_set_size(struct table *t, int col, uint64_t bytes)
{
	char h[32];

	if (!table_wants(t, col))
		return;
	if (t->json || t->bytes) {
		table_set_u64(t, col, bytes);
		return;
	}
	human_size(bytes, h, sizeof(h));
	set_owned(t, col, strdup(h));
}

void table_set_bool(struct table *t, int col, bool v)
{
	if (!table_wants(t, col))
		return;
	set_owned(t, col, strdup(v ? "1" : "0"));
}

/* JSON: an empty cell, which libsmartcols prints as null. */
void table_set_unknown(struct table *t, int col)
{
	if (!table_wants(t, col))
		return;
	set_owned(t, col, strdup(t->json ? "" : UNKNOWN_TEXT));
}

void table_add_item(struct table *t, int col, const char *item)
{
	struct libscols_cell *ce;
	const char *old;
	char *s;

	if (!table_wants(t, col) || !t->line)
		return;
	ce = scols_line_get_column_cell(t->line, t->cols[col]);
	old = ce ? scols_cell_get_data(ce) : NULL;
	if (old && *old && strcmp(old, UNKNOWN_TEXT)) {
		if (asprintf(&s, "%s%c%s", old, t->json ? '\n' : ',',
			     item) < 0)
			s = NULL;
	} else {
		s = strdup(item);
	}
	set_owned(t, col, s);
}

int table_print(struct table *t)
{
	int err = t->err;

	if (!err)
		err = scols_print_table(t->tb);
	if (!err && (fflush(stdout) == EOF || ferror(stdout)))
		err = -EIO;
	return err;
}

void table_free(struct table *t)
{
	if (!t)
		return;
	scols_unref_table(t->tb);
	free(t);
}
