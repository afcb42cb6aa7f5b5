/* monitors.c - starting, polling and stopping the node monitors. */
#include "monitor/monitors.h"

#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "monitor/log_capture.h"

#define KMSG_PATH "/dev/kmsg"

shp_err monitors_open(struct monitors *m, h5w_t *w, const struct shp_sys_logging *flags)
{
	memset(m, 0, sizeof(*m));
	m->kmsg.fd = -1;
	m->sys.fd_stat = m->sys.fd_mem = m->sys.fd_disk = m->sys.fd_net = -1;
	for (int k = 0; k < 3; k++) {
		m->journal[k].fd = -1;
		m->journal[k].pid = -1;
	}
	m->open = true;
	if (flags->sheep) {
		SHP_TRY(log_capture_attach(w));
		m->sheep = true;
	}
	if (flags->sys_util)
		SHP_TRY(sys_util_open(&m->sys, w));
	if (flags->kernel)
		SHP_TRY(kmsg_open(&m->kmsg, w, KMSG_PATH));
	if (flags->time_sync)
		for (int k = 0; k < 3; k++)
			SHP_TRY(journal_open(&m->journal[k], w, (enum journal_kind)k));
	return SHP_OK;
}

shp_err monitors_poll(struct monitors *m)
{
	if (!m->open)
		return SHP_OK;
	uint64_t now = mono_ns();
	SHP_TRY(sys_util_poll(&m->sys, now));
	SHP_TRY(kmsg_poll(&m->kmsg, now));
	for (int k = 0; k < 3; k++)
		SHP_TRY(journal_poll(&m->journal[k], now));
	return m->sheep ? log_capture_drain() : SHP_OK;
}

void monitors_close(struct monitors *m)
{
	if (!m->open)
		return;
	/* what is still on its way: one last look at each source */
	uint64_t late = mono_ns() + 3600 * 1000 * SHP_NS_PER_MS;
	kmsg_poll(&m->kmsg, late);
	for (int k = 0; k < 3; k++)
		journal_poll(&m->journal[k], late);
	log_debug("monitors: %llu sys_util rows, %llu kernel lines, %llu ptp, %llu phc2sys, "
		  "%llu ntp lines",
		  (unsigned long long)m->sys.rows, (unsigned long long)m->kmsg.lines,
		  (unsigned long long)m->journal[0].lines, (unsigned long long)m->journal[1].lines,
		  (unsigned long long)m->journal[2].lines);
	sys_util_close(&m->sys);
	kmsg_close(&m->kmsg);
	for (int k = 0; k < 3; k++)
		journal_close(&m->journal[k]);
	if (m->sheep)
		log_capture_detach();
	m->open = false;
}
