"""The backstory classifier: the CV harness and its baselines, both modes, the command line."""

import csv
import re
from pathlib import Path

import numpy as np
import pytest
import torch

from bdh_studio import resources
from bdh_studio.cli import main
from bdh_studio.core import backstories, features
from bdh_studio.core.backstories import LABELS, Backstory
from bdh_studio.core.classifier import FineTuner, classify, select
from bdh_studio.core.config import PRESETS
from bdh_studio.core.control import TaskControl, run_task
from bdh_studio.core.errors import UserError
from bdh_studio.core.evaluation import cross_validate, encode_labels
from bdh_studio.core.model import BDH
from devices import CUDA

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def oracle(y):
    """A fitter that knows the answer: the harness must score it 100%."""
    return lambda train: (lambda rows: y[rows].astype(float))


def test_the_harness_scores_the_model_beside_the_majority_baselines():
    labels = ["consistent"] * 25 + ["contradict"] * 15
    books = ["A"] * 25 + ["B"] * 15  # the book alone gives the label away
    chars = [f"c{i % 4}" for i in range(40)]
    report = cross_validate(oracle(encode_labels(labels)), labels, books, chars, folds=5,
                            repeats=2, seed=3)
    rows = dict(report.rows())
    assert rows["model"]["accuracy"] == (1.0, 0.0)
    assert rows["majority class"]["accuracy"][0] == pytest.approx(25 / 40)
    assert rows["majority class"]["contradict_f1"] == (0.0, 0.0)
    assert rows["majority per book"]["accuracy"] == (1.0, 0.0)
    assert rows["grouped by character"]["accuracy"] == (1.0, 0.0)
    assert len(report.folds) == 10 and report.oof_probability.shape == (40,)
    assert "5 folds x 2 repeat(s) over 40 rows" in report.table()


def test_the_harness_needs_two_rows_of_each_label():
    labels = ["consistent"] * 9 + ["contradict"]
    with pytest.raises(UserError, match=r"at least 2 rows of each label.*\[9, 1\]"):
        cross_validate(oracle(encode_labels(labels)), labels, ["A"] * 10, ["c"] * 10)


def test_batched_scoring_equals_one_chunk_at_a_time(demo_models):
    models = features.load_book_models(demo_models)
    bm = next(iter(models.values()))
    texts = ["A short one.", "x" * 150, "Une phrase accentuée, pour voir. " * 6]
    batched = features.score(bm.model, texts, block=32, batch_size=64)
    single = features.score(bm.model, texts, block=32, batch_size=1)
    for a, b in zip(batched[0], single[0]):
        np.testing.assert_allclose(a, b, atol=1e-5)
    np.testing.assert_allclose(batched[1], single[1], atol=1e-5)
    assert [len(loss) for loss in batched[0]] == [len(t.encode()) for t in texts]


def test_familiarity_is_per_word_own_minus_other_loss():
    text = "ab cd"  # words at bytes 0-2 and 3-5
    own = np.array([1.0, 1.0, 5.0, 0.0, 0.0], dtype=np.float32)
    other = np.array([2.0, 2.0, 1.0, 2.0, 2.0], dtype=np.float32)
    word_diff, ratio, below = features.familiarity(text, own, other)
    assert word_diff == pytest.approx(((1 - 2) * 2 + (0 - 2) * 2) / 2)
    assert ratio == pytest.approx(own.mean() / other.mean())
    assert below == pytest.approx(2 / 5)  # the two bytes of "cd" are 2 nats cheaper


def test_featurize_names_every_column_and_fills_familiarity(demo_models):
    models = features.load_book_models(demo_models)
    rows = backstories.read(resources.demo_train_csv(), labelled=True).rows[:6]
    x, names = features.featurize([r.text() for r in rows], [r.book_key for r in rows], models)
    assert x.shape == (6, len(names)) and len(set(names)) == len(names)
    fam = x[:, [names.index(n) for n in features.FAMILIARITY]]
    assert np.isfinite(fam).all() and (fam[:, 1] > 0).all() and fam[:, :2].std(axis=0).min() > 0


