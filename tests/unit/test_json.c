/* SPDX-License-Identifier: BSD-3-Clause */
/* test_json.c — the JSON writer: commas, nesting, escaping of wire bytes. */
#include <stdlib.h>
#include "tap.h"
#include <stdint.h>
#include "json.h"
#include "util.h"

int main(void)
{
	struct jbuf jb;
	char *s;

	jb_init(&jb);
	jb_obj_open(&jb);
	jb_kv_int(&jb, "a", 1);
	jb_key(&jb, "b");
	jb_arr_open(&jb);
	jb_string(&jb, "x");
	jb_int(&jb, -2);
	jb_bool(&jb, true);
	jb_null(&jb);
	jb_arr_close(&jb);
	jb_kv_str(&jb, "c", NULL);
	jb_key(&jb, "d");
	jb_raw(&jb, "{\"e\":[]}");
	jb_obj_close(&jb);
	is_str(jb_str(&jb), "{\"a\":1,\"b\":[\"x\",-2,true,null],\"c\":null,\"d\":{\"e\":[]}}", "structure and commas");
	jb_free(&jb);

	/* integer formatting without snprintf: the extremes */
	jb_init(&jb);
	jb_arr_open(&jb);
	jb_int(&jb, INT64_MIN);
	jb_int(&jb, INT64_MAX);
	jb_int(&jb, 0);
	jb_uint(&jb, UINT64_MAX);
	jb_uint(&jb, 10);
	jb_arr_close(&jb);
	is_str(jb_str(&jb), "[-9223372036854775808,9223372036854775807,0,18446744073709551615,10]",
	       "integer extremes");
	jb_free(&jb);
	{
		char t[24];
		size_t n = u64_to_dec(1234567890123ULL, t);
		is_str(t, "1234567890123", "u64_to_dec");
		ok(n == 13, "u64_to_dec length");
		n = i64_to_dec(-7, t);
		is_str(t, "-7", "i64_to_dec negative");
		ok(n == 2, "i64_to_dec length");
	}

	jb_init(&jb);
	jb_strn(&jb, "q\"\\\n\t\x01\x7f<", 8);
	is_str(jb_str(&jb), "\"q\\\"\\\\\\n\\t\\u0001\\u007f<\"", "control characters escaped");
	jb_reset(&jb);
	jb_strn(&jb, "\xc3\xa9\xff\xe2\x82", 5);
	is_str(jb_str(&jb), "\"\xc3\xa9\\u00ff\\u00e2\\u0082\"", "valid UTF-8 kept, invalid bytes as code points");
	jb_reset(&jb);
	jb_strn(&jb, "\xe2\x80\xa8", 3);
	is_str(jb_str(&jb), "\"\\u2028\"", "U+2028 escaped");
	jb_reset(&jb);
	jb_strn(&jb, "\xed\xa0\x80", 3);
	is_str(jb_str(&jb), "\"\\u00ed\\u00a0\\u0080\"", "UTF-8 surrogates are invalid");
	jb_reset(&jb);
	jb_strn(&jb, "a\0b", 3);
	is_str(jb_str(&jb), "\"a\\u0000b\"", "NUL escaped");
	s = jb_take(&jb);
	is_str(s, "\"a\\u0000b\"", "take returns the text");
	free(s);

	jb_init(&jb);
	for (int i = 0; i < 40; i++)
		jb_arr_open(&jb);
	ok(jb.err != 0, "nesting beyond the cap is an error");
	jb_free(&jb);
	jb_init(&jb);
	jb_obj_close(&jb);
	ok(jb.err != 0, "close without open is an error");
	jb_free(&jb);
	return tap_done();
}
