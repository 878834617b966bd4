"""The offline scorer's models: which one is live, retraining from reviewers, activation and rollback.

The bundled model (fit from the project's graded files) is live until an admin activates one fit
from reviewed answers. A new fit goes live only when its agreement with reviewers, measured on
questions it was not fit on, is at least the live model's agreement on the same answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import distinct, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from scoring.agreement import quadratic_weighted_kappa, spearman
from scoring.learned import LearnedScorer
from scoring.rubric import DIMENSIONS
from scoring.training import cross_validate, fit
from web.content import Catalog
from web.db import utcnow
from web.services.graded import examples_from, references_from, rubric_for
from web.models import Answer, ReviewRequest, ReviewStatus, ScorerActivation, ScorerModel, User
from web.infra.scorer_model import bundled_model, bundled_scorer, cached_scorer, model_from_bytes, model_to_bytes, scorer_for
from web.services import calibration
from web.infra.text_model import load_embedder

log = logging.getLogger(__name__)

BUNDLED = "bundled"
MIN_REVIEWED_ANSWERS = 20  # fewer gives cross-validated figures too noisy to trust either way
MIN_QUESTIONS = 3  # held out by question needs at least this many questions
_RETRAINING = threading.Lock()  # one retraining at a time per process: it takes the CPU for a while


class CannotRetrain(ValueError):
    """Retraining was refused (too few reviewed answers, or one is already running)."""


@dataclass(frozen=True)
class Outcome:
    """What a retraining produced and whether it went live."""

    model: ScorerModel
    activated: bool
    reason: str


def active_version(*, db: Session) -> str:
    """The version of the live model ('bundled' when no trained model is active)."""
    return db.scalar(select(ScorerModel.version).where(ScorerModel.active)) or BUNDLED


def active_scorer(*, db: Session) -> LearnedScorer:
    """The live scorer; a trained model's bytes are read only the first time its version is seen."""
    version = active_version(db=db)
    if version == BUNDLED:
        return bundled_scorer()
    cached = cached_scorer(version)
    if cached is not None:
        return cached
    data = db.scalar(select(ScorerModel.data).where(ScorerModel.version == version))
    return scorer_for(model_from_bytes(data))


def models(*, db: Session) -> list[ScorerModel]:
    """Every trained model, newest first."""
    return list(db.scalars(select(ScorerModel).order_by(ScorerModel.created_at.desc(), ScorerModel.id.desc())))


def activations(*, db: Session, limit: int = 20) -> list[ScorerActivation]:
    """The most recent activations, newest first."""
    return list(db.scalars(select(ScorerActivation).order_by(ScorerActivation.id.desc()).limit(limit)))


def _agreement(predicted: list[dict[str, int]], gold: list[dict[str, int]]) -> dict:
    """Per-dimension QWK and Spearman, and their mean QWK (the figure activation compares)."""
    out = {d: {"qwk": quadratic_weighted_kappa([p[d] for p in predicted], [g[d] for g in gold]),
               "spearman": spearman([p[d] for p in predicted], [g[d] for g in gold])} for d in DIMENSIONS}
    out["mean_qwk"] = sum(out[d]["qwk"] for d in DIMENSIONS) / len(DIMENSIONS)
    return out


def _activate(db: Session, version: str, by: int | None, reason: str) -> None:
    db.execute(update(ScorerModel).where(ScorerModel.active).values(active=False))
    if version != BUNDLED:
        db.execute(update(ScorerModel).where(ScorerModel.version == version).values(active=True, activated_at=utcnow()))
    db.add(ScorerActivation(version=version, by_id=by, reason=reason[:200]))
    db.flush()


def activate(*, db: Session, version: str, by: User | None, reason: str = "activated by hand") -> None:
    """Make a trained model (or 'bundled') the live one."""
    if version != BUNDLED and db.scalar(select(ScorerModel.id).where(ScorerModel.version == version)) is None:
        raise LookupError(f"no scorer model '{version}' (see `tpmprep model list`)")
    _activate(db, version, by.id if by else None, reason)


def rollback(*, db: Session, by: User | None) -> str:
    """Make live again the model that was live before the current one; returns its version."""
    current = active_version(db=db)
    trail = [a.version for a in activations(db=db, limit=200)]
    previous = next((v for v in trail if v != current), BUNDLED)
    if previous != BUNDLED and db.scalar(select(ScorerModel.id).where(ScorerModel.version == previous)) is None:
        previous = BUNDLED
    _activate(db, previous, by.id if by else None, f"rollback from {current}")
    return previous


