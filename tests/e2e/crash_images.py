"""The file images a power cut can leave, rebuilt from an I/O trace of a real recording
(tests/tools/io_trace.c); crash_check.py checks them.

What a power cut leaves (the model). The trace is a list of events in completion order; a cut at
index c means events [0, c) completed and nothing after.

- Data, per file (per inode: a rename moves the name, not the data). The durable content is the
  file as it was at its last fsync/fdatasync (or syncfs/sync) before c: bytes and length. A file
  never synced has durable content "empty, length 0". Every 4 KiB page that a later write (or
  truncation) before c touched is, independently of all other pages, either the durable page or
  the page as it was right after any one of those later events: each page is atomic, pages
  reach the disk in any order, and one page may reach it several times. sync_file_range makes
  nothing durable (no metadata, no disk cache flush).
- Length, per file: the durable length, or the length set by any one of the later truncations
  (ftruncate, O_TRUNC, fallocate beyond the end: each may or may not have happened), then
  extended to cover the chosen pages (up to the file's length right after the version chosen):
  a write's new length comes with its data. Bytes that no chosen page covers beyond the durable
  content read as zeros, as unwritten extents do.
- Names (create, rename, unlink in the directory): durable after an fsync of the directory
  (an fd opened on it) or a syncfs; the ones after it apply as a random ordered prefix (a
  journaling file system commits them in order). A name that is not there takes its data with
  it: the file is gone.
- A kill -9 instead of a power cut leaves the exact prefix: every event before c applied, in
  order (the page cache survives). These are the "prefix" images.

The directory must start empty: a file that existed before the trace started is taken as empty
and durable.

Cuts: (a) random indices; (b) "torn": every boundary between two consecutive writes of one
flush burst, that is where a flush tears; (c) "sync": exact prefixes right after every sync;
(d) "kill9": exact prefixes at every write boundary.

The last completed commit, which every image must hold. When the trace has journal files
(NAME.journal.0 / NAME.journal.1 beside the recording NAME), a commit is the completion of an
fsync/fdatasync of one of them while it is not empty. Without them (the writer without atomic commit, which never
syncs), a commit is the end of a write burst: writes less than burst_gap_ns (5 ms) apart form a
burst (each poll's chunk writes, each H5Fflush's metadata), and a kill -9 after the burst leaves
the file of the last H5Fflush plus unreferenced chunks. The expected sample count at a cut is
the count of the exact prefix image at the last commit before it, after the repair step; before
the first commit the file may be gone.
"""
import bisect
import collections
import os
import pathlib
import re
import struct

PAGE = 4096
SAMPLE_NS = 10_000
# struct io_trace_rec of io_trace.c
TRACE_HEADER = struct.Struct("<IHHiiqqqQQIIIIQ")
TRACE_MAGIC = 0x52544F49
OP_OPEN, OP_WRITE, OP_TRUNCATE, OP_FALLOCATE, OP_FSYNC, OP_FDATASYNC, OP_SYNC_RANGE, \
    OP_SYNCFS, OP_RENAME, OP_UNLINK, OP_CLOSE, OP_DUP = range(1, 13)
O_TRUNC = 0o1000
O_ACCMODE = 0o3
FALLOC_KEEP_SIZE, FALLOC_PUNCH_HOLE, FALLOC_ZERO_RANGE = 0x01, 0x02, 0x10
RENAME_EXCHANGE = 2
AT_REMOVEDIR = 0x200
S_IFDIR = 0o040000
JOURNAL = re.compile(r"\.journal\.[01]$")

Record = collections.namedtuple(
    "Record", "op pid fd result offset arg ns ino flags mode path path2 data")


def read_trace(path):
    """The records of a trace file, in order."""
    buf = pathlib.Path(path).read_bytes()
    out, pos = [], 0
    while pos < len(buf):
        (magic, op, _pad, pid, fd, result, offset, arg, ns, ino, flags, mode, plen, p2len,
         dlen) = TRACE_HEADER.unpack_from(buf, pos)
        if magic != TRACE_MAGIC:
            raise ValueError(f"{path}: no record at byte {pos}")
        pos += TRACE_HEADER.size
        p = buf[pos:pos + plen].decode()
        pos += plen
        p2 = buf[pos:pos + p2len].decode()
        pos += p2len
        data = buf[pos:pos + dlen]
        pos += dlen
        out.append(Record(op, pid, fd, result, offset, arg, ns, ino, flags, mode, p, p2, data))
    return out


def pack_record(op, fd=-1, result=0, offset=0, arg=0, ns=0, flags=0, mode=0, path="",
                path2="", data=b"", pid=1, ino=0):
    """One trace record (for tests of the model)."""
    p, p2 = path.encode(), path2.encode()
    return TRACE_HEADER.pack(TRACE_MAGIC, op, 0, pid, fd, result, offset, arg, ns, ino, flags,
                             mode, len(p), len(p2), len(data)) + p + p2 + data