def test_the_model_is_chosen_on_the_training_rows_alone():
    """A familiarity column that tells the labels apart is chosen by the inner folds."""
    rng = np.random.default_rng(0)
    y = np.array([0] * 24 + [1] * 16)
    x = rng.normal(size=(40, len(features.SURPRISE) + len(features.FAMILIARITY) + 8))
    x[:, len(features.SURPRISE)] += 4 * y  # word_diff_mean carries the label
    model, choice = select(x, y)
    assert choice.startswith("familiarity, C=")
    assert (model.predict(x) == y).mean() >= 0.9


def test_features_mode_reports_the_models_its_folds_chose(demo_models):
    outcome = classify(resources.demo_train_csv(), demo_models, resources.demo_test_csv(),
                       folds=3)
    note = [n for n in outcome.report.notes if n.startswith("model chosen")]
    assert len(note) == 1 and "on all train rows, for the test rows: " in note[0]
    assert sum(int(k) for k in re.findall(r"\((\d+)x\)", note[0])) == 3 + 3


@pytest.mark.parametrize("mode, folds", [("features", 5),
                                         pytest.param("finetune", 2, marks=pytest.mark.slow)])
def test_both_modes_cross_validate_and_predict_every_test_row(demo_models, mode, folds):
    seen = []
    outcome = classify(resources.demo_train_csv(), demo_models, resources.demo_test_csv(),
                       mode=mode, folds=folds,
                       control=TaskControl(on_progress=lambda f, m: seen.append(f)))
    n_train, n_test = len(outcome.train.rows), len(outcome.test.rows)
    assert [p.id for p in outcome.oof] == [r.id for r in outcome.train.rows]
    assert [p.id for p in outcome.predictions] == [r.id for r in outcome.test.rows]
    assert n_train == 36 and n_test == 15
    for p in outcome.oof + outcome.predictions:
        assert p.label in ("consistent", "contradict") and 0.5 <= p.confidence <= 1
    assert len(outcome.report.folds) == folds
    assert seen == sorted(seen) and seen[-1] == 1.0


def test_a_finetune_cancel_ends_it_within_one_optimizer_step(demo_models):
    messages = []

    def progress(fraction, message):
        messages.append(message)
        if message.startswith("fine-tuning step 3/"):
            control.stop()

    control = TaskControl(on_progress=progress)
    ending = run_task(lambda c: classify(resources.demo_train_csv(), demo_models,
                                         mode="finetune", folds=2, control=c), control)
    assert ending.status == "cancelled"
    steps = [m for m in messages if m.startswith("fine-tuning step")]
    assert steps == [f"fine-tuning step {i}/{4 * 18} of this fit" for i in (1, 2, 3)]


def test_a_features_cancel_ends_it_within_one_chunk_batch(demo_models, monkeypatch):
    batches, control = [], TaskControl()
    hidden = BDH.hidden

    def counted(model, x):
        batches.append(len(x))
        control.stop()
        return hidden(model, x)

    monkeypatch.setattr(BDH, "hidden", counted)
    ending = run_task(lambda c: classify(resources.demo_train_csv(), demo_models, control=c),
                      control)
    assert ending.status == "cancelled" and len(batches) == 1  # three book models to score


def test_finetuning_sees_the_rows_in_another_order_each_epoch(demo_models, monkeypatch):
    models = features.load_book_models(demo_models)
    key = next(iter(models))
    rows = [r for r in backstories.read(resources.demo_train_csv(), labelled=True).rows
            if r.book_key == key]
    seen = []

    def logits(tuner, backbone, head, i, block):
        seen.append(i)
        return head(torch.zeros(head.in_features))

    monkeypatch.setattr(FineTuner, "logits", logits)
    tuner = FineTuner({key: models[key]}, rows, np.zeros(len(rows), dtype=int), epochs=3)
    tuner(np.arange(len(rows)))
    epochs = [seen[e * len(rows): (e + 1) * len(rows)] for e in range(3)]
    assert all(sorted(e) == list(range(len(rows))) for e in epochs)
    assert epochs[0] != epochs[1] != epochs[2] != epochs[0]
    tuner(np.arange(len(rows)))
    assert seen[3 * len(rows):] == seen[: 3 * len(rows)]  # seeded: the same run again


