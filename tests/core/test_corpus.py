"""Books on disk: discovery, the bad files a user will have, and batches."""

import hashlib
import os
import threading
from pathlib import Path

import numpy as np
import pytest

from bdh_studio.core import corpus
from bdh_studio.core.control import TaskControl, run_task
from bdh_studio.core.corpus import BatchSampler, Book, CorpusError, find_books, inspect, listed
from textgen import make_text


def test_finds_txt_books_sorted_case_insensitively(books_dir):
    (books_dir / "notes.md").write_text("not a book")
    (books_dir / "aardvark.txt").write_text(make_text(5000))
    assert [p.name for p in find_books(books_dir)] == ["aardvark.txt", "Alpha Book.txt",
                                                       "beta book.TXT"]


def test_empty_folder_says_what_to_do(tmp_path):
    with pytest.raises(CorpusError, match="no .txt books in it"):
        find_books(tmp_path)


def test_missing_folder_and_a_file_instead_of_a_folder(tmp_path):
    with pytest.raises(CorpusError, match="no such folder"):
        find_books(tmp_path / "nope")
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(CorpusError, match="not a folder"):
        find_books(tmp_path / "a.txt")


def test_binary_file_is_named_with_the_reason(tmp_path):
    path = tmp_path / "image.txt"
    path.write_bytes(b"GIF89a\x00\x01\x02")
    with pytest.raises(CorpusError, match=r"image.txt: not a text file \(a NUL byte at byte 6\)"):
        Book(path)


