"""Fitting the learned scorer from graded answers, and measuring it on answers it was not fit on.

Every choice (the ridge penalty, how much the meaning vector may count, the stretch that undoes
ridge's shrinkage) is made by cross-validation grouped by question; the figures reported are
from an outer loop whose held-out question took no part in any choice (nested). Deterministic:
the only randomness, the wrong-question pairs for the relevance model, uses a fixed seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scoring.agreement import profile_accuracy, quadratic_weighted_kappa, spearman
from scoring.card import clamp_score
from scoring.embedding import Embedder
from scoring.features import Reading, TextSpace, match_key_points, read
from scoring.learned import (
    PATHS,
    DimensionModel,
    limit_of,
    LearnedModel,
    RelevanceModel,
    question_profile,
    RelevanceJudge,
    path_of,
    relevance_features,
)
from scoring.generic import generic_rubric
from scoring.rubric import DIMENSIONS, Rubric
from scoring.text import analyse

FEATURE_SET = "f6"  # bump when scoring.features changes what it reads: the model version changes with it
SEED = 20261204
ALPHAS = (3.0, 10.0, 30.0, 100.0, 300.0)  # ridge penalties tried (features are standardised)
MEANING_SCALES = (0.0, 0.25, 0.5, 1.0)  # how strongly the 256 meaning features count against the named ones (0: not at all)
KEY_POINT_FALSE_RATE = 0.05  # a key point may be "found" in 5% of unrelated answers, no more
WRONG_PAIRS_PER_ANSWER = 3  # other-category questions each answer is paired with to teach relevance
RELEVANCE_KEEP = 0.98  # share of real answers to their own question that must stay below any limit
RELEVANCE_L2 = 1.0
RELEVANCE_RAMP = 0.9  # closed_at as a share of open_at
SAME_TOPIC_SHARE = 0.9  # the closest tenth of other questions counts as the same topic
STRETCH_LIMITS = (1.0, 2.0)  # ridge pulls predictions to the mean; the stretch undoes it, within reason


@dataclass(frozen=True)
class Example:
    """A graded answer as the trainer sees it."""

    answer: str
    rubric: Rubric
    group: str  # the question: answers to one question are held out together
    source: str  # the file it came from, for cross-file figures
    target: np.ndarray  # mean of the raters, per dimension
    gold: Mapping[str, int]  # the consensus integer scores
    ratings: tuple[Mapping[str, int], ...] = ()  # each rater's scores, for the rater ceiling


@dataclass(frozen=True)
class Reference:
    """A catalog question with its example answer: calibrates key points and relevance."""

    rubric: Rubric
    example: str


def target_of(record: Mapping) -> np.ndarray:
    """The raters' mean on each dimension (the consensus integers when only those exist)."""
    ratings = record.get("ratings") or [record["scores"]]
    return np.array([np.mean([float(r[d]) for r in ratings]) for d in DIMENSIONS])


# ---------------------------------------------------------------- ridge with grouped CV

def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    return mean, scale


def _ridge(x: np.ndarray, y: np.ndarray, alpha: float, block: np.ndarray) -> tuple[float, np.ndarray]:
    """Ridge on standardised columns scaled by `block`; returns (intercept, raw-unit weights)."""
    mean, scale = _standardise(x)
    z = (x - mean) / scale * block
    ym = y.mean()
    if z.shape[0] < z.shape[1]:  # fewer answers than features: the dual form solves a smaller system
        coef = z.T @ np.linalg.solve(z @ z.T + alpha * np.eye(z.shape[0]), y - ym)
    else:
        coef = np.linalg.solve(z.T @ z + alpha * np.eye(z.shape[1]), z.T @ (y - ym))
    w = coef * block / scale
    return float(ym - mean @ w), w


def _blocks(names: Sequence[str], meaning_scale: float) -> np.ndarray:
    return np.array([meaning_scale if n.startswith("meaning_") else 1.0 for n in names])


def _fit_dimension(x, y, names, alpha, meaning_scale, stretch) -> tuple[float, np.ndarray]:
    b, w = _ridge(x, y, alpha, _blocks(names, meaning_scale))
    centre = y.mean()
    # value = centre + stretch * (prediction - centre), folded into the weights
    return float(centre + stretch * (b - centre)), w * stretch


