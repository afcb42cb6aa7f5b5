"""The Debian packages of `make deb` (scripts/deb.sh): the amd64 ones installed into a fresh
Debian 12 root made by mmdebstrap and run there (the service's command on the example task,
against the installed simulator), reinstalled and upgraded over themselves, removed, purged and
installed over the predecessor's leftovers; the armhf ones' contents; lintian.

The tests of the root share one installation and run in the order written, as a node's life
does. Commands in the root run in a mount and PID namespace of their own (its /proc mounted
there, nothing left behind) with a clean environment, as on a node.
"""
import gzip
import os
import pathlib
import re
import shutil
import struct
import subprocess

import h5py
import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DEB_DIR = pathlib.Path(os.environ.get("SHEEP_DEB_DIR", REPO / "build-deb"))
VERSION = re.search(r"project\(sheep VERSION ([0-9.]+)",
                    (REPO / "CMakeLists.txt").read_text()).group(1)
NATIVE = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                        check=True).stdout.strip()
PACKAGES = ("shepherd-sheep", "shepherd-pru-sim")
PROGRAMS = {"shepherd-sheep": ["shepherd-sheep", "shepherd-launcher", "shepherd-watchdog"],
            "shepherd-pru-sim": ["shepherd-pru-sim", "sim-modprobe"]}
UNITS = ["shepherd.service", "shepherd-launcher.service", "shepherd-watchdog.service",
         "shepherd-repair.service"]
WANTS = "etc/systemd/system/multi-user.target.wants"
CLEAN_ENV = ["/usr/bin/env", "-i",
             "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
             "HOME=/root", "LANG=C.UTF-8", "DEBIAN_FRONTEND=noninteractive"]


def deb(package, arch=NATIVE):
    return DEB_DIR / f"{package}_{VERSION}_{arch}.deb"


pytestmark = [
    pytest.mark.skipif(not all(deb(p).exists() for p in PACKAGES),
                       reason=f"no packages of version {VERSION} in {DEB_DIR}: run `make deb`"),
]
needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mmdebstrap") is None or shutil.which("unshare") is None,
    reason="a fresh root needs root (chroot, namespaces), mmdebstrap and unshare")


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, **kw)
    assert res.returncode == 0, f"{cmd} exited {res.returncode}:\n{res.stdout}\n{res.stderr}"
    return res


# The service manager the maintainer scripts talk to (deb-systemd-helper's preset,
# deb-systemd-invoke, daemon-reload): a stand-in in the root, which logs every call, keeps each
# unit's state as a file /tmp/units/UNIT (active), answers is-enabled from the root's
# enablement links and makes them for a preset (Debian's preset: enable what has [Install]).
SYSTEMCTL_STAND_IN = """#!/bin/sh
echo "$*" >> /tmp/systemctl.log
mkdir -p /tmp/units
action=
units=
for arg in "$@"; do
  case "$arg" in
    -*) ;;
    *) if [ -z "$action" ]; then action=$arg; else units="$units $arg"; fi ;;
  esac
done
case "$action" in
  "") echo "systemd 252 (252)" ;;
  is-enabled)
    for unit in $units; do
      [ -e "/etc/systemd/system/multi-user.target.wants/$unit" ] || { echo disabled; exit 1; }
    done
    echo enabled ;;
  is-active) for unit in $units; do [ -e "/tmp/units/$unit" ] || exit 3; done ;;
  preset)
    for unit in $units; do
      for target in $(sed -n 's/^WantedBy=//p' "/lib/systemd/system/$unit"); do
        mkdir -p "/etc/systemd/system/$target.wants"
        ln -sf "/lib/systemd/system/$unit" "/etc/systemd/system/$target.wants/$unit"
      done
    done ;;
  start|restart) for unit in $units; do touch "/tmp/units/$unit"; done ;;
  stop) for unit in $units; do rm -f "/tmp/units/$unit"; done ;;
esac
exit 0
"""


