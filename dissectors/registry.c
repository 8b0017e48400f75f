/* registry.c — the one list of dissectors. Adding a protocol: one file in
 * dissectors/ exporting `const struct dissector dissector_NAME`, one extern
 * line and one array entry here, one line in Makefile.am. Order matters
 * only when two probes match the same bytes: earlier wins. */
#include <string.h>

#include "dissector.h"

extern const struct dissector dissector_http;
extern const struct dissector dissector_postgresql;
extern const struct dissector dissector_mysql;

const struct dissector *const dissectors[] = {
	&dissector_http,
	&dissector_postgresql,
	&dissector_mysql,
};

const size_t n_dissectors = sizeof(dissectors) / sizeof(dissectors[0]);

const struct dissector *dissector_find(const char *name)
{
	size_t i;
	for (i = 0; i < n_dissectors; i++)
		if (strcmp(dissectors[i]->name, name) == 0)
			return dissectors[i];
	return NULL;
}
