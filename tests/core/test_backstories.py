"""KDSH backstory CSVs: every problem a row or a file can have, and the message it gets."""

import pytest

from bdh_studio.core.backstories import BackstoryError, normalise, read

HEADER = "id,book_name,char,caption,content,label\n"
BOOKS = ["In search of the castaways", "The Count of Monte Cristo"]


def write(tmp_path, text, name="train.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def one_problem(tmp_path, row):
    """Read a CSV of one good row and ``row``; return the message of the one left out."""
    good = "1,The Count of Monte Cristo,Faria,,He was a priest.,consistent\n"
    result = read(write(tmp_path, HEADER + good + row), labelled=True, books=BOOKS)
    assert [r.id for r in result.rows] == ["1"]
    assert len(result.problems) == 1
    return str(result.problems[0])


@pytest.mark.parametrize("name, key", [
    ("In Search of the Castaways", "in search of the castaways"),
    ("In search of the castaways.txt", "in search of the castaways"),
    ("The Count of Monte-Cristo.PT", "the count of monte cristo"),
    ("  Winter on Kessel Pass!  ", "winter on kessel pass"),
])
def test_book_names_match_whatever_their_case_punctuation_and_extension(name, key):
    assert normalise(name) == key


def test_a_good_file_reads_with_empty_captions_and_tolerant_labels(tmp_path):
    text = HEADER + ('7,In Search of the Castaways,Thalcave,,"He rode, and rode.", Consistent \n'
                     "8,the count of monte cristo,Faria,Prison,He dug a tunnel.,CONTRADICT\n")
    result = read(write(tmp_path, text), labelled=True, books=BOOKS)
    assert not result.problems
    assert [(r.id, r.caption, r.label) for r in result.rows] == [
        ("7", "", "consistent"), ("8", "Prison", "contradict")]
    assert result.rows[0].book_key == normalise(BOOKS[0])


def test_a_test_file_needs_no_label_column(tmp_path):
    text = "id,book_name,char,caption,content\n3,The Count of Monte Cristo,Faria,,A priest.\n"
    result = read(write(tmp_path, text, "test.csv"), labelled=False, books=BOOKS)
    assert [(r.id, r.label) for r in result.rows] == [("3", None)]


def test_a_missing_column_names_it_and_the_header_wanted(tmp_path):
    path = write(tmp_path, "id,book_name,char,content\n1,X,Y,Z\n")
    with pytest.raises(BackstoryError, match=r"missing column\(s\) caption, label; the header "
                                             r"must be id,book_name,char,caption,content,label"):
        read(path, labelled=True)


@pytest.mark.parametrize("row, message", [
    ("2,The Count of Monte Cristo,Faria,,,consistent\n", "row id 2 (line 3): empty content; write the backstory in the content column or remove "
     "the row"),
    ("1,The Count of Monte Cristo,Faria,,Again.,consistent\n",
     "row id 1 (line 3): duplicate id (also on line 2); ids must be unique"),
    ("3,The Count of Monte Cristo,Faria,,Text.,maybe\n",
     "row id 3 (line 3): label 'maybe' is neither consistent nor contradict; correct it to one of "
     "them"),
    ("4,The Count of Monte Cristo,Faria,,Text.,\n",
     "row id 4 (line 3): label '(empty)' is neither consistent nor contradict; correct it to one of "
     "them"),
    ("5,Moby Dick,Ahab,,Text.,consistent\n",
     "row id 5 (line 3): book 'Moby Dick' matches no book model (have: In search of the "
     "castaways, The Count of Monte Cristo); train a model for that book or correct the name"),
    (",The Count of Monte Cristo,Faria,,Text.,consistent\n",
     "row id ? (line 3): no id; give every row a unique id"),
])
def test_a_row_that_cannot_be_used_is_listed_with_its_id_and_what_to_do(tmp_path, row, message):
    assert one_problem(tmp_path, row) == message


def test_a_file_with_no_usable_row_says_why(tmp_path):
    path = write(tmp_path, HEADER + "1,Moby Dick,Ahab,,Text.,consistent\n")
    with pytest.raises(BackstoryError, match="train.csv: no usable rows: row id 1 .* matches no"):
        read(path, labelled=True, books=BOOKS)


def test_unreadable_files_say_what_to_do(tmp_path):
    with pytest.raises(BackstoryError, match="no such file"):
        read(tmp_path / "absent.csv", labelled=True)
    latin = write(tmp_path, HEADER + "1,Book,Zoé,,Café,consistent\n", encoding="latin-1")
    with pytest.raises(BackstoryError, match="not UTF-8 text; save the CSV as UTF-8"):
        read(latin, labelled=True)


def test_a_cell_longer_than_the_csv_modules_default_limit_is_read(tmp_path):
    """The csv module refuses cells over 131,072 bytes; a backstory may quote a chapter."""
    chapter = "He rode on, and the pampas rode with him. " * 5_000  # 210,000 bytes
    text = HEADER + f'7,In Search of the Castaways,Thalcave,,"{chapter}",consistent\n'
    result = read(write(tmp_path, text), labelled=True, books=BOOKS)
    assert not result.problems and result.rows[0].content == chapter.strip()


def test_the_summary_lists_every_row_left_out(tmp_path):
    text = HEADER + ("1,The Count of Monte Cristo,Faria,,Text.,consistent\n"
                     "2,Moby Dick,Ahab,,Text.,consistent\n3,The Count of Monte Cristo,F,,,x\n")
    summary = read(write(tmp_path, text), labelled=True, books=BOOKS).summary()
    assert summary.startswith("train.csv: 1 usable row(s), 2 left out:")
    assert "row id 2 (line 3)" in summary and "row id 3 (line 4)" in summary


def test_the_real_kdsh_files_read_cleanly(kdsh):
    names = [p.stem for p in (kdsh / "books").glob("*.txt")]
    train = read(kdsh / "train.csv", labelled=True, books=names)
    test = read(kdsh / "test.csv", labelled=False, books=names)
    assert not train.problems and not test.problems
    assert set(train.labels) == {"consistent", "contradict"}
    assert {r.book_key for r in train.rows + test.rows} == {normalise(n) for n in names}