class Root:
    """A Debian 12 root directory, commands run inside it."""

    def __init__(self, path):
        self.path = path

    def __truediv__(self, inner):
        return self.path / inner.lstrip("/")

    def sh(self, script, check=True, timeout=300):
        cmd = ["unshare", "--mount", "--pid", "--fork", f"--mount-proc={self.path}/proc",
               "chroot", str(self.path), *CLEAN_ENV, "/bin/sh", "-c", script]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if check:
            assert res.returncode == 0, \
                f"in the root: {script}\nexit {res.returncode}\n{res.stdout}\n{res.stderr}"
        return res

    def status(self, package):
        res = self.sh(f"dpkg-query -W -f='${{Status}} ${{Version}}' {package}", check=False)
        return res.stdout.strip() if res.returncode == 0 else "not installed"

    def installed(self, package):
        return self.status(package).startswith("install ok installed")

    def enabled(self):
        wants = self / WANTS
        return sorted(p.name for p in wants.iterdir()) if wants.is_dir() else []

    def active(self):
        units = self / "tmp/units"
        return sorted(p.name for p in units.iterdir()) if units.is_dir() else []

    def manager_calls(self):
        """The service manager's calls since the last one, each as its list of words."""
        log = self / "tmp/systemctl.log"
        calls = [line.split() for line in log.read_text().splitlines()] if log.exists() else []
        log.unlink(missing_ok=True)
        return calls

    def install_debs(self, *debs, command="apt-get install -y -q --no-install-recommends"):
        (self / "tmp/debs").mkdir(parents=True, exist_ok=True)
        for d in debs:
            shutil.copy(d, self / f"tmp/debs/{d.name}")
        names = " ".join(f"/tmp/debs/{d.name}" for d in debs)
        return self.sh(f"{command} {names}")


def acted_on(calls, action, unit):
    return any(action in call and unit in call for call in calls)


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    path = tmp_path_factory.mktemp("package") / "root"
    # the apt lists stay, so that apt-get in the root resolves the packages' dependencies
    run(["mmdebstrap", "--variant=apt", "--mode=root", "--skip=cleanup/apt/lists", "--quiet",
         "bookworm", str(path)], timeout=900)
    # a node runs systemd: the maintainer scripts see it running and reach the stand-in
    (path / "run/systemd/system").mkdir(parents=True, exist_ok=True)
    (path / "usr/bin/systemctl").write_text(SYSTEMCTL_STAND_IN)
    (path / "usr/bin/systemctl").chmod(0o755)
    yield Root(path)
    shutil.rmtree(path, ignore_errors=True)


def man_text(raw):
    """A page's roff with help2man's escaped dashes plain, to look options up in."""
    return raw.replace("\\-", "-").replace("\\(hy", "-")


# --- the installed package -------------------------------------------------------------------

@needs_root
def test_install_into_a_fresh_root_lays_out_a_node(root):
    root.install_debs(deb("shepherd-sheep"), deb("shepherd-pru-sim"))
    for package in PACKAGES:
        assert root.status(package) == f"install ok installed {VERSION}"
        for program in PROGRAMS[package]:
            binary = root / f"usr/bin/{program}"
            assert binary.is_file() and os.access(binary, os.X_OK), program
            # the page is made from the program's own --help: every long option it lists
            page = man_text(gzip.decompress((root / f"usr/share/man/man1/{program}.1.gz")
                                            .read_bytes()).decode())
            assert f'.TH {program.upper()} "1"' in page and f"{program} {VERSION}" in page
            helptext = root.sh(f"{program} --help").stdout
            options = set(re.findall(r"--[a-z][a-z-]+", helptext))
            assert options and not [o for o in options if o not in page], program
    # the sheep's page holds every command's own --help
    page = man_text(gzip.decompress((root / "usr/share/man/man1/shepherd-sheep.1.gz")
                                    .read_bytes()).decode())
    for command in ("run", "simulate", "program", "target-power", "eeprom", "usage"):
        assert f".SS {command}\n" in page
        for option in set(re.findall(r"--[a-z][a-z-]+",
                                     root.sh(f"shepherd-sheep {command} --help").stdout)):
            assert option in page, (command, option)

    link = root / "usr/local/bin/shepherd-sheep"
    assert link.is_symlink() and os.readlink(link) == "/usr/bin/shepherd-sheep"
    example = (REPO / "deploy/etc/example_config_harvest.yaml").read_text()
    assert (root / "etc/shepherd/example_config_harvest.yaml").read_text() == example
    assert (root / "etc/shepherd/config.yaml").read_text() == example
    assert (root / "etc/shepherd/example_config_emulation.yaml").read_text() == \
        (REPO / "deploy/etc/example_config_emulation.yaml").read_text()
    conffiles = root.sh("dpkg-query -W -f='${Conffiles}' shepherd-sheep").stdout
    assert "/etc/shepherd/example_config_harvest.yaml" in conffiles
    assert "/etc/shepherd/example_config_emulation.yaml" in conffiles
    assert "/etc/shepherd/config.yaml" not in conffiles
    assert (root / "var/shepherd/recordings").is_dir()

    for unit in UNITS:
        assert (root / f"lib/systemd/system/{unit}").is_file(), unit
    service = (root / "lib/systemd/system/shepherd.service").read_text()
    assert "\nExecStart=/usr/bin/shepherd-sheep -v run /etc/shepherd/config.yaml\n" in service
    assert "\nSuccessExitStatus=4\n" in service and "[Install]" not in service
    # herd starts shepherd.service; the launcher is left to the operator, as the predecessor's;
    # the watchdog kicker runs at once
    assert root.enabled() == ["shepherd-repair.service", "shepherd-watchdog.service"]
    calls = root.manager_calls()
    assert acted_on(calls, "daemon-reload", "--system")
    assert root.active() == ["shepherd-watchdog.service"], calls