def retrain(
    *,
    read_db: sessionmaker[Session],
    write_db: sessionmaker[Session],
    catalog: Catalog,
    admin_id: int | None,
    activate_if_better: bool = True,
    progress: Callable[[str], None] = lambda _: None,
) -> Outcome:
    """Fit a model from reviewed answers, measure it held out by question, keep it, and make it live
    when it agrees with reviewers at least as well as the live model does on the same answers.

    Reading and writing are separate short transactions; the fitting in between holds no lock.
    """
    if not _RETRAINING.acquire(blocking=False):
        raise CannotRetrain("a retraining is already running; wait for it to finish")
    try:
        with read_db() as db:
            records = calibration.export_labels(db=db, catalog=catalog)
            live = active_scorer(db=db)
        questions = {str(r["question_id"]) for r in records}
        if len(records) < MIN_REVIEWED_ANSWERS or len(questions) < MIN_QUESTIONS:
            raise CannotRetrain(
                f"retraining needs at least {MIN_REVIEWED_ANSWERS} reviewed answers to at least {MIN_QUESTIONS} "
                f"questions; there are {len(records)} to {len(questions)}"
            )
        for r in records:
            r["source"] = "reviews"
        examples = examples_from(records, catalog)
        references = references_from(catalog)
        embedder = load_embedder()
        gold = [dict(e.gold) for e in examples]
        progress(f"live model {live.version} on {len(records)} reviewed answers")
        baseline = _agreement([live.score(r["answer"], rubric_for(r, catalog)).scores for r in records], gold)
        progress("new model, held out by question")
        report = cross_validate(examples, references, embedder, progress=progress)["by_question"]["reviews"]
        agreement = {d: {"qwk": report["dimensions"][d]["qwk"], "spearman": report["dimensions"][d]["spearman"]}
                     for d in DIMENSIONS}
        agreement["mean_qwk"] = sum(agreement[d]["qwk"] for d in DIMENSIONS) / len(DIMENSIONS)
        model = fit(examples, references, embedder, progress=progress, version_prefix="reviews")
        better = agreement["mean_qwk"] >= baseline["mean_qwk"]
        with write_db.begin() as db:
            row = db.scalar(select(ScorerModel).where(ScorerModel.version == model.version))
            if row is None:
                row = ScorerModel(
                    version=model.version, data=model_to_bytes(model), examples=len(records),
                    questions=len(questions), agreement=agreement, baseline_version=live.version,
                    baseline_agreement=baseline, created_by_id=admin_id,
                )
                db.add(row)
                db.flush()
            activated = activate_if_better and better
            if activated:
                _activate(db, model.version, admin_id, f"retrained: mean QWK {agreement['mean_qwk']:.3f} "
                          f">= {baseline['mean_qwk']:.3f} of {live.version}")
            reason = (
                f"mean QWK held out by question {agreement['mean_qwk']:.3f} against the live model's "
                f"{baseline['mean_qwk']:.3f}: " + ("made live" if activated else
                                                   "kept, not made live" if better else "not better, kept for the record")
            )
            db.expunge(row)
        return Outcome(model=row, activated=activated, reason=reason)
    finally:
        _RETRAINING.release()


def reviewed_counts(*, db: Session) -> tuple[int, int]:
    """(reviewed answers, distinct questions among them): what retraining would learn from."""
    row = db.execute(
        select(func.count(Answer.id), func.count(distinct(Answer.question_id)))
        .join(ReviewRequest, ReviewRequest.answer_id == Answer.id)
        .where(ReviewRequest.status == ReviewStatus.REVIEWED)
    ).one()
    return int(row[0]), int(row[1])


def enough_to_retrain(*, db: Session) -> bool:
    """Whether there are enough reviewed answers, to enough questions, to retrain."""
    answers, questions = reviewed_counts(db=db)
    return answers >= MIN_REVIEWED_ANSWERS and questions >= MIN_QUESTIONS


def retrain_in_background(*, read_db, write_db, catalog: Catalog, admin_id: int) -> bool:
    """Start a retraining on a thread; False when one is already running."""
    if _RETRAINING.locked():
        return False

    def run() -> None:
        try:
            outcome = retrain(read_db=read_db, write_db=write_db, catalog=catalog, admin_id=admin_id)
            log.info("scorer retrained: %s (%s)", outcome.model.version, outcome.reason)
        except CannotRetrain as exc:
            log.warning("scorer not retrained: %s", exc)
        except Exception:
            log.exception("scorer retraining failed")

    threading.Thread(target=run, name="scorer-retrain", daemon=True).start()
    return True


def bundled_version() -> str:
    """The packaged model's version."""
    return bundled_model().version