def test_non_utf8_file_is_named_with_the_byte(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("café au lait".encode("latin-1"))
    with pytest.raises(CorpusError, match=r"latin1.txt: not UTF-8 \(byte 0xe9 at byte 3\); re-save"):
        Book(path)


def test_truncated_utf8_at_the_end(tmp_path):
    path = tmp_path / "cut.txt"
    path.write_bytes("abc é".encode()[:-1])
    with pytest.raises(CorpusError, match="ends inside a character"):
        Book(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(CorpusError, match="empty.txt: the file is empty"):
        Book(path)


def test_book_shorter_than_a_block_says_how_to_fix_it(tmp_path):
    path = tmp_path / "short.txt"
    path.write_text(make_text(500))
    with pytest.raises(CorpusError, match=r"short.txt: too short for block_size 64: .* lower "
                                          r"block_size to at most 49 or leave the book out"):
        Book(path).check_fits(64)


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text("text")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("bdh_studio.core.corpus.open", denied, raising=False)
    with pytest.raises(CorpusError, match=r"locked.txt: cannot read it \(Permission denied\)"):
        Book(path)


def test_listing_then_inspecting_gives_unusable_files_reasons_and_never_raises(books_dir,
                                                                              tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01")
    other = tmp_path / "cover.png"
    other.write_bytes(b"\x89PNG")
    infos = [inspect(info.path) if info.usable else info  # as the books panel checks them
             for info in listed([books_dir, bad, other, books_dir / "Alpha Book.txt"])]
    by_name = {i.path.name: i for i in infos}
    assert len(infos) == 4  # the Alpha book dropped twice is listed once
    assert by_name["Alpha Book.txt"].usable and by_name["Alpha Book.txt"].name == "Alpha Book"
    assert by_name["bad.txt"].problem.startswith("not a text file")
    assert "not a .txt file" in by_name["cover.png"].problem


def test_byte_order_mark_is_dropped_and_split_is_the_tail(tmp_path):
    path = tmp_path / "bom.txt"
    body = make_text(1000).encode()
    path.write_bytes(b"\xef\xbb\xbf" + body)
    book = Book(path, val_fraction=0.1)
    assert bytes(book.data[:10]) == body[:10]
    assert len(book.val) == 100 and bytes(book.val) == body[-100:]
    assert isinstance(book.data, np.memmap)
    assert book.meta()["size"] == len(body) + 3


def test_batches_are_shifted_pairs_and_fresh_every_step(books_dir):
    book = Book(books_dir / "Alpha Book.txt")
    sampler = BatchSampler(book.train, 32, 4, seed=0)
    x1, y1 = sampler.sample()
    x2, _ = sampler.sample()
    assert x1.shape == (4, 32) and x1.dtype.is_floating_point is False
    assert np.array_equal(x1[:, 1:].numpy(), y1[:, :-1].numpy())
    assert not np.array_equal(x1.numpy(), x2.numpy())
    again = BatchSampler(book.train, 32, 4, seed=0).sample()[0]
    assert np.array_equal(again.numpy(), x1.numpy())  # seeded: repeatable
    other_rank = BatchSampler(book.train, 32, 4, seed=0, stream=(1,)).sample()[0]
    assert not np.array_equal(other_rank.numpy(), x1.numpy())


def test_inspect_reports_problem_without_raising(tmp_path):
    path = tmp_path / "x.txt"
    path.write_bytes(b"")
    info = inspect(path)
    assert not info.usable and info.problem == "the file is empty"


def _resident_file_bytes() -> int | None:
    status = Path("/proc/self/status")
    if not status.is_file():
        return None
    for line in status.read_text().splitlines():
        if line.startswith("RssFile:"):
            return int(line.split()[1]) * 1024
    return None


def test_batches_from_a_big_book_do_not_keep_it_resident(tmp_path):
    if _resident_file_bytes() is None:
        pytest.skip("needs Linux's /proc/self/status")
    path = tmp_path / "big.txt"
    chunk = make_text(1 << 20).encode()
    with open(path, "wb") as f:
        for _ in range(80):
            f.write(chunk)
    sampler = BatchSampler(Book(path).train, 64, 8, seed=0)
    before = _resident_file_bytes()
    for _ in range(50):
        sampler.sample()
    assert _resident_file_bytes() - before < 16 << 20


def test_a_book_is_read_once_for_its_check_and_its_training(books_dir, monkeypatch):
    reads = []
    read = corpus._read
    monkeypatch.setattr(corpus, "_read", lambda path, control: reads.append(path.name)
                        or read(path, control))
    path = books_dir / "Alpha Book.txt"
    assert inspect(path).usable
    book = Book(path)
    assert reads == ["Alpha Book.txt"]
    assert book.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_text(make_text(25_000, 7), encoding="utf-8")  # another version of the book
    assert Book(path).sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert reads == ["Alpha Book.txt"] * 2


def test_a_cancel_ends_a_check_within_one_chunk(tmp_path):
    class Counting(TaskControl):
        checks = 0

        def check(self):
            self.checks += 1
            if self.checks == 2:
                self.stop()
            super().check()

    big = tmp_path / "big.txt"
    big.write_bytes(b"words " * (3 * corpus._CHUNK // 6 + 1))  # four chunks
    control = Counting()
    assert run_task(lambda c: inspect(big, c), control).status == "cancelled"
    assert control.checks == 2
    assert inspect(big).usable  # nothing half-checked was remembered


def test_a_link_loop_a_broken_link_and_a_fifo_are_listed_as_unusable_without_opening_them(
        books_dir, tmp_path):
    (books_dir / "loop.txt").symlink_to("loop.txt")
    (books_dir / "gone.txt").symlink_to(tmp_path / "moved away.txt")
    os.mkfifo(books_dir / "pipe.txt")  # opened for reading, it waits for a writer forever
    names = [p.name for p in find_books(books_dir)]
    assert names == ["Alpha Book.txt", "beta book.TXT", "gone.txt", "loop.txt", "pipe.txt"]
    infos = {}
    checking = threading.Thread(target=lambda: infos.update(
        {i.path.name: inspect(i.path) if i.usable else i for i in listed([books_dir])}),
        daemon=True)
    checking.start()
    checking.join(timeout=60)
    assert not checking.is_alive(), "a FIFO was opened"
    assert infos["loop.txt"].problem.startswith("a symbolic link that loops (Too many levels")
    assert infos["gone.txt"].problem == (f"a symbolic link to {tmp_path / 'moved away.txt'}, "
                                         f"which does not exist; point it at the book or "
                                         f"remove it")
    assert infos["pipe.txt"].problem.startswith("a FIFO (named pipe), not a file of text")
    assert infos["Alpha Book.txt"].usable and infos["beta book.TXT"].usable
    problems = corpus.check_books(find_books(books_dir), 64, 0.1)
    assert sorted(p.name for p in problems) == ["gone.txt", "loop.txt", "pipe.txt"]