@needs_root
def test_installed_programs_print_the_package_version(root):
    for path in ("shepherd-sheep", "/usr/bin/shepherd-sheep", "/usr/local/bin/shepherd-sheep"):
        out = root.sh(f"{path} --version").stdout
        assert out.split()[:2] == ["shepherd-sheep", VERSION], out
    for program in PROGRAMS["shepherd-sheep"][1:] + PROGRAMS["shepherd-pru-sim"]:
        assert root.sh(f"{program} --version").stdout.split()[:2] == [program, VERSION]


@needs_root
def test_the_service_command_records_the_example_against_the_installed_simulator(root):
    # shepherd.service's own command line on the config.yaml the package made (the harvest
    # example: 10 s of IV surface), the simulator's ROOT/env pointing the sheep at it
    service = (root / "lib/systemd/system/shepherd.service").read_text()
    command = re.search(r"^ExecStart=(.*)$", service, re.M).group(1)
    script = f"""
        export SHEPHERD_SETTLE_SCALE=0.01 SHEPHERD_START_DELAY=1
        shepherd-pru-sim --root /tmp/sim > /tmp/sim.log 2>&1 &
        sim=$!
        for i in $(seq 200); do [ -f /tmp/sim/env ] && break; sleep 0.05; done
        . /tmp/sim/env
        {command}
        rc=$?
        kill $sim; wait $sim
        exit $rc
    """
    res = root.sh(script, check=False)
    assert res.returncode == 0, f"{res.stdout}\n{res.stderr}\n{(root / 'tmp/sim.log').read_text()}"
    assert "lost 0" in res.stdout
    with h5py.File(root / "var/shepherd/recordings/hrv.h5", "r") as f:
        assert f.attrs["mode"] == "harvester"
        assert f["data/time"].shape[0] == 1_000_000
        assert f["data/voltage"].shape[0] == 1_000_000
    # the usage log where herd's `status` reads it
    assert root.sh("shepherd-sheep usage").stdout.strip().endswith(
        "shepherd-sheep -v run /etc/shepherd/config.yaml")
    assert (root / "var/shepherd/log.csv").read_text().startswith("time_start, time_stop")
    # the emulation example replays that recording (here through the PRU's twin)
    root.sh("shepherd-sheep simulate /etc/shepherd/example_config_emulation.yaml")
    with h5py.File(root / "var/shepherd/recordings/emu.h5", "r") as f:
        assert f.attrs["mode"] == "emulator"
        assert f["data/time"].shape[0] == 1_000_000


