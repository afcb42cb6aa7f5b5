/*
 * prog_realign.c - the image realigned by srec_cat exactly as the predecessor calls it
 * (node-control.md 3.5). Unlike the predecessor, srec_cat's own message is captured and logged.
 */
#include "prog/prog_realign.h"

#include <string.h>

#include "common/log.h"
#include "node/node_env.h"

#define REALIGN_TIMEOUT_S 30.0

/* srec_cat's message on one line, without its trailing newline */
static const char *one_line(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		text[--n] = '\0';
	for (size_t k = 0; k < n; k++)
		if (text[k] == '\n')
			text[k] = ' ';
	return n ? text : "(no message)";
}

shp_err prog_realign(const char *in_path, bool two_byte_addresses, const char *out_path)
{
	char *argv[] = {(char *)node_srec_cat(),
			"-disable-sequence-warning",
			(char *)in_path,
			"-Intel",
			"-fill=0xFF",
			"-within",
			(char *)in_path,
			"-Intel",
			"-range-padding=4",
			"-Output_Block_Size=16",
			two_byte_addresses ? "-address-length=2" : "-address-length=4",
			"-o",
			(char *)out_path,
			"-Intel",
			NULL};
	struct node_cmd_result res;
	node_command(argv, NULL, REALIGN_TIMEOUT_S, true, &res);
	if (res.not_found) {
		log_error("Error during realignment: %s not found (install srecord, or point "
			  "SHEPHERD_SREC_CAT at srec_cat)",
			  argv[0]);
		return SHP_ERR_CONFIG;
	}
	if (res.timed_out) {
		log_error("Error during realignment (srec_cat): no result after %.0f s",
			  REALIGN_TIMEOUT_S);
		return SHP_ERR_FIRMWARE;
	}
	if (res.status != 0) {
		log_error("Error during realignment (srec_cat): %s", one_line(res.output));
		return SHP_ERR_FIRMWARE;
	}
	return SHP_OK;
}
