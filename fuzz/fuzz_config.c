/* SPDX-License-Identifier: BSD-3-Clause */
/* fuzz_config.c — libFuzzer target: the report pass's input files, parsed
 * by the same code report_run uses (src/report/report.c through rp_parse_buffer):
 * the --config file (internal networks with labels, geoip/asn paths), the
 * --waivers file, the --baseline JSON report (read by SQLite's JSON
 * functions over the scratch store) and a --profile file (docs/PROFILES.md).
 * docs/REPORT.md has the formats.
 *
 * Input: byte 0 picks the file (modulo 4: config, waivers, baseline,
 * profile); the rest is the file's text. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

#include "report_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int which;

	if (size < 1)
		return 0;
	which = data[0] % 4;
	rp_parse_buffer(which == RP_BUF_BASELINE ? fz_store() : NULL, which, data + 1, size - 1);
	return 0;
}
