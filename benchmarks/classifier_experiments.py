"""Benchmark 15: candidate classifier features beyond features.py, on the KDSH train rows.

Issue 23 asked for features that hold whatever the models' training length,
and for evidence found by retrieval with the book model itself.  The README's
"tried and not kept" figures come from here, so a reader can re-run them:
each candidate's AUC for `contradict` (over all rows, out of fold with folds
by character, within character), then the accuracy of a fixed class-weighted
logistic regression over a few of them, 10 x 5 folds, beside the majority.

Every choice below (thresholds, passage sizes, feature sets) was made while
looking at these 60 rows: the accuracies of fixed sets are optimistic by an
unknown amount.  The nested row (the set chosen inside each training fold) is
the honest one.

    python benchmarks/classifier_experiments.py RUN_DIR [--passages 400]
"""

from __future__ import annotations

import argparse
import re
from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import (RepeatedStratifiedKFold, StratifiedGroupKFold,
                                     cross_val_score, cross_validate)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from classifier_features import KDSH, centred, grouped_auc
from common import header

from bdh_studio.core import backstories, features

PASSAGE = 128  # bytes of book text a passage holds
CONTEXT = 4  # passages read before a backstory: 512 bytes, eight of the cpu preset's blocks
KNOWN = -2.0  # nats: a word its own book's model reads this much cheaper than the others


def book_texts() -> dict[str, bytes]:
    return {backstories.normalise(p.stem): p.read_bytes() for p in (KDSH / "books").glob("*.txt")}


def passages(text: bytes) -> list[bytes]:
    return [text[s:s + PASSAGE] for s in range(0, len(text) - PASSAGE, PASSAGE)]


def decoded(chunks: list[bytes]) -> list[str]:
    return [c.decode("utf-8", "replace") for c in chunks]


@torch.no_grad()
def loss_after(model, context: bytes, text: bytes) -> float:
    """Mean loss of the text's bytes read straight after the context, as one sequence."""
    data = list(features.PREFIX + context + text)
    x, y = torch.tensor([data[:-1]]), torch.tensor([data[1:]])
    nll = F.cross_entropy((model.hidden(x) @ model.lm_head).transpose(1, 2), y,
                          reduction="none")[0]
    return float(nll[-len(text):].mean())


def normalised(rows, losses, models, books, n: int, rng) -> dict[str, np.ndarray]:
    """A backstory's mean loss as a z-score among passages of its own book, under each model:
    what a model's training length shifts for all text alike cancels."""
    reference = {}
    for key, text in books.items():
        ps = passages(text)
        picked = [ps[j] for j in rng.choice(len(ps), min(n, len(ps)), replace=False)]
        for m, bm in models.items():
            scored = features.score(bm.model, decoded(picked), bm.block_size)[0]
            means = np.array([s.mean() for s in scored])
            reference[m, key] = (means.mean(), means.std())
    own_z, other_z = [], []
    for i, r in enumerate(rows):
        other = next(m for m in models if m != r.book_key)
        mu, sd = reference[r.book_key, r.book_key]
        own_z.append((losses[r.book_key][i].mean() - mu) / sd)
        mu, sd = reference[other, r.book_key]
        other_z.append((losses[other][i].mean() - mu) / sd)
    return {"own_z": np.array(own_z), "diff_z": np.array(own_z) - np.array(other_z)}


def names_known(rows, losses, models) -> dict[str, np.ndarray]:
    """Capitalised words (names, places, ships) the own book's model reads far cheaper than
    the other books' models: the novel's own proper nouns, found by the models alone."""
    counts = []
    for i, r in enumerate(rows):
        other = next(m for m in models if m != r.book_key)
        diff = losses[r.book_key][i] - losses[other][i]
        text = r.text().encode("utf-8")
        counts.append(sum(diff[a:b].sum() < KNOWN for a, b in features.word_spans(r.text())
                          if text[a:a + 1].isupper()))
    return {"names_known": np.log1p(counts)}


def lexical(rows, books) -> dict[str, np.ndarray]:
    """No model at all: the book's own proper nouns the text names, and its TF-IDF closeness
    to the nearest 1,000 characters of the book."""
    words = {k: Counter(re.findall(r"\w+", t.decode("utf-8", "replace").lower()))
             for k, t in books.items()}
    index = {}
    for k, t in books.items():
        text = t.decode("utf-8", "replace")
        ps = [text[s:s + 1000] for s in range(0, len(text), 500)]
        vec = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(ps)
        index[k] = (vec, vec.transform(ps))
    caps, closest = [], []
    for r in rows:
        own, others = words[r.book_key], [words[k] for k in words if k != r.book_key]
        names = {w.lower() for w in re.findall(r"\b[A-Z][^\W\d_]+", r.content)}
        caps.append(sum(own[w] >= 2 and not any(o[w] for o in others) for w in names))
        vec, matrix = index[r.book_key]
        closest.append((matrix @ vec.transform([r.content]).T).toarray().max())
    return {"book_names": np.log1p(caps), "tfidf_closest": np.array(closest)}


