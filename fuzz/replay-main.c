/* SPDX-License-Identifier: BSD-3-Clause */
/* replay-main.c — runs a fuzz target's LLVMFuzzerTestOneInput on files, in
 * builds without libFuzzer (the regression inputs of tests/fuzz-regress/ in
 * make check, tests/fuzz-replay.sh). Usage: replay_TARGET FILE...
 * Exit 0 when every input ran (a crash or a sanitizer report ends the
 * process instead), 1 if a file cannot be read. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

/* Whole file into a buffer of exactly its size (so that AddressSanitizer
 * sees a read past the end), NULL on error. */
static uint8_t *replay_read(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *b = NULL;
	long n;

	if (fp == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0 ||
	    (b = malloc(n ? (size_t)n : 1)) == NULL || fread(b, 1, (size_t)n, fp) != (size_t)n) {
		free(b);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return b;
}

int main(int argc, char **argv)
{
	int i, rc = 0;

	for (i = 1; i < argc; i++) {
		size_t len = 0;
		uint8_t *b = replay_read(argv[i], &len);
		if (b == NULL) {
			fprintf(stderr, "replay: cannot read %s\n", argv[i]);
			rc = 1;
			continue;
		}
		LLVMFuzzerTestOneInput(b, len);
		free(b);
	}
	return rc;
}
