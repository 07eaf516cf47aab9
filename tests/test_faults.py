"""Hostile and damaged input and output: a truncated zstd file, JSON nested past any parser's depth, code
planted in the working folder during the model fetch's fallback, and -o pointing at a device, a FIFO, a
symbolic link or a part left by a killed run."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import zstandard

from langseg.io import open_binary
from langseg.models import _extract_from_wheel


def run_tag(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "langseg", "tag", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def lines(count: int) -> bytes:
    return b"".join(json.dumps({"id": i, "text": f"Das ist der Satz Nummer {i}."}).encode() + b"\n"
                    for i in range(count))


@pytest.mark.parametrize("checksum", [True, False])
@pytest.mark.parametrize("cut", [1, 4, 9, 40])
def test_a_zstd_stream_cut_short_is_an_error_at_its_end(tmp_path: Path, cut: int, checksum: bool) -> None:
    frames = b"".join(zstandard.ZstdCompressor(write_checksum=checksum).compress(lines(30)) for _ in range(2))
    path = tmp_path / "cut.jsonl.zst"
    path.write_bytes(frames[:-cut])
    with pytest.raises(EOFError):
        open_binary(str(path)).read()


def test_a_whole_zstd_stream_of_several_frames_reads_in_full(tmp_path: Path) -> None:
    path = tmp_path / "whole.zst"
    path.write_bytes(b"".join(zstandard.ZstdCompressor(write_checksum=k % 2 == 0).compress(lines(40))
                              for k in range(3)))
    assert open_binary(str(path)).read() == lines(40) * 3


@pytest.mark.model
def test_a_truncated_zstd_corpus_gives_an_error_record_and_keeps_the_lines_before(tmp_path: Path) -> None:
    data = zstandard.ZstdCompressor().compress(lines(8000))  # several blocks: those before the cut decode
    (tmp_path / "cut.jsonl.zst").write_bytes(data[: len(data) - 30])
    done = run_tag("cut.jsonl.zst", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert "error" in records[-1] and "cannot read" in records[-1]["error"]
    assert all("error" not in record for record in records[:-1]) and len(records) > 1


@pytest.mark.model
def test_json_nested_too_deeply_is_one_error_record_and_the_run_goes_on(tmp_path: Path) -> None:
    deep = b'{"id": "deep", "text": ' + b"[" * 1100 + b"]" * 1100 + b"}\n"
    (tmp_path / "in.jsonl").write_bytes(lines(2) + deep + lines(2))
    done = run_tag("in.jsonl", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(records) == 5
    assert "nested too deeply" in records[2]["error"] and "in.jsonl:3" in records[2]["error"]
    assert [r.get("error") for r in records[:2] + records[3:]] == [None] * 4


def test_the_fetch_fallback_runs_no_module_from_the_working_folder(tmp_path: Path, monkeypatch) -> None:
    planted = tmp_path / "planted"
    planted.mkdir()
    marker = tmp_path / "ran"
    (planted / "pip.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n", encoding="utf-8")
    monkeypatch.chdir(planted)
    with pytest.raises(OSError):  # pip itself runs and finds no such package (or no index): an error either way
        _extract_from_wheel("langseg-no-such-package-anywhere==0.0.0#x", tmp_path / "out", tmp_path)
    assert not marker.exists(), "a pip.py in the working folder ran in place of pip"


def small_input(folder: Path) -> Path:
    path = folder / "in.jsonl"
    path.write_bytes(lines(3))
    return path


@pytest.mark.model
def test_output_to_a_device_node_writes_into_it_and_leaves_it_a_device(tmp_path: Path) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device, made here
    except PermissionError:
        pytest.skip("making a device node needs root")
    small_input(tmp_path)
    done = run_tag("in.jsonl", "-o", str(device), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(device.stat().st_mode), "the device node was replaced"


@pytest.mark.model
def test_output_to_a_fifo_streams_into_it(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    small_input(tmp_path)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = run_tag("in.jsonl", "-o", str(fifo), cwd=tmp_path)
    reader.join(timeout=60)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert len(received[0].splitlines()) == 3


@pytest.mark.model
def test_output_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    small_input(tmp_path)
    done = run_tag("in.jsonl", "-o", str(link), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and len(real.read_text().splitlines()) == 3


@pytest.mark.model
def test_a_new_output_file_gets_the_umasks_mode_and_an_old_one_keeps_its_own(tmp_path: Path) -> None:
    small_input(tmp_path)
    done = subprocess.run(f"umask 027 && {sys.executable} -m langseg tag in.jsonl -o new.jsonl", shell=True,
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((tmp_path / "new.jsonl").stat().st_mode) == 0o640
    old = tmp_path / "old.jsonl"
    old.write_text("")
    old.chmod(0o604)
    assert run_tag("in.jsonl", "-o", "old.jsonl", cwd=tmp_path).returncode == 0
    assert stat.S_IMODE(old.stat().st_mode) == 0o604


@pytest.mark.model
def test_a_part_left_by_a_killed_run_is_removed_by_the_next_run(tmp_path: Path) -> None:
    small_input(tmp_path)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".out.jsonl.{gone}.abcd1234.part"
    stale.write_text("half a run")
    alive = tmp_path / f".out.jsonl.{os.getpid()}.efgh5678.part"  # a run still going: left alone
    alive.write_text("a run in progress")
    assert run_tag("in.jsonl", "-o", "out.jsonl", cwd=tmp_path).returncode == 0
    assert not stale.exists() and alive.exists()


def big_input(folder: Path, count: int = 60000) -> None:
    sentences = ["Das ist ein ziemlich langer deutscher Satz über das Wetter von gestern.",
                 "This is a fairly long English sentence about the weather of yesterday.",
                 "Ceci est une phrase française assez longue sur le temps qu'il faisait hier."]
    with open(folder / "big.jsonl", "w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps({"id": i, "text": f"{sentences[i % 3]} {i}\n{sentences[(i + 1) % 3]}"}) + "\n")


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition, seconds: float = 60.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.model
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_end_the_run_cleanly_with_no_part_and_no_worker_left(tmp_path: Path, signum: int,
                                                                               status: int) -> None:
    big_input(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "langseg", "tag", "big.jsonl", "-o", "out.jsonl", "--workers",
                            "2"], cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: len(children_of(run.pid)) >= 2), "the workers did not start"
    workers = children_of(run.pid)
    time.sleep(1.0)
    run.send_signal(signum)
    assert run.wait(timeout=120) == status, run.stderr.read()
    assert wait_for(lambda: not any(alive(pid) for pid in workers), 30), "a worker outlived the run"
    assert not list(tmp_path.glob(".out.jsonl.*.part")) and not (tmp_path / "out.jsonl").exists()


@pytest.mark.model
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc")
def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    big_input(tmp_path)
    run = subprocess.Popen([sys.executable, "-m", "langseg", "tag", "big.jsonl", "-o", "out.jsonl", "--workers",
                            "2"], cwd=tmp_path, stderr=subprocess.DEVNULL)
    assert wait_for(lambda: len(children_of(run.pid)) >= 2), "the workers did not start"
    workers = children_of(run.pid)
    time.sleep(1.0)
    run.kill()
    run.wait(timeout=60)
    assert wait_for(lambda: not any(alive(pid) for pid in workers), 30), "a worker outlived its killed parent"


_MEASURE = """
import resource, subprocess, sys
status = subprocess.run(sys.argv[1:], capture_output=True).returncode
print(status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_rss_mb(command: list[str], cwd: Path) -> tuple[int, float]:
    """Exit status and peak RSS (MB) of a command, measured by a fresh process whose only child it is."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True,
                          timeout=600)
    status, kilobytes = done.stdout.split()
    return int(status), int(kilobytes) / 1024


@pytest.mark.model
@pytest.mark.parametrize("compress", ["gzip", "zstd"])
def test_a_compressed_bomb_line_is_an_error_record_in_bounded_memory(tmp_path: Path, compress: str) -> None:
    """A 300 MB JSONL line inside a few hundred kB, then a normal line: one error record naming the line
    and its size, the next line tagged, and the memory of the run far below the line's size."""
    huge = b'{"id": "bomb", "text": "' + b"a" * (300 * 2**20) + b'"}\n'
    tail = b'{"id": "after", "text": "Der Satz danach wird ganz normal gelesen."}\n'
    if compress == "gzip":
        import gzip
        payload = gzip.compress(huge + tail, compresslevel=9)
    else:
        payload = zstandard.ZstdCompressor(level=19).compress(huge + tail)
    (tmp_path / "bomb.jsonl.bin").write_bytes(payload)
    del huge
    status, peak = peak_rss_mb([sys.executable, "-m", "langseg", "tag", "bomb.jsonl.bin", "--input-format",
                                "jsonl", "--max-chars", "1000000", "-o", "out.jsonl"], tmp_path)
    assert status == 0
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [r["id"] for r in records] == ["bomb.jsonl.bin:1", "after"]
    assert "longer than --max-chars" in records[0]["error"] and "314,572," in records[0]["error"]
    assert records[1]["language"] == "de"
    assert peak < 250, f"peak RSS {peak:.0f} MB for a 300 MB line"


@pytest.mark.model
def test_an_endless_text_input_is_one_error_record(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "langseg", "tag", "/dev/zero", "--max-chars", "1000000"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr  # its one document could not be processed
    record = json.loads(done.stdout)
    assert "longer than --max-chars" in record["error"] and record["id"] == "/dev/zero"


def test_a_long_line_in_lines_mode_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    from langseg.io import InputOptions, read_inputs

    path = tmp_path / "notes.txt"
    path.write_bytes(b"short one\n" + b"x" * 5000 + b"\nshort two\n")
    docs = list(read_inputs([str(path)], InputOptions(format="lines", max_chars=1000)))
    assert [d.text for d in docs] == ["short one", "", "short two"]
    assert "5,001 bytes" in docs[1].error


def test_numeric_ids_keep_their_exact_json_text(tmp_path: Path) -> None:
    from langseg.io import InputOptions, read_inputs

    path = tmp_path / "ids.jsonl"
    path.write_text('{"id": 18446744073709551616, "text": "a"}\n{"id": 18446744073709551617, "text": "b"}\n'
                    '{"id": 1e400, "text": "c"}\n{"id": 2.5, "text": "d"}\n{"id": 7, "text": "e"}\n')
    ids = [doc.id for doc in read_inputs([str(path)], InputOptions())]
    assert ids == ["18446744073709551616", "18446744073709551617", "1e400", "2.5", "7"]


@pytest.mark.parametrize("redirect, status, says", [
    ("<&-", 1, "standard input is closed"),  # its record says so, and nothing was read
    (">&-", 1, "standard output is closed"),
])
def test_a_closed_standard_stream_is_a_one_line_message(tmp_path: Path, redirect: str, status: int,
                                                         says: str) -> None:
    (tmp_path / "in.txt").write_text("Hallo Welt, wie geht es dir heute?")
    source = "-" if redirect.startswith("<") else "in.txt"
    done = subprocess.run(f"{sys.executable} -m langseg tag {source} --quiet {redirect} 2>err.txt", shell=True,
                          cwd=tmp_path, timeout=300, stdout=subprocess.PIPE if redirect.startswith("<") else None,
                          text=True)
    errors = (tmp_path / "err.txt").read_text()
    assert done.returncode == status
    assert "Traceback" not in errors
    assert says in errors + (done.stdout or "")


@pytest.mark.model
def test_a_file_name_that_is_not_utf8_gives_an_id_strict_parsers_accept(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "w", encoding="utf-8") as out:
        out.write("Hallo Welt, wie geht es dir heute?")
    done = run_tag("docs", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    raw = (tmp_path / "out.jsonl").read_bytes()
    raw.decode("utf-8")  # strict UTF-8, and no lone surrogate escapes:
    assert b"\\ud" not in raw
    record = json.loads(raw)
    assert record["id"].endswith("caf\\xe9.txt") and "not UTF-8" in record["notes"][0]


@pytest.mark.model
def test_keep_fields_writes_numbers_back_as_they_were_written(tmp_path: Path) -> None:
    line = ('{"id": 1, "text": "Hallo Welt, wie geht es dir heute?", "huge": 1e400, '
            '"big": 12345678901234567890123, "small": 2.5, "nested": {"n": [18446744073709551617, -1e999]}}\n')
    (tmp_path / "in.jsonl").write_text(line)
    done = run_tag("in.jsonl", "--keep-fields", "-o", "out.jsonl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "out.jsonl").read_text()
    for number in ('"huge":1e400', '"big":12345678901234567890123', '"small":2.5',
                   '"n":[18446744073709551617,-1e999]'):
        assert number in written


@pytest.mark.model
def test_a_full_disk_leaves_the_output_as_it_was_and_names_it(tmp_path: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("mounting a small tmpfs needs root")
    try:
        (disk / "out.jsonl").write_text("old\n")
        big_input(tmp_path, 3000)
        done = run_tag("big.jsonl", "-o", str(disk / "out.jsonl"), cwd=tmp_path)
        assert done.returncode == 1
        assert done.stderr.strip().splitlines()[-1] == f"Error: {disk / 'out.jsonl'}: No space left on device"
        assert (disk / "out.jsonl").read_text() == "old\n"
        assert [p.name for p in disk.iterdir()] == ["out.jsonl"]
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)