def retrieval(rows, models, books, rng) -> dict[str, np.ndarray]:
    """How much cheaper a backstory reads after the own book's passages nearest to it (by the
    model's mean hidden state, or by TF-IDF) than after as many random passages."""
    gains = {"gain_hidden": [], "gain_tfidf": []}
    cache = {}
    for key, text in books.items():
        ps = passages(text)
        bm = models[key]
        hidden = features.score(bm.model, decoded(ps), bm.block_size, batch_size=256)[1]
        vec = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(decoded(ps))
        cache[key] = (ps, hidden / np.linalg.norm(hidden, axis=1, keepdims=True), vec,
                      vec.transform(decoded(ps)))
    for r in rows:
        ps, hidden, vec, matrix = cache[r.book_key]
        bm = models[r.book_key]
        text = r.text().encode("utf-8")
        query = features.score(bm.model, [r.text()], bm.block_size)[1][0]
        by_hidden = np.argsort(-(hidden @ (query / np.linalg.norm(query))))[:CONTEXT]
        by_tfidf = np.argsort(-(matrix @ vec.transform([r.text()]).T).toarray().ravel())[:CONTEXT]
        after = lambda picks: loss_after(bm.model, b"".join(ps[j] for j in sorted(picks)), text)
        random = after(rng.choice(len(ps), CONTEXT, replace=False))
        gains["gain_hidden"].append(random - after(by_hidden))
        gains["gain_tfidf"].append(random - after(by_tfidf))
    return {k: np.array(v) for k, v in gains.items()}


def fixed(columns: list[int], C: float = 0.1):
    return make_pipeline(ColumnTransformer([("x", StandardScaler(), columns)]),
                         LogisticRegression(C=C, class_weight="balanced", max_iter=2000))


def nested(x, y, sets: dict[str, list[int]]) -> tuple[float, float, float]:
    """Accuracy (mean, spread) and balanced accuracy when each training fold picks its set
    and C by an inner 5-fold, as core.classifier.select does."""
    accuracy, balanced = [], []
    for train, test in RepeatedStratifiedKFold(n_splits=5, n_repeats=10,
                                               random_state=0).split(x, y):
        inner = RepeatedStratifiedKFold(n_splits=5, n_repeats=1, random_state=0)
        best = max(((cols, C) for cols in sets.values() for C in (0.1, 1.0)),
                   key=lambda c: cross_val_score(fixed(*c), x[train], y[train], cv=inner,
                                                 scoring="balanced_accuracy").mean())
        predicted = fixed(*best).fit(x[train], y[train]).predict(x[test])
        accuracy.append((predicted == y[test]).mean())
        balanced.append(np.mean([(predicted[y[test] == k] == k).mean() for k in (0, 1)]))
    return float(np.mean(accuracy)), float(np.std(accuracy)), float(np.mean(balanced))


def accuracy_table(x, y, chars, names: list[str]) -> None:
    col = {n: i for i, n in enumerate(names)}
    sets = {"familiarity (word_diff_mean)": ["word_diff_mean"], "names_known": ["names_known"],
            "book_names (reads the book)": ["book_names"],
            "familiarity + names_known": ["word_diff_mean", "names_known"],
            "familiarity + book_names": ["word_diff_mean", "book_names"]}
    folds = RepeatedStratifiedKFold(n_splits=5, n_repeats=10, random_state=0)
    print("  fixed sets, logistic regression C 0.1: accuracy, balanced accuracy, "
          "accuracy with folds by character")
    for label, cols in sets.items():
        scores = cross_validate(fixed([col[c] for c in cols]), x, y, cv=folds,
                                scoring=("accuracy", "balanced_accuracy"))
        grouped = cross_val_score(fixed([col[c] for c in cols]), x, y, groups=chars,
                                  cv=StratifiedGroupKFold(5), scoring="accuracy")
        print(f"  {label:32} {100 * scores['test_accuracy'].mean():5.1f} ± "
              f"{100 * scores['test_accuracy'].std():4.1f}"
              f"  {100 * scores['test_balanced_accuracy'].mean():5.1f}"
              f"  {100 * grouped.mean():5.1f}")
    chosen = {k: [col[c] for c in v] for k, v in list(sets.items())[:2]}
    chosen["both"] = [col["word_diff_mean"], col["names_known"]]
    print("  {:32} {:5.1f} ± {:4.1f}  {:5.1f}".format(
        "nested: familiarity/names/both", *(100 * v for v in nested(x, y, chosen))))
    print(f"  {'always consistent':32} {100 * (1 - y.mean()):5.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", metavar="RUN_DIR")
    parser.add_argument("--passages", type=int, default=400,
                        help="passages of each book that set the z-scores' scale")
    args = parser.parse_args()
    torch.set_num_threads(1)
    header("Benchmark 15: candidate classifier features on the KDSH train rows")
    rng = np.random.default_rng(0)
    models = features.load_book_models(args.run)
    rows = backstories.read(KDSH / "train.csv", True, [m.name for m in models.values()]).rows
    books = {k: t for k, t in book_texts().items() if k in models}
    losses = {m: features.score(bm.model, [r.text() for r in rows], bm.block_size)[0]
              for m, bm in models.items()}
    found = {"word_diff_mean": np.array([features.familiarity(
        r.text(), losses[r.book_key][i],
        losses[next(m for m in models if m != r.book_key)][i])[0] for i, r in enumerate(rows)])}
    found |= normalised(rows, losses, models, books, args.passages, rng)
    found |= names_known(rows, losses, models)
    found |= lexical(rows, books)
    found |= retrieval(rows, models, books, rng)
    y = np.array([r.label == "contradict" for r in rows], dtype=int)
    chars = np.array([r.char for r in rows])
    print("  AUC for contradict: all rows / out of fold by character / within character")
    for name, v in found.items():
        print(f"  {name:16} {roc_auc_score(y, v):7.3f} {grouped_auc(v, y, chars, 10):7.3f} "
              f"{roc_auc_score(y, centred(v, chars)):7.3f}")
    accuracy_table(np.stack(list(found.values()), axis=1), y, chars, list(found))


if __name__ == "__main__":
    main()
