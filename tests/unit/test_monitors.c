/* Unit tests of the monitors' parsers: /proc texts, kmsg records, journal lines, unit lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "monitor/journal.h"
#include "monitor/kmsg.h"
#include "monitor/sys_util.h"

static void proc_stat_busy_and_total(void **state)
{
	(void)state;
	uint64_t busy, total;
	assert_true(
		sys_parse_stat("cpu  100 5 50 800 40 3 2 0 0 0\ncpu0 1 2 3 4\n", &busy, &total));
	assert_int_equal(total, 1000);
	assert_int_equal(busy, 1000 - 800 - 40); /* idle and iowait are not busy */
	assert_true(sys_parse_stat("cpu 1 2 3 4\n", &busy, &total)); /* old kernels: 4 fields */
	assert_int_equal(total, 10);
	assert_false(sys_parse_stat("intr 5 6 7\n", &busy, &total));
}

static void meminfo_total_and_available(void **state)
{
	(void)state;
	uint64_t total, avail;
	assert_true(sys_parse_meminfo("MemTotal:       2048 kB\nMemFree:   100 kB\n"
				      "MemAvailable:    512 kB\n",
				      &total, &avail));
	assert_int_equal(total, 2048);
	assert_int_equal(avail, 512);
	assert_false(sys_parse_meminfo("MemTotal: 2048 kB\n", &total, &avail));
}

static void diskstats_count_whole_disks_only(void **state)
{
	(void)state;
	const char *text = "   7       0 loop0 9 0 9 0 0 0 0 0 0 0 0\n"
			   " 179       0 mmcblk0 10 1 200 5 20 2 400 6 0 0 0\n"
			   " 179       1 mmcblk0p1 7 0 100 1 15 0 300 2 0 0 0\n"
			   "   8       0 sda 1 0 8 0 2 0 16 0 0 0 0\n"
			   "   8       1 sda1 1 0 8 0 2 0 16 0 0 0 0\n"
			   " 254       0 vda 3 0 24 0 4 0 32 0 0 0 0\n"
			   " 259       0 nvme0n1 5 0 40 0 6 0 48 0 0 0 0\n"
			   " 259       1 nvme0n1p1 5 0 40 0 6 0 48 0 0 0 0\n";
	uint64_t io[4];
	sys_parse_diskstats(text, io);
	assert_int_equal(io[0], 10 + 1 + 3 + 5);             /* reads */
	assert_int_equal(io[1], 20 + 2 + 4 + 6);             /* writes */
	assert_int_equal(io[2], (200 + 8 + 24 + 40) * 512u); /* bytes read */
	assert_int_equal(io[3], (400 + 16 + 32 + 48) * 512u);
}

static void net_dev_sums_interfaces(void **state)
{
	(void)state;
	const char *text = "Inter-|   Receive                            |  Transmit\n"
			   " face |bytes    packets errs drop fifo frame compressed "
			   "multicast|bytes    packets\n"
			   "    lo:  1000      10    0    0    0     0          0         0     "
			   "1000      10 0 0 "
			   "0 0 0 0\n"
			   "  eth0: 5000      50    0    0    0     0          0         0     "
			   "7000      70 0 0 "
			   "0 0 0 0\n";
	uint64_t net[2];
	sys_parse_net_dev(text, net);
	assert_int_equal(net[0], 8000); /* sent */
	assert_int_equal(net[1], 6000); /* received */
}

static void kmsg_records(void **state)
{
	(void)state;
	const char *rec = "6,1234,5000000,-;usb 1-1: new device\n SUBSYSTEM=usb\n";
	uint64_t usec;
	const char *text;
	size_t len;
	assert_true(kmsg_parse(rec, strlen(rec), &usec, &text, &len));
	assert_int_equal(usec, 5000000);
	assert_int_equal(len, strlen("usb 1-1: new device"));
	assert_memory_equal(text, "usb 1-1: new device", len);
	char longrec[400];
	snprintf(longrec, sizeof(longrec), "4,1,2,-;%0300d\n", 7);
	assert_true(kmsg_parse(longrec, strlen(longrec), &usec, &text, &len));
	assert_int_equal(len, SHP_KMSG_TEXT_MAX);
	assert_false(kmsg_parse("no header here", 14, &usec, &text, &len));
	assert_false(kmsg_parse("x,y;text", 8, &usec, &text, &len));
}

static void journal_lines_and_servo_values(void **state)
{
	(void)state;
	uint64_t t;
	const char *msg;
	assert_true(journal_parse_line("1764064800.123456 node ptp4l[812]: [3.1] master offset "
				       "-12 s2 freq -3456 path delay 789",
				       &t, &msg));
	assert_int_equal(t, 1764064800123456000ull);
	int64_t v[3];
	assert_true(journal_parse_values(msg, JOURNAL_PTP, v));
	assert_int_equal(v[0], -12);
	assert_int_equal(v[1], -3456);
	assert_int_equal(v[2], 789);
	assert_true(journal_parse_line("1764064801.000001 node phc2sys[9]: CLOCK_REALTIME phc "
				       "offset 8 s2 freq +1234 delay 567",
				       &t, &msg));
	assert_true(journal_parse_values(msg, JOURNAL_PHC2SYS, v));
	assert_int_equal(v[0], 8);
	assert_int_equal(v[1], 1234);
	assert_int_equal(v[2], 567);
	/* lines that are not servo reports are skipped */
	assert_true(
		journal_parse_line("1764064801.000001 node ptp4l[9]: port 1: LISTENING", &t, &msg));
	assert_false(journal_parse_values(msg, JOURNAL_PTP, v));
	assert_false(
		journal_parse_values("master offset x s2 freq 1 path delay 2", JOURNAL_PTP, v));
	assert_false(journal_parse_line("-- No entries --", &t, &msg));
	assert_false(journal_parse_line("1764064801.5 node x: y", &t, &msg));
}

static void units_and_templates_are_found(void **state)
{
	(void)state;
	char dir[] = "/tmp/sheep-units-XXXXXX";
	assert_non_null(mkdtemp(dir));
	const char *dirs[] = {dir, NULL};
	assert_false(journal_unit_installed("ptp4l@eth0.service", dirs));
	char path[256];
	snprintf(path, sizeof(path), "%s/ptp4l@.service", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fclose(f);
	assert_true(journal_unit_installed("ptp4l@eth0.service", dirs)); /* the template */
	assert_false(journal_unit_installed("systemd-timesyncd.service", dirs));
	unlink(path);
	rmdir(dir);
	assert_string_equal(journal_unit(JOURNAL_NTP), "systemd-timesyncd.service");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(proc_stat_busy_and_total),
		cmocka_unit_test(meminfo_total_and_available),
		cmocka_unit_test(diskstats_count_whole_disks_only),
		cmocka_unit_test(net_dev_sums_interfaces),
		cmocka_unit_test(kmsg_records),
		cmocka_unit_test(journal_lines_and_servo_values),
		cmocka_unit_test(units_and_templates_are_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
