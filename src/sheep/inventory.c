/* inventory.c - the node's inventory from /proc, /sys, uname, statvfs and adjtimex. */
#include "sheep/inventory.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fs.h"
#include "common/log.h"
#include "task/task_schema.h"
#include "task/timefmt.h"

#define CPUFREQ "/sys/devices/system/cpu/cpu0/cpufreq/"

/* The value of "key<sep>value" in a file of such lines (quotes removed). */
static bool find_value(const char *path, const char *key, char sep, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	char line[512];
	bool found = false;
	size_t klen = strlen(key);
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) != 0)
			continue;
		char *p = line + klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != sep)
			continue;
		p++;
		while (*p == ' ' || *p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		snprintf(buf, len, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

static void put_text(FILE *f, const char *key, bool ok, const char *value)
{
	fprintf(f, "%s: ", key);
	if (ok)
		schema_put_str(f, value);
	else
		fputs("null", f);
	fputc('\n', f);
}

static void put_khz_as_mhz(FILE *f, const char *key, const char *file)
{
	char buf[64];
	fprintf(f, "    %s: ", key);
	if (fs_read_line(file, buf, sizeof(buf)))
		fprintf(f, "%.1f\n", strtod(buf, NULL) / 1000.0);
	else
		fputs("null\n", f);
}

static void put_cpu(FILE *f)
{
	char model[256];
	bool ok = find_value("/proc/cpuinfo", "model name", ':', model, sizeof(model)) ||
		  find_value("/proc/cpuinfo", "Hardware", ':', model, sizeof(model)) ||
		  find_value("/proc/cpuinfo", "Processor", ':', model, sizeof(model));
	fputs("cpu:\n  ", f);
	put_text(f, "model", ok, model);
	fprintf(f, "  cores: %ld\n  frequency_mhz:\n", sysconf(_SC_NPROCESSORS_ONLN));
	put_khz_as_mhz(f, "current", CPUFREQ "scaling_cur_freq");
	put_khz_as_mhz(f, "min", CPUFREQ "cpuinfo_min_freq");
	put_khz_as_mhz(f, "max", CPUFREQ "cpuinfo_max_freq");
	char gov[64];
	fputs("  ", f);
	put_text(f, "governor", fs_read_line(CPUFREQ "scaling_governor", gov, sizeof(gov)), gov);
}

static void put_memory(FILE *f)
{
	char total[64], avail[64];
	bool ok = find_value("/proc/meminfo", "MemTotal", ':', total, sizeof(total)) &&
		  find_value("/proc/meminfo", "MemAvailable", ':', avail, sizeof(avail));
	if (ok)
		fprintf(f, "memory:\n  total_mib: %.1f\n  available_mib: %.1f\n",
			strtod(total, NULL) / 1024.0, strtod(avail, NULL) / 1024.0);
	else
		fputs("memory: null\n", f);
}

static void put_disk(FILE *f, const char *path)
{
	/* the nearest existing directory: the recordings' one may not exist yet */
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	struct statvfs vfs;
	while (statvfs(dir, &vfs) != 0) {
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			snprintf(dir, sizeof(dir), "/");
			if (statvfs(dir, &vfs) != 0) {
				fputs("disk: null\n", f);
				return;
			}
			break;
		}
		*slash = '\0';
	}
	double unit = (double)vfs.f_frsize / (1024.0 * 1024.0);
	fputs("disk:\n  path: ", f);
	schema_put_str(f, dir);
	fprintf(f, "\n  total_mib: %.1f\n  free_mib: %.1f\n", (double)vfs.f_blocks * unit,
		(double)vfs.f_bavail * unit);
}

static void put_time_sync(FILE *f)
{
	struct timex tx = {0};
	int state = adjtimex(&tx);
	if (state < 0) {
		fputs("time_sync: null\n", f);
		return;
	}
	/* the fields are long on amd64 but long long on armhf with _TIME_BITS=64 */
	fprintf(f,
		"time_sync:\n  synchronized: %s\n  max_error_us: %lld\n  estimated_error_us: %lld\n"
		"  clock_state: %s\n",
		(state != TIME_ERROR && !(tx.status & STA_UNSYNC)) ? "true" : "false",
		(long long)tx.maxerror, (long long)tx.esterror,
		state == TIME_ERROR ? "error"
		: state == TIME_OK  ? "ok"
				    : "leap");
}

void inventory_write(FILE *f, const char *disk_path, const char *versions_yaml)
{
	char when[48], host[256] = "";
	format_iso_local((int64_t)(wall_ns() / 1000000000ull), when, sizeof(when));
	gethostname(host, sizeof(host) - 1);
	fprintf(f, "created: %s\nhostname: ", when);
	schema_put_str(f, host);
	char os[256];
	fputc('\n', f);
	put_text(f, "os", find_value("/etc/os-release", "PRETTY_NAME", '=', os, sizeof(os)), os);
	struct utsname u;
	if (uname(&u) == 0) {
		fputs("kernel:\n  release: ", f);
		schema_put_str(f, u.release);
		fputs("\n  version: ", f);
		schema_put_str(f, u.version);
		fputs("\n  machine: ", f);
		schema_put_str(f, u.machine);
		fputc('\n', f);
	} else {
		fputs("kernel: null\n", f);
	}
	put_cpu(f);
	put_memory(f);
	put_disk(f, disk_path);
	char up[64];
	bool have_up = fs_read_line("/proc/uptime", up, sizeof(up));
	fprintf(f, "uptime_s: ");
	if (have_up)
		fprintf(f, "%.0f\n", strtod(up, NULL));
	else
		fputs("null\n", f);
	put_time_sync(f);
	fputs(versions_yaml, f);
}

shp_err inventory_save(const char *path, const char *disk_path, const char *versions_yaml)
{
	fs_make_parent(path);
	FILE *f = fopen(path, "w");
	if (!f) {
		log_error("cannot write the inventory to %s: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	inventory_write(f, disk_path, versions_yaml);
	if (fclose(f) != 0) {
		log_error("cannot write the inventory to %s: %s", path, strerror(errno));
		return SHP_ERR_OUTPUT;
	}
	return SHP_OK;
}