def _predict(x, model: tuple[float, np.ndarray]) -> np.ndarray:
    return model[0] + x @ model[1]


def _choose(x, y, groups, names) -> tuple[float, float, float, dict]:
    """Penalty, meaning scale and stretch with the best grouped-CV agreement on this data, and that agreement."""
    best = None
    for alpha in ALPHAS:
        for ms in MEANING_SCALES:
            pred = np.zeros(len(y))
            for g in sorted(set(groups)):
                held = groups == g
                model = _fit_dimension(x[~held], y[~held], names, alpha, ms, 1.0)
                pred[held] = _predict(x[held], model)
            # The stretch that best maps these out-of-sample predictions onto the targets.
            centre = y.mean()
            dp = pred - centre
            stretch = float(np.clip((dp @ (y - centre)) / max(dp @ dp, 1e-9), *STRETCH_LIMITS))
            rounded = [clamp_score(centre + stretch * v) for v in dp]
            gold = [clamp_score(v) for v in y]
            q, r = quadratic_weighted_kappa(rounded, gold), spearman(list(pred), list(y))
            if best is None or q + r > best[0] + 1e-12:
                best = (q + r, alpha, ms, stretch, {"qwk": round(q, 3), "spearman": round(r, 3)})
    return best[1], best[2], best[3], best[4]


def fit_weights(x: np.ndarray, y: np.ndarray, groups: np.ndarray, names: Sequence[str]):
    """Per dimension: hyper-parameters by grouped CV, then the fit on all rows."""
    out = {}
    chosen = {}
    for j, d in enumerate(DIMENSIONS):
        alpha, ms, stretch, cv = _choose(x, y[:, j], groups, names)
        out[d] = _fit_dimension(x, y[:, j], names, alpha, ms, stretch)
        chosen[d] = {"alpha": alpha, "meaning_scale": ms, "stretch": round(stretch, 3), "grouped_cv": cv}
    return out, chosen


# ---------------------------------------------------------------- calibration from the catalog

def key_point_threshold(space: TextSpace, references: Sequence[Reference], readings: Sequence[Reading]) -> tuple[float, float]:
    """The similarity above which a sentence counts as saying a key point, and the recall it gives.

    Negatives are each question's key points against example answers of other categories, so
    at most KEY_POINT_FALSE_RATE of unrelated answers "cover" a point; recall is measured on the
    question's own example answer, where every key point is meant to be covered.
    """
    rng = random.Random(SEED)
    positives, negatives = [], []
    for i, ref in enumerate(references):
        own = match_key_points(space, ref.rubric, readings[i].sentences, readings[i].vectors, {}, 2.0)
        positives += [m.similarity for m in own]
        others = [k for k, r in enumerate(references) if r.rubric.category != ref.rubric.category]
        for k in rng.sample(others, min(3, len(others))):
            found = match_key_points(space, ref.rubric, readings[k].sentences, readings[k].vectors, {}, 2.0)
            negatives += [m.similarity for m in found]
    threshold = float(np.quantile(negatives, 1 - KEY_POINT_FALSE_RATE)) if negatives else 0.5
    recall = float(np.mean([p >= threshold for p in positives])) if positives else 0.0
    return threshold, recall