@needs_root
def test_units_pass_systemd_analyze_verify(root):
    res = subprocess.run([str(REPO / "tests/tools/check_units.sh"), str(root / "lib/systemd/system"),
                          "/usr/bin", str(root / "usr/bin")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert f"{len(UNITS)} units verified" in res.stdout


def repack(src, version, dest):
    """The package src again, as version: an upgrade without a second build."""
    tree = dest.with_suffix(".tree")
    run(["dpkg-deb", "-R", str(src), str(tree)])
    control = tree / "DEBIAN/control"
    control.write_text(re.sub(r"^Version: .*$", f"Version: {version}", control.read_text(),
                              flags=re.M))
    run(["dpkg-deb", "--root-owner-group", "-b", str(tree), str(dest)])
    shutil.rmtree(tree)
    return dest


@needs_root
def test_upgrade_over_itself_keeps_the_configuration_and_a_running_recording(root, tmp_path):
    config = root / "etc/shepherd/config.yaml"
    task = (REPO / "deploy/etc/example_config_emulation.yaml").read_text() + "# from herd\n"
    config.write_text(task)
    conffile = root / "etc/shepherd/example_config_emulation.yaml"
    changed = conffile.read_text() + "# the operator's change\n"
    conffile.write_text(changed)
    enabled = root.enabled()
    # herd has started a recording, the operator the launcher
    for unit in ("shepherd.service", "shepherd-launcher.service"):
        (root / f"tmp/units/{unit}").touch()
    root.manager_calls()

    # the same version again, then a newer one (the same files under a higher version)
    root.install_debs(deb("shepherd-sheep"), deb("shepherd-pru-sim"), command="dpkg -i")
    newer = f"{VERSION}+1"
    root.install_debs(repack(deb("shepherd-sheep"), newer,
                             tmp_path / f"shepherd-sheep_{newer}_{NATIVE}.deb"),
                      command="dpkg -i")
    assert root.status("shepherd-sheep") == f"install ok installed {newer}"
    assert config.read_text() == task
    assert conffile.read_text() == changed
    assert os.readlink(root / "usr/local/bin/shepherd-sheep") == "/usr/bin/shepherd-sheep"
    assert root.enabled() == enabled
    assert (root / "var/shepherd/recordings/hrv.h5").is_file()
    # the recording goes on; the services get the new programs
    calls = root.manager_calls()
    assert not [c for c in calls if "shepherd.service" in c], calls
    assert acted_on(calls, "restart", "shepherd-watchdog.service")
    assert acted_on(calls, "restart", "shepherd-launcher.service")
    assert root.active() == ["shepherd-launcher.service", "shepherd-watchdog.service",
                             "shepherd.service"]


@needs_root
def test_remove_stops_the_services_and_keeps_the_configuration(root):
    res = root.sh("apt-get remove -y -q shepherd-sheep")
    assert not root.installed("shepherd-sheep")
    # the recording ends cleanly (the sheep closes its file on SIGTERM)
    assert acted_on(root.manager_calls(), "stop", "shepherd.service")
    assert root.active() == [], res.stdout
    assert not os.path.lexists(root / "usr/local/bin/shepherd-sheep")
    assert not (root / "usr/bin/shepherd-sheep").exists()
    for kept in ("etc/shepherd/config.yaml", "etc/shepherd/example_config_emulation.yaml",
                 "var/shepherd/log.csv", "var/shepherd/recordings/hrv.h5"):
        assert (root / kept).exists(), kept


@needs_root
def test_purge_removes_everything_but_the_recordings(root):
    root.install_debs(deb("shepherd-sheep"))
    files = root.sh("dpkg -L shepherd-sheep shepherd-pru-sim").stdout.split("\n")
    owned = [f for f in files if f and not (root / f).is_dir()]
    assert "/usr/bin/shepherd-sheep" in owned and "/usr/bin/shepherd-pru-sim" in owned
    res = root.sh("apt-get purge -y -q shepherd-sheep shepherd-pru-sim")
    for package in PACKAGES:
        assert not root.installed(package)
    left = [f for f in owned if os.path.lexists(root / f)]
    assert not left
    for gone in ("etc/shepherd", "usr/local/bin/shepherd-sheep", "var/shepherd/log.csv"):
        assert not os.path.lexists(root / gone), gone
    assert root.enabled() == []
    # a recording is the operator's data: kept, and said so
    assert sorted(p.name for p in (root / "var/shepherd/recordings").iterdir()) == \
        ["emu.h5", "hrv.h5"]
    assert "recordings in /var/shepherd/recordings are kept" in res.stderr


@needs_root
def test_the_predecessor_leftovers_are_named_and_left_alone(root):
    for name in ("emu.h5", "hrv.h5"):
        (root / f"var/shepherd/recordings/{name}").unlink()
    # pip's script in /usr/local/bin and the units the predecessor's deployment copied
    script = root / "usr/local/bin/shepherd-sheep"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text("#!/bin/sh\necho the Python sheep\n")
    old_unit = root / "etc/systemd/system/shepherd.service"
    old_unit.write_text("[Service]\nExecStart=/usr/local/bin/shepherd-sheep -v run x\n")
    res = root.install_debs(deb("shepherd-sheep"))
    assert "/usr/local/bin/shepherd-sheep is not this package's" in res.stderr
    assert "/etc/systemd/system/shepherd.service overrides this package's unit" in res.stderr
    assert not script.is_symlink() and "Python sheep" in script.read_text()

    # without recordings, nothing of the package stays; what is not its own stays
    root.sh("apt-get purge -y -q shepherd-sheep")
    assert not os.path.lexists(root / "var/shepherd")
    assert not os.path.lexists(root / "etc/shepherd")
    assert "Python sheep" in script.read_text() and old_unit.exists()


# --- the armhf packages, lintian ---------------------------------------------------------------

def elf_header(path):
    """(class, machine, flags) of an ELF file; class 1 = 32-bit."""
    data = path.read_bytes()[:52]
    assert data[:4] == b"\x7fELF", path
    little = data[5] == 1
    machine = struct.unpack_from("<H" if little else ">H", data, 18)[0]
    flags = struct.unpack_from("<I" if little else ">I", data, 36)[0]
    return data[4], machine, flags


def contents(package_file):
    """The paths a package holds (symlinks without their targets)."""
    listing = run(["dpkg-deb", "-c", str(package_file)]).stdout
    return sorted(line.split(None, 5)[5].split(" -> ")[0] for line in listing.splitlines())


@pytest.mark.skipif(not all(deb(p, "armhf").exists() for p in PACKAGES),
                    reason="no armhf packages: run `make deb`")
def test_armhf_packages_hold_the_node_programs(tmp_path):
    for package in PACKAGES:
        armhf = deb(package, "armhf")
        fields = run(["dpkg-deb", "-f", str(armhf), "Architecture", "Version", "Depends"]).stdout
        assert "Architecture: armhf" in fields and f"Version: {VERSION}" in fields
        assert "libc6 (>=" in fields
        # the same files as the native package
        assert contents(armhf) == contents(deb(package))
        native_tree, arm_tree = tmp_path / f"{package}-native", tmp_path / f"{package}-armhf"
        run(["dpkg-deb", "-x", str(deb(package)), str(native_tree)])
        run(["dpkg-deb", "-x", str(armhf), str(arm_tree)])
        for program in PROGRAMS[package]:
            binary = arm_tree / f"usr/bin/{program}"
            elf_class, machine, flags = elf_header(binary)
            assert (elf_class, machine) == (1, 40), program  # 32-bit ARM
            assert flags & 0x400, f"{program}: not the hard-float ABI"
            # the armhf page was made by running the armhf program under qemu: the same text
            page = f"usr/share/man/man1/{program}.1.gz"
            assert gzip.decompress((arm_tree / page).read_bytes()) == \
                gzip.decompress((native_tree / page).read_bytes()), program
        if package == "shepherd-sheep":
            assert "HDF5" in run(["qemu-arm", "-cpu", "cortex-a8",
                                  str(arm_tree / "usr/bin/shepherd-sheep"), "--version"]).stdout


def test_lintian_reports_nothing_but_the_explained_overrides():
    overrides = set()
    for path in (REPO / "debian").glob("*.lintian-overrides"):
        overrides |= {line.strip() for line in path.read_text().splitlines()
                      if line.strip() and not line.startswith("#")}
    for arch in (NATIVE, "armhf"):
        # the report `make deb` kept of its lintian run, overrides shown (scripts/deb.sh)
        report = DEB_DIR / f"lintian_{arch}.txt"
        assert report.exists(), report
        tags = [line for line in report.read_text().splitlines() if re.match(r"^[EWO]: ", line)]
        assert not [t for t in tags if not t.startswith("O: ")], tags
        # every override is used, and none is used that debian/ does not explain
        assert {t[3:] for t in tags} == overrides, tags
