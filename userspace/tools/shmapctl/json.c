// SPDX-License-Identifier: GPL-2.0-only
/*
 * shmapctl: a minimal JSON writer (one object on one line).
 *
 * Strings are escaped per RFC 8259: '"', '\\' and control characters.
 * Valid UTF-8 sequences pass through; any other byte >= 0x80 is written as
 * \u00XX (read as Latin-1), so the output is valid JSON whatever the input
 * bytes are.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "shmapctl.h"

/* Length of the valid UTF-8 sequence at @p (2 to 4), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	size_t len, i;
	uint32_t cp;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		cp = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)	/* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;	/* overlong, out of range, surrogate */
	return len;
}

void json_escape(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		size_t n;

		if (*p >= 0x80 && (n = utf8_len(p)) != 0) {
			fwrite(p, 1, n, f);
			p += n - 1;
			continue;
		}
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void json_init(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

/* Comma and key before a value. */
static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		json_escape(j->f, key);
		fputc(':', j->f);
	}
}

static void json_open(struct json *j, const char *key, int c)
{
	json_key(j, key);
	fputc(c, j->f);
	if (j->depth + 1 >= (int)(sizeof(j->need_comma) / sizeof(bool)))
		abort();	/* nesting is fixed by the program */
	j->need_comma[++j->depth] = false;
}

void json_obj_begin(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	fputc('}', j->f);
	j->depth--;
}

void json_arr_begin(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	fputc(']', j->f);
	j->depth--;
}

void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		json_escape(j->f, val);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	fprintf(j->f, "%" PRIu64, val);
}

void json_bool(struct json *j, const char *key, bool val)
{
	json_key(j, key);
	fputs(val ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

/* A decimal integer without leading zeros as a number, anything else a string. */
void json_raw_number_or_str(struct json *j, const char *key, const char *val)
{
	size_t n = strspn(val, "0123456789");

	if (n && !val[n] && (val[0] != '0' || n == 1) && n < 20) {
		json_key(j, key);
		fputs(val, j->f);
	} else {
		json_str(j, key, val);
	}
}