def _logistic(x: np.ndarray, y: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression by Newton's method (balanced classes)."""
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    xb = np.c_[x, np.ones(len(x))]
    w = np.zeros(xb.shape[1])
    penalty = l2 * np.diag(np.r_[np.ones(x.shape[1]), 0.0])
    for _ in range(100):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (weight * (p - y)) + penalty @ w
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[:-1], float(w[-1])


@dataclass(frozen=True)
class Backgrounds:
    """Per path: the background question vectors and the same-topic threshold."""

    vectors: Mapping[str, np.ndarray]
    same_topic: Mapping[str, float]


def backgrounds(space: TextSpace, references: Sequence[Reference]) -> Backgrounds:
    """The catalog's questions as profiles (catalog path) and as bare texts (generic path).

    Two background questions closer than the SAME_TOPIC_SHARE quantile of all question pairs
    count as the same topic: an answer may fit those as well as the one asked.
    """
    vectors = {
        "catalog": space.vectors([question_profile(r.rubric) for r in references]),
        "generic": space.vectors([r.rubric.question_text for r in references]),
    }
    same = {}
    for path, v in vectors.items():
        sims = v @ v.T
        off = sims[~np.eye(len(v), dtype=bool)]
        same[path] = float(np.quantile(off, SAME_TOPIC_SHARE)) if len(off) else 1.0
    return Backgrounds(vectors, same)


def relevance_pairs(space: TextSpace, items: Sequence[tuple[Reading, Rubric, str]], bg: Backgrounds, threshold: float):
    """Right and wrong (answer, question) pairs on both paths.

    Each answer is paired with its own question (on its rubric's path, and as a typed question on
    the generic path) and with questions of other categories on both paths. Returns feature rows,
    labels (1 = the answer's own question), the path of each row and the item it came from, so
    cross-validation can leave an item's pairs out.
    """
    rng = random.Random(SEED)
    rubrics: dict[str, Rubric] = {}
    for _, rubric, group in items:
        rubrics.setdefault(group, rubric)
    groups = sorted(rubrics)
    typed = {g: generic_rubric(rubrics[g].question_text, rubrics[g].category) for g in groups}
    rows, labels, paths, owners = [], [], [], []

    def add(reading: Reading, rubric: Rubric, label: int, owner: int) -> None:
        path = path_of(rubric)
        question = space.vectors([question_profile(rubric)])[0]
        rows.append(relevance_features(reading, question, bg.vectors[path], bg.same_topic[path], path))
        labels.append(label)
        paths.append(path)
        owners.append(owner)

    def reread(reading: Reading, rubric: Rubric) -> Reading:
        # The topic-word share depends on the rubric, so a pair is read against its own rubric.
        return read(reading.doc.text, rubric, space, key_point_threshold=threshold)

    for index, (reading, rubric, group) in enumerate(items):
        add(reading, rubric, 1, index)
        if path_of(rubric) == "catalog":
            add(reread(reading, typed[group]), typed[group], 1, index)
        others = [g for g in groups if rubrics[g].category != rubric.category]
        for g in rng.sample(others, min(WRONG_PAIRS_PER_ANSWER, len(others))):
            add(reread(reading, rubrics[g]), rubrics[g], 0, index)
            if path_of(rubrics[g]) == "catalog":
                add(reread(reading, typed[g]), typed[g], 0, index)
    return np.array(rows), np.array(labels), np.array(paths), np.array(owners)


def fit_relevance(rows: np.ndarray, labels: np.ndarray, real: np.ndarray) -> RelevanceModel:
    """The relevance model, with its limits set so RELEVANCE_KEEP of real answers to their own
    question are never limited (`real` marks rows from graded answers; the catalog's example
    answers are written to their key points, so they would set the bar too high)."""
    mean, scale = _standardise(rows)
    coef, intercept = _logistic((rows - mean) / scale, labels, RELEVANCE_L2)
    model = RelevanceModel(mean, scale, coef, intercept, 0.0, 0.0)
    p = np.array([model.probability(r) for r in rows])
    right = p[(labels == 1) & real] if ((labels == 1) & real).any() else p[labels == 1]
    open_at = float(np.quantile(right, 1 - RELEVANCE_KEEP))
    # The limit ramps from 2 up to none across the last tenth below open_at: a borderline answer
    # loses a little rather than everything, and an answer to another question is held to 2
    # (a ramp over the last third let 11% of cross-category pairs through; a tenth, 10%).
    closed_at = open_at * RELEVANCE_RAMP
    return RelevanceModel(mean, scale, coef, intercept, closed_at, open_at)


# ---------------------------------------------------------------- the whole fit

def corpus_centre(embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
    """The mean vector of the corpus's sentences: the common direction that centring removes."""
    sentences = []
    for text in texts:
        doc = analyse(text)
        for span in doc.sentences:
            if span.last_token > span.first_token:
                sentences.append(" ".join(doc.tokens[i].text for i in range(span.first_token, span.last_token)))
    return embedder.embed(sentences).mean(axis=0).astype(np.float32)


@dataclass
class Prepared:
    """Everything read once from the graded answers and the catalog, shared by fitting and CV."""

    space: TextSpace
    threshold: float
    recall: float
    backgrounds: Backgrounds
    readings: list[Reading]
    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    sources: np.ndarray
    names: tuple[str, ...]
    pair_rows: np.ndarray
    pair_labels: np.ndarray
    pair_paths: np.ndarray
    pair_owners: np.ndarray  # index into examples, or -1 for a catalog reference
    own_relevance: np.ndarray  # relevance features of each example with its own question
    own_paths: np.ndarray


def prepare(examples: Sequence[Example], references: Sequence[Reference], embedder: Embedder,
            progress: Callable[[str], None]) -> Prepared:
    """Read every answer once: features, calibration from the catalog, and relevance pairs."""
    space = TextSpace(embedder, corpus_centre(embedder, [r.example for r in references]))
    progress(f"reading {len(references)} catalog examples")
    ref_readings = [read(r.example, r.rubric, space, key_point_threshold=2.0) for r in references]
    threshold, recall = key_point_threshold(space, references, ref_readings)
    progress(f"key point threshold {threshold:.3f} (recall on the catalog's example answers {recall:.2f})")
    bg = backgrounds(space, references)
    progress(f"reading {len(examples)} graded answers")
    readings = [read(e.answer, e.rubric, space, key_point_threshold=threshold) for e in examples]
    items = [(readings[i], e.rubric, e.group) for i, e in enumerate(examples)]
    items += [(read(r.example, r.rubric, space, key_point_threshold=threshold), r.rubric, r.rubric.question_id or f"ref-{i}")
              for i, r in enumerate(references)]
    progress("pairing answers with right and wrong questions")
    rows, labels, paths, owners = relevance_pairs(space, items, bg, threshold)
    owners = np.where(owners < len(examples), owners, -1)
    # The first row of each example is the example with its own question, on its own path.
    first = [int(np.flatnonzero(owners == i)[0]) for i in range(len(examples))]
    return Prepared(
        space=space, threshold=threshold, recall=recall, backgrounds=bg, readings=readings,
        x=np.stack([r.values for r in readings]), y=np.stack([e.target for e in examples]),
        groups=np.array([e.group for e in examples]), sources=np.array([e.source for e in examples]),
        names=readings[0].names, pair_rows=rows, pair_labels=labels, pair_paths=paths, pair_owners=owners,
        own_relevance=rows[first], own_paths=paths[first],
    )


def fit_judges(data: Prepared, keep: np.ndarray) -> dict[str, RelevanceJudge]:
    """The relevance model from the pairs `keep` selects, with each path's background questions.

    One model serves both paths (its last feature says which), so a path with few real answers
    in a fold still gets limits set from real answers.
    """
    model = fit_relevance(data.pair_rows[keep], data.pair_labels[keep], data.pair_owners[keep] >= 0)
    return {
        path: RelevanceJudge(data.backgrounds.vectors[path], data.backgrounds.same_topic[path], model)
        for path in PATHS
    }


def fit(
    examples: Sequence[Example],
    references: Sequence[Reference],
    embedder: Embedder,
    *,
    progress: Callable[[str], None] = lambda _: None,
    version_prefix: str = "learned",
) -> LearnedModel:
    """Fit the scorer from graded examples, calibrated on the catalog's questions and example answers."""
    data = prepare(examples, references, embedder, progress)
    weights, chosen = fit_weights(data.x, data.y, data.groups, data.names)
    for dim in DIMENSIONS:
        c = chosen[dim]
        progress(f"{dim:<13} grouped CV (leave one question out): QWK {c['grouped_cv']['qwk']:.3f}, "
                 f"Spearman {c['grouped_cv']['spearman']:.3f}  [penalty {c['alpha']:g}, meaning x{c['meaning_scale']:g}, "
                 f"stretch {c['stretch']:.2f}]")
    relevance = fit_judges(data, np.ones(len(data.pair_rows), dtype=bool))
    judge = relevance["catalog"].model
    progress(f"relevance: scores limited to 2 at p<={judge.closed_at:.3f}, free at p>={judge.open_at:.3f}")
    settings = (FEATURE_SET, embedder.name, ALPHAS, MEANING_SCALES, STRETCH_LIMITS, KEY_POINT_FALSE_RATE,
                WRONG_PAIRS_PER_ANSWER, RELEVANCE_KEEP, RELEVANCE_RAMP, RELEVANCE_L2, SAME_TOPIC_SHARE, SEED)
    digest = hashlib.sha256(repr(settings).encode())
    for e in examples:
        digest.update(e.answer.encode("utf-8"))
        digest.update(e.target.tobytes())
    for r in references:
        digest.update(r.example.encode("utf-8"))
    return LearnedModel(
        version=f"{version_prefix}-{digest.hexdigest()[:10]}",
        embedder=embedder.name,
        names=tuple(data.names),
        centre=data.space.centre,
        typical=data.x.mean(axis=0),
        dimensions={dim: DimensionModel(*weights[dim]) for dim in DIMENSIONS},
        key_point_threshold=data.threshold,
        relevance=relevance,
        info={
            "examples": len(examples),
            "sources": sorted({e.source for e in examples}),
            "questions": len(set(data.groups)),
            "key_point_recall": round(data.recall, 3),
            "chosen": chosen,
        },
    )


# ---------------------------------------------------------------- out-of-sample figures

def _figures(pred: np.ndarray, examples: Sequence[Example], texts_for_length: Sequence[str]) -> dict:
    from scoring.agreement import length_baseline

    out: dict = {"n": len(examples), "dimensions": {}}
    gold = {d: [e.gold[d] for e in examples] for d in DIMENSIONS}
    for j, d in enumerate(DIMENSIONS):
        p = [clamp_score(v) for v in pred[:, j]]
        base = length_baseline(texts_for_length, gold[d])
        out["dimensions"][d] = {
            "qwk": quadratic_weighted_kappa(p, gold[d]),
            "spearman": spearman(list(pred[:, j]), gold[d]),
            "length_qwk": quadratic_weighted_kappa(base, gold[d]),
            "length_spearman": spearman([len(t.split()) for t in texts_for_length], gold[d]),
        }
        two = [e for e in examples if len(e.ratings) == 2]
        if two:
            a = [e.ratings[0][d] for e in two]
            b = [e.ratings[1][d] for e in two]
            out["dimensions"][d]["raters_qwk"] = quadratic_weighted_kappa(a, b)
            out["dimensions"][d]["raters_spearman"] = spearman(a, b)
    preds = [{d: clamp_score(pred[i, j]) for j, d in enumerate(DIMENSIONS)} for i in range(len(examples))]
    out["profile_accuracy"] = profile_accuracy(preds, [dict(e.gold) for e in examples])
    return out


def cross_validate(
    examples: Sequence[Example],
    references: Sequence[Reference],
    embedder: Embedder,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> dict:
    """Out-of-sample figures: nested leave-one-question-out, and leave-one-file-out.

    Each held-out part is scored as the site scores it (the limits included) by a model refit
    without it: ridge weights, their hyper-parameters and the relevance model. The catalog
    calibration (centre, key-point threshold, background questions) uses no graded answer.
    """
    data = prepare(examples, references, embedder, progress)

    def held_out(fold_of: np.ndarray) -> np.ndarray:
        pred = np.zeros_like(data.y)
        for key in sorted(set(fold_of)):
            held = fold_of == key
            weights, _ = fit_weights(data.x[~held], data.y[~held], data.groups[~held], data.names)
            keep = (data.pair_owners < 0) | ~held[np.maximum(data.pair_owners, 0)]
            judges = fit_judges(data, keep)
            for i in np.flatnonzero(held):
                judge = judges[data.own_paths[i]].model
                cap, _ = limit_of(data.readings[i], judge.cap(judge.probability(data.own_relevance[i])))
                for j, d in enumerate(DIMENSIONS):
                    pred[i, j] = min(float(_predict(data.x[i : i + 1], weights[d])[0]), cap)
        return pred

    def figures(pred: np.ndarray) -> dict:
        out = {}
        for src in sorted(set(data.sources)):
            sel = data.sources == src
            chosen = [e for e, s in zip(examples, sel) if s]
            out[src] = _figures(pred[sel], chosen, [e.answer for e in chosen])
        return out

    report: dict = {"by_question": {}, "across_files": {}}
    progress("grouped by question (nested leave-one-question-out)")
    report["by_question"] = figures(held_out(data.groups))
    if len(set(data.sources)) > 1:
        progress("across files (fit without a file, test on it)")
        report["across_files"] = figures(held_out(data.sources))
    return report