class Event:
    """One effect on the directory: kind is create/write/trunc/sync/dirsync/syncall/rename/
    exchange/unlink; ino the model's inode number; name the file's name at the time (name2: a
    rename's target)."""
    __slots__ = ("kind", "ino", "name", "name2", "ns", "first_page", "last_page", "length")

    def __init__(self, kind, ns, ino=None, name=None, name2=None):
        self.kind, self.ns, self.ino, self.name, self.name2 = kind, ns, ino, name, name2
        self.first_page = self.last_page = None
        self.length = None  # the file's length after a data event


class Inode:
    def __init__(self, ino, name, preexisting=False):
        self.ino, self.name, self.preexisting = ino, name, preexisting
        self.mem = bytearray()
        self.events = []     # indices of its data events (write, trunc)
        self.versions = {}   # page -> ([event index], [page bytes after it])
        self.syncs = [-1]    # indices of the events that made it durable (-1: the start)
        self.durable = [(b"", 0)]  # content and length at each of them


class Timeline:
    """A trace turned into events, with what each page and file length was after each."""

    def __init__(self, records, directory, burst_gap_ns=5_000_000):
        # the directory as the trace may spell it: as given, or with its links resolved
        self.dirs = {os.path.normpath(os.path.abspath(directory)),
                     os.path.realpath(directory)}
        self.events = []
        self.inodes = {}
        self.initial_names = {}
        self.namespace = []     # indices of create/rename/unlink events
        self.name_syncs = [-1]  # indices of dirsync/syncall events
        self.untracked = 0      # writes and syncs on descriptors the trace never saw opened
        self._names = {}        # live name -> ino while the trace is replayed
        self._fds = {}          # (pid, fd) -> ino or "dir"
        for r in records:
            if r.result >= 0 or r.op == OP_CLOSE:
                self._apply(r)
        self.journal_mode = any(JOURNAL.search(ev.name or "") for ev in self.events)
        self.commits = self._commit_cuts(burst_gap_ns)
        # with a journal, a flush is whatever lies between two syncs, however long it takes
        self.bursts = self._burst_ids(float("inf") if self.journal_mode else burst_gap_ns)

    # -- replaying the records ---------------------------------------------------------------
    def _name(self, path):
        """The name in the directory, None for a path elsewhere, "" for the directory."""
        path = os.path.normpath(path)
        if path in self.dirs:
            return ""
        head, tail = os.path.split(path)
        return tail if head in self.dirs else None

    def _new_inode(self, name, preexisting=False):
        ino = len(self.inodes) + 1
        self.inodes[ino] = Inode(ino, name, preexisting)
        return ino

    def _lookup(self, name):
        if name not in self._names:  # there before the trace: taken as empty and durable
            ino = self._new_inode(name, preexisting=True)
            self._names[name] = ino
            self.initial_names[name] = ino
        return self._names[name]

    def _event(self, kind, ns, ino=None, name=None, name2=None):
        ev = Event(kind, ns, ino, name, name2)
        self.events.append(ev)
        if kind in ("create", "rename", "exchange", "unlink"):
            self.namespace.append(len(self.events) - 1)
        return ev

    def _fd(self, r):
        ino = self._fds.get((r.pid, r.fd))
        if ino is None:
            self.untracked += 1
        return ino

    def _apply(self, r):
        if r.op == OP_OPEN:
            name = self._name(r.path)
            if name is None:
                return
            if name == "" or r.mode & S_IFDIR:
                self._fds[(r.pid, r.result)] = "dir" if name == "" else None
                return
            if r.arg:  # created
                ino = self._new_inode(name)
                self._names[name] = ino
                self._event("create", r.ns, ino, name)
            else:
                ino = self._lookup(name)
                if r.flags & O_TRUNC and r.flags & O_ACCMODE:
                    self._truncate(ino, 0, r.ns)
            self._fds[(r.pid, r.result)] = ino
        elif r.op == OP_CLOSE:
            self._fds.pop((r.pid, r.fd), None)
        elif r.op == OP_DUP:
            self._fds[(r.pid, r.result)] = self._fds.get((r.pid, r.fd))
        elif r.op == OP_WRITE:
            ino = self._fd(r)
            if ino not in (None, "dir") and r.result > 0:
                self._write(ino, r.offset, r.data, r.ns)
        elif r.op == OP_TRUNCATE:
            if r.fd >= 0:
                ino = self._fd(r)
            else:
                name = self._name(r.path)
                ino = self._names.get(name) if name else None
            if ino not in (None, "dir"):
                self._truncate(ino, r.offset, r.ns)
        elif r.op == OP_FALLOCATE:
            ino = self._fd(r)
            if ino in (None, "dir"):
                return
            end = r.offset + r.arg
            if r.flags & (FALLOC_PUNCH_HOLE | FALLOC_ZERO_RANGE):
                size = len(self.inodes[ino].mem)
                upto = min(end, size) if r.flags & FALLOC_KEEP_SIZE else end
                if upto > r.offset:
                    self._write(ino, r.offset, bytes(upto - r.offset), r.ns)
            elif not r.flags & FALLOC_KEEP_SIZE and end > len(self.inodes[ino].mem):
                self._truncate(ino, end, r.ns)
        elif r.op in (OP_FSYNC, OP_FDATASYNC):
            ino = self._fd(r)
            if ino == "dir":
                self._event("dirsync", r.ns)
                self.name_syncs.append(len(self.events) - 1)
            elif ino is not None:
                self._sync(ino, r.ns)
        elif r.op == OP_SYNCFS:
            for ino in self.inodes:
                self._sync(ino, r.ns)
            self._event("syncall", r.ns)
            self.name_syncs.append(len(self.events) - 1)
        elif r.op == OP_RENAME:
            src, dst = self._name(r.path), self._name(r.path2)
            if src and dst:
                if r.flags & RENAME_EXCHANGE:
                    a, b = self._lookup(src), self._lookup(dst)
                    self._names[src], self._names[dst] = b, a
                    self._event("exchange", r.ns, a, src, dst)
                else:
                    self._names[dst] = self._lookup(src)
                    del self._names[src]
                    self._event("rename", r.ns, self._names[dst], src, dst)
            elif src:  # moved out of the directory
                ino = self._lookup(src)
                del self._names[src]
                self._event("unlink", r.ns, ino, src)
            elif dst:  # moved in: unknown content, taken as empty
                ino = self._new_inode(dst)
                self._names[dst] = ino
                self._event("create", r.ns, ino, dst)
        elif r.op == OP_UNLINK:
            name = self._name(r.path)
            if name and not r.flags & AT_REMOVEDIR and name in self._names:
                ino = self._names.pop(name)
                self._event("unlink", r.ns, ino, name)

    def _data_event(self, kind, ino, ns, first, last):
        node = self.inodes[ino]
        ev = self._event(kind, ns, ino, self._current_name(ino))
        k = len(self.events) - 1
        ev.first_page, ev.last_page, ev.length = first, last, len(node.mem)
        node.events.append(k)
        for p in range(first, last + 1):
            page = bytes(node.mem[p * PAGE:(p + 1) * PAGE])
            ks, pages = node.versions.setdefault(p, ([], []))
            ks.append(k)
            pages.append(page.ljust(PAGE, b"\0"))

    def _current_name(self, ino):
        for name, i in self._names.items():
            if i == ino:
                return name
        return self.inodes[ino].name

    def _write(self, ino, offset, data, ns):
        mem = self.inodes[ino].mem
        if offset > len(mem):
            mem.extend(bytes(offset - len(mem)))
        mem[offset:offset + len(data)] = data
        self._data_event("write", ino, ns, offset // PAGE, (offset + len(data) - 1) // PAGE)

    def _truncate(self, ino, length, ns):
        mem = self.inodes[ino].mem
        old = len(mem)
        if length < old:
            del mem[length:]
            first, last = length // PAGE, (old - 1) // PAGE  # every page it zeroed
        else:
            mem.extend(bytes(length - old))
            first, last = 0, -1
        self._data_event("trunc", ino, ns, first, last)

    def _sync(self, ino, ns):
        node = self.inodes[ino]
        ev = self._event("sync", ns, ino, self._current_name(ino))
        ev.length = len(node.mem)
        node.syncs.append(len(self.events) - 1)
        node.durable.append((bytes(node.mem), len(node.mem)))

    # -- commits and bursts ----------------------------------------------------------------
    def _commit_cuts(self, gap_ns):
        if self.journal_mode:
            # a sync of a slot that holds one (the writer also syncs its empty slots when it
            # starts, before its first commit)
            return [k + 1 for k, ev in enumerate(self.events)
                    if ev.kind == "sync" and JOURNAL.search(ev.name or "") and ev.length]
        writes = [k for k, ev in enumerate(self.events) if ev.kind in ("write", "trunc")]
        cuts = []
        for a, b in zip(writes, writes[1:] + [None]):
            if b is None or self.events[b].ns - self.events[a].ns > gap_ns or any(
                    self.events[j].kind != "write" for j in range(a + 1, b)):
                cuts.append(a + 1)
        return cuts

    def _burst_ids(self, gap_ns):
        """A number per event: consecutive writes of one burst share it."""
        ids, burst, last_ns = [], 0, None
        for ev in self.events:
            if ev.kind != "write" or last_ns is None or ev.ns - last_ns > gap_ns:
                burst += 1
            ids.append(burst)
            last_ns = ev.ns if ev.kind == "write" else None
        return ids

    def last_commit(self, cut):
        """The cut of the last commit completed before cut, None before the first."""
        k = bisect.bisect_right(self.commits, cut) - 1
        return self.commits[k] if k >= 0 else None

    # -- cut selections -----------------------------------------------------------------------
    def torn_cuts(self):
        """Between two consecutive writes of one burst, without a sync between them."""
        return [c for c in range(1, len(self.events))
                if self.events[c - 1].kind == "write" and self.events[c].kind == "write"
                and self.bursts[c - 1] == self.bursts[c]]

    def sync_cuts(self):
        return [k + 1 for k, ev in enumerate(self.events)
                if ev.kind in ("sync", "dirsync", "syncall")]

    def write_cuts(self):
        return [k + 1 for k, ev in enumerate(self.events) if ev.kind == "write"]

    # -- images ------------------------------------------------------------------------------
    def names_at(self, cut, rnd=None):
        """name -> ino after a cut: durable names plus a random ordered prefix of the rest
        (all of them without rnd)."""
        names = dict(self.initial_names)
        durable = self.name_syncs[bisect.bisect_left(self.name_syncs, cut) - 1]
        ops = self.namespace[:bisect.bisect_left(self.namespace, cut)]
        pending = [k for k in ops if k > durable]
        keep = len(ops) if rnd is None else len(ops) - len(pending) + rnd.randint(0, len(pending))
        for k in ops[:keep]:
            ev = self.events[k]
            if ev.kind == "create":
                names[ev.name] = ev.ino
            elif ev.kind == "unlink":
                names.pop(ev.name, None)
            elif ev.kind == "rename":
                names[ev.name2] = names.pop(ev.name, ev.ino)
            elif ev.kind == "exchange":
                a, b = names.pop(ev.name, None), names.pop(ev.name2, None)
                for name, ino in ((ev.name, b), (ev.name2, a)):
                    if ino is not None:
                        names[name] = ino
        return names

    def content_at(self, ino, cut, rnd=None, q=1.0):
        """The file's bytes after a cut: exact without rnd, else durable plus a random choice of
        later page versions (each persisted with probability q) and a random length."""
        node = self.inodes[ino]
        s = bisect.bisect_left(node.syncs, cut) - 1
        since = node.syncs[s]
        base, base_len = node.durable[s]
        later = node.events[bisect.bisect_right(node.events, since):
                            bisect.bisect_left(node.events, cut)]
        if not later:
            return base
        if rnd is None:
            length = self.events[later[-1]].length
        else:  # a write's new length comes with its page, a truncation's on its own
            length = rnd.choice([base_len] + [self.events[k].length for k in later
                                              if self.events[k].kind == "trunc"])
        pages = set()
        for k in later:
            pages.update(range(self.events[k].first_page, self.events[k].last_page + 1))
        chosen = []
        for p in sorted(pages):
            ks, versions = node.versions[p]
            lo, hi = bisect.bisect_right(ks, since), bisect.bisect_left(ks, cut)
            if lo >= hi:
                continue
            if rnd is None:
                j = hi - 1
            elif rnd.random() >= q:
                continue  # still the durable page
            else:
                j = hi - 1 if rnd.random() < 0.5 else rnd.randrange(lo, hi)
            chosen.append((p, versions[j], self.events[ks[j]].length))
        for p, _, len_after in chosen if rnd else ():
            length = max(length, min((p + 1) * PAGE, len_after))
        out = bytearray(base[:length])
        out.extend(bytes(length - len(out)))
        for p, page, _ in chosen:
            if p * PAGE < length:
                out[p * PAGE:(p + 1) * PAGE] = page[:length - p * PAGE]
        return bytes(out)

    def build(self, cut, outdir, rnd=None):
        """Writes the image of a cut (a power cut with rnd, the exact prefix without) into
        outdir; returns the names written."""
        outdir = pathlib.Path(outdir)
        outdir.mkdir(parents=True, exist_ok=True)
        q = rnd.random() if rnd else 1.0  # how far the write-back got, per image
        names = self.names_at(cut, rnd)
        for name, ino in names.items():
            (outdir / name).write_bytes(self.content_at(ino, cut, rnd, q))
        return sorted(names)


def trace_summary(records):
    """Which calls the trace holds, per operation."""
    names = {v: k for k, v in globals().items() if k.startswith("OP_")}
    counts = collections.Counter()
    for r in records:
        counts[names.get(r.op, r.op)[3:] + ("" if r.result >= 0 else " (failed)")] += 1
    return ", ".join(f"{k.lower()} {v}" for k, v in sorted(counts.items()))