@pytest.mark.parametrize("device", ["meta", CUDA])
def test_finetune_builds_inputs_targets_and_head_on_the_models_device(device):
    """On "meta" (shapes only, and no tensor of another device accepted) as on a GPU."""
    torch.manual_seed(0)
    model = BDH(PRESETS["tiny"].model_config()).to(device)
    rows = [Backstory(str(i), "Book", "Ann", "caption", "a backstory " * 8, label)
            for i, label in enumerate(LABELS * 2)]
    y = np.array([0, 1, 0, 1])
    fit = FineTuner({rows[0].book_key: features.BookModel("Book", Path("Book.pt"), model, 32)},
                    rows, y, epochs=1)
    predict = fit(np.arange(4))
    if device != "meta":  # meta tensors hold no numbers to read
        assert predict(np.arange(4)).shape == (4,)


def test_classify_refuses_what_it_cannot_do(demo_models, tmp_path):
    train = resources.demo_train_csv()
    with pytest.raises(UserError, match="mode 'magic': use features or finetune"):
        classify(train, demo_models, mode="magic")
    with pytest.raises(UserError, match="folds 1: cross-validation needs at least 2 folds"):
        classify(train, demo_models, folds=1)
    with pytest.raises(UserError, match="no book models"):
        classify(train, tmp_path)


@pytest.mark.slow
def test_the_command_line_on_the_kdsh_data(kdsh, tmp_path, capsys):
    run = tmp_path / "run"
    assert main(["train", str(kdsh / "books"), "--out", str(run), "--preset", "tiny",
                 "--iters", "30", "--set", "eval_interval=30"]) == 0
    out = tmp_path / "new folder" / "predictions.csv"
    assert main(["classify", "--train", str(kdsh / "train.csv"), "--test", str(kdsh / "test.csv"),
                 "--models", str(run), "--out", str(out), "--folds", "3"]) == 0
    printed = capsys.readouterr().out
    assert "majority class" in printed and "majority per character" in printed
    test_ids = [r["id"] for r in read_csv(kdsh / "test.csv")]
    rows = read_csv(out)
    assert [r["id"] for r in rows] == test_ids
    assert all(r["label"] in ("consistent", "contradict") for r in rows)
    assert all(0 <= float(r["confidence"]) <= 1 for r in rows)
    cv = read_csv(out.parent / "predictions.cv.csv")
    assert len(cv) == len(read_csv(kdsh / "train.csv"))
    assert {r["true_label"] for r in cv} == {"consistent", "contradict"}


@pytest.mark.parametrize("change, message", [
    ({"--models": "{missing}"}, "no such folder; give a training run folder"),
    ({"--models": "{empty}"}, "no book models (.pt) in it; train the books first"),
    ({"--train": "{bad_csv}"}, "missing column(s) label"),
    ({"--folds": "1"}, "folds 1: cross-validation needs at least 2 folds"),
    ({"--out": "{file}/p.csv"}, "choose another --out"),
])
def test_bad_input_to_classify_gives_one_line_and_exit_2(demo_models, tmp_path, capsys, change,
                                                         message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "bad.csv").write_text("id,book_name,char,caption,content\n1,a,b,c,d\n")
    places = {"{missing}": tmp_path / "absent", "{empty}": tmp_path / "empty",
              "{bad_csv}": tmp_path / "bad.csv", "{file}/p.csv": tmp_path / "bad.csv" / "p.csv"}
    args = {"--train": str(resources.demo_train_csv()), "--models": str(demo_models),
            "--out": str(tmp_path / "p.csv")}
    args.update({k: str(places.get(v, v)) for k, v in change.items()})
    assert main(["classify", *[x for kv in args.items() for x in kv]]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("bdh-studio classify: ") and message in err
