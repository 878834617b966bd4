"""The `tpmprep` command: serve, worker, db, content, users, tokens, eval, score, transcribe."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from web.models import ROLES, Role, ScorerName
from web.settings import Settings, get_settings


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    """Run the site with uvicorn after checking the schema and the content."""
    import uvicorn

    from web.app import SchemaOutOfDate, create_app
    from web.content import ContentError

    from sqlalchemy.exc import OperationalError

    # The embedded SQLite database is the site's own: create and migrate it without being asked.
    # A server database (PostgreSQL) is migrated only with --upgrade, as deploys should decide that.
    if args.upgrade or settings.is_sqlite:
        _ensure_sqlite_folder(settings)
        from web.infra import migrations

        migrations.upgrade(settings.database_url)
    try:
        app = create_app(settings)
    except SchemaOutOfDate as exc:
        print(f"tpmprep: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"tpmprep: cannot open the database {_display_url(settings.database_url)}: "
              f"{str(exc.orig).splitlines()[0] if exc.orig else exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print(f"tpmprep: the content has problems; run `tpmprep content check`:\n{exc}", file=sys.stderr)
        return 2
    catalog = app.state.catalog
    print(
        f"tpmprep: {len(catalog.guides)} guides, {len(catalog.questions)} questions loaded; "
        f"database {_display_url(settings.database_url)}",
        flush=True,
    )
    print(f"tpmprep is running at http://{args.host}:{args.port}  (Ctrl+C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", proxy_headers=True)
    return 0


def _display_url(url: str) -> str:
    """A database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _ensure_sqlite_folder(settings: Settings) -> None:
    """Create the folder of a SQLite database file."""
    if settings.is_sqlite:
        from sqlalchemy.engine import make_url

        database = make_url(settings.database_url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)


def _db(args: argparse.Namespace, settings: Settings) -> int:
    """Apply, revert or show migrations."""
    from web.infra import migrations
    from web.db import make_engine

    _ensure_sqlite_folder(settings)
    if args.action == "upgrade":
        migrations.upgrade(settings.database_url, args.revision)
        print(f"database upgraded to {args.revision}: {_display_url(settings.database_url)}")
    elif args.action == "downgrade":
        migrations.downgrade(settings.database_url, args.revision)
        print(f"database downgraded to {args.revision}")
    else:
        engine = make_engine(settings.database_url)
        current, head = migrations.pending_revisions(engine, settings.database_url)
        engine.dispose()
        print(f"current: {current or '(empty)'}  head: {head}  {'up to date' if current == head else 'run `tpmprep db upgrade`'}")
    return 0


def _content_check(args: argparse.Namespace, settings: Settings) -> int:
    """Validate content files and print every problem as file:line: reason."""
    from web.content import scan

    root = Path(args.path) if args.path else settings.content_dir
    catalog, problems = scan(root, strict=not args.lenient)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in {root}", file=sys.stderr)
        return 1
    print(f"ok: {len(catalog.guides)} guides, {len(catalog.questions)} questions, {len(catalog.tracks)} tracks in {root}")
    return 0


def _session_factory(settings: Settings):
    from web.app import check_schema
    from web.db import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    check_schema(engine, settings.database_url)
    return make_sessionmaker(engine, write=True)


def _users_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a user; prompts for the password or generates one and prints it once."""
    from web.infra.security import new_token
    from web.services import users as user_service

    generated = False
    if args.generate_password:
        password, generated = new_token()[:20], True
    elif not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat: ") != password:
            print("tpmprep: the passwords do not match", file=sys.stderr)
            return 1
    factory = _session_factory(settings)
    try:
        with factory.begin() as db:
            user = user_service.create_user(db=db, email=args.email, password=password, role=args.role, settings=settings)
            email, role = user.email, user.role
    except user_service.AccountError as exc:
        print(f"tpmprep: {exc}", file=sys.stderr)
        return 1
    print(f"created {role} {email}")
    if generated:
        print(f"password (shown once): {password}")
    return 0


def _users_reset_password(args: argparse.Namespace, settings: Settings) -> int:
    """Print a one-time, expiring reset link for an admin to pass on (the way back in without email)."""
    from web.services import password_reset as reset_service

    with _session_factory(settings).begin() as db:
        link = reset_service.link_for_email(db=db, email=args.email, settings=settings)
    if link is None:
        print(f"tpmprep: no account for {args.email}", file=sys.stderr)
        return 1
    print(f"reset link for {args.email} (works once, for {settings.password_reset_minutes} minutes; "
          f"using it logs the account out everywhere):\n{link}")
    return 0


def _users_role(args: argparse.Namespace, settings: Settings) -> int:
    """Change an existing user's role."""
    from web.models import ROLES
    from web.services import users as user_service

    if args.role not in ROLES:
        print(f"tpmprep: role must be one of {', '.join(ROLES)}", file=sys.stderr)
        return 1
    with _session_factory(settings).begin() as db:
        user = user_service.get_by_email(db=db, email=args.email)
        if user is None:
            print(f"tpmprep: no user {args.email}", file=sys.stderr)
            return 1
        user.role = args.role
    print(f"{args.email} is now {args.role}")
    return 0


def _tokens_create(args: argparse.Namespace, settings: Settings) -> int:
    """Create a personal API token and print it once."""
    from web.services import tokens as token_service
    from web.services import users as user_service

    with _session_factory(settings).begin() as db:
        user = user_service.get_by_email(db=db, email=args.email)
        if user is None:
            print(f"tpmprep: no user {args.email}", file=sys.stderr)
            return 1
        token = token_service.create_token(db=db, user=user, name=args.name)
    print(f"token for {args.email} (shown once; send it as 'Authorization: Bearer <token>'):\n{token}")
    return 0


def _export_labels(args: argparse.Namespace, settings: Settings) -> int:
    """Write human-reviewed answers as graded-answer JSON lines for `tpmprep eval`."""
    from web.content import load_catalog
    from web.services.calibration import export_labels

    factory = _session_factory(settings)
    with factory() as db:
        records = export_labels(db=db, catalog=load_catalog(settings.content_dir))
    with open(args.file, "w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")
    print(f"wrote {len(records)} reviewed answer(s) to {args.file}")
    return 0


def _backup(args: argparse.Namespace, settings: Settings) -> int:
    """Copy the SQLite database while the site runs; on PostgreSQL, say how to use pg_dump."""
    from sqlalchemy.engine import make_url

    url = make_url(settings.database_url)
    if not settings.is_sqlite:
        dump_url = url.set(drivername="postgresql").render_as_string(hide_password=False)
        print("tpmprep: on PostgreSQL, back up with pg_dump, for example:", file=sys.stderr)
        print(f"  pg_dump --format=custom --file {args.path} '{dump_url}'")
        print(f"  (restore with: pg_restore --clean --if-exists --dbname '<target url>' {args.path})", file=sys.stderr)
        return 2
    import sqlite3

    target = Path(args.path)
    if target.exists() and not args.force:
        print(f"tpmprep: {target} exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    dest = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent snapshot while other connections keep writing.
        source.backup(dest, pages=256)
    finally:
        dest.close()
        source.close()
    print(f"backed up {url.database} to {target} ({target.stat().st_size:,} bytes)")
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run a scoring worker in this process until interrupted."""
    from web.content import load_catalog
    from web.db import make_engine, make_sessionmaker
    from web.app import check_schema
    from web.infra.worker import Worker

    engine = make_engine(settings.database_url)
    check_schema(engine, settings.database_url)
    worker = Worker(
        write_db=make_sessionmaker(engine, write=True),
        catalog=load_catalog(settings.content_dir),
        settings=settings,
    )
    print(f"tpmprep worker {worker.name} started", flush=True)
    try:
        worker.run(until_idle=args.until_idle)
    except KeyboardInterrupt:
        pass
    return 0


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    """Measure scorer agreement with graded answers."""
    from scoring.evaluate import evaluate, format_report
    from scoring.rubric import DIMENSIONS
    from web.services.eval_predict import predictor
    from web.services.graded import read_records

    if args.cv:
        return _eval_cv(args, settings)
    try:
        records = [r for p in args.file for r in read_records(Path(p))]
    except (OSError, ValueError) as exc:
        print(f"tpmprep: {exc}", file=sys.stderr)
        return 1
    predict = predictor(args.scorer, settings)
    from tqdm import tqdm

    bar = tqdm(total=len(records), desc=f"scoring ({args.scorer})", unit="answer", file=sys.stderr, disable=args.json and not sys.stderr.isatty())
    report = evaluate(records, predict, progress=lambda done, total: bar.update(1))
    bar.close()
    if args.predictions:
        with open(args.predictions, "w", encoding="utf-8") as out:
            for record, row in zip(records, report["predictions"]):
                out.write(json.dumps({"id": record.get("id"), **{d: row["predicted"][d] for d in DIMENSIONS}}) + "\n")
    if args.json:
        print(json.dumps({k: v for k, v in report.items() if k != "predictions"}, indent=2, default=str))
    else:
        print(format_report(report))
    return 0


def _graded_examples(paths: list[str], settings: Settings):
    """Training examples and catalog references from graded JSON-lines files."""
    from web.content import load_catalog
    from web.services.graded import examples_from, read_records, references_from

    catalog = load_catalog(settings.content_dir)
    records = [r for p in paths for r in read_records(Path(p))]
    return examples_from(records, catalog), references_from(catalog)


def _train(args: argparse.Namespace, settings: Settings) -> int:
    """Fit the offline scorer from graded answers and write the model file."""
    import time

    from scoring.training import fit
    from web.infra.scorer_model import BUNDLED_MODEL, save_model
    from web.infra.text_model import load_embedder

    started = time.perf_counter()
    try:
        examples, references = _graded_examples(args.files, settings)
    except (OSError, ValueError) as exc:
        print(f"tpmprep: {exc}", file=sys.stderr)
        return 1
    if not examples:
        print("tpmprep: no graded answers in those files", file=sys.stderr)
        return 1
    model = fit(examples, references, load_embedder(), progress=lambda line: print(line, flush=True))
    out = Path(args.out) if args.out else BUNDLED_MODEL
    save_model(model, out)
    print(f"model {model.version}: {len(examples)} answers to {model.info['questions']} questions, "
          f"written to {out} in {time.perf_counter() - started:.1f} s")
    return 0


def _eval_cv(args: argparse.Namespace, settings: Settings) -> int:
    """Out-of-sample agreement: nested leave-one-question-out and leave-one-file-out."""
    from scoring.training import cross_validate
    from web.ui.cv_report import markdown_table
    from web.infra.text_model import load_embedder

    examples, references = _graded_examples(args.file, settings)
    report = cross_validate(examples, references, load_embedder(),
                            progress=lambda line: print(line, file=sys.stderr, flush=True))
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(markdown_table(report))
    return 0


def _model(args: argparse.Namespace, settings: Settings) -> int:
    """List, retrain, activate or roll back the offline scorer's model."""
    from web.content import load_catalog
    from web.db import make_engine, make_sessionmaker
    from web.services import scorer_models

    engine = make_engine(settings.database_url)
    read_db, write_db = make_sessionmaker(engine), make_sessionmaker(engine, write=True)
    try:
        if args.action == "list":
            with read_db() as db:
                live = scorer_models.active_version(db=db)
                print(f"{'*' if live == 'bundled' else ' '} bundled  {scorer_models.bundled_version()}  (fit from the project's graded files)")
                for m in scorer_models.models(db=db):
                    mark = "*" if m.version == live else " "
                    print(f"{mark} {m.version}  {m.created_at:%Y-%m-%d %H:%M}  {m.examples} answers  "
                          f"mean QWK held out {m.agreement['mean_qwk']:.3f} (live model then: {m.baseline_agreement['mean_qwk']:.3f})")
            print("* = live")
        elif args.action == "retrain":
            catalog = load_catalog(settings.content_dir)
            try:
                outcome = scorer_models.retrain(read_db=read_db, write_db=write_db, catalog=catalog, admin_id=None,
                                                activate_if_better=not args.no_activate,
                                                progress=lambda line: print(line, flush=True))
            except scorer_models.CannotRetrain as exc:
                print(f"tpmprep: {exc}", file=sys.stderr)
                return 1
            print(f"model {outcome.model.version}: {outcome.reason}")
        elif args.action == "activate":
            with write_db.begin() as db:
                try:
                    scorer_models.activate(db=db, version=args.version, by=None, reason="activated from the command line")
                except LookupError as exc:
                    print(f"tpmprep: {exc}", file=sys.stderr)
                    return 1
            print(f"{args.version} is live")
        elif args.action == "rollback":
            with write_db.begin() as db:
                version = scorer_models.rollback(db=db, by=None)
            print(f"rolled back: {version} is live")
    finally:
        engine.dispose()
    return 0


def _score(args: argparse.Namespace, settings: Settings) -> int:
    """Score one answer from a file or stdin and print the card."""
    from web.services.eval_predict import print_card, score_text

    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    try:
        card = score_text(text, question_id=args.question, question_text=args.question_text, scorer=args.scorer, settings=settings)
    except LookupError as exc:
        print(f"tpmprep: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(card.to_dict(), indent=2))
    else:
        print_card(card, text)
    return 0


def _transcribe(args: argparse.Namespace, settings: Settings) -> int:
    """Transcribe a recording and print its text, word timings and delivery figures."""
    from scoring.delivery import measure
    from web.infra.transcribe import AudioError, audio_duration, transcribe

    path = Path(args.file)
    try:
        data = path.read_bytes()
        seconds = audio_duration(data)
    except OSError as exc:
        print(f"tpmprep: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 1
    except AudioError as exc:
        print(f"tpmprep: {path}: {exc}", file=sys.stderr)
        return 1
    transcript = transcribe(data, path.name, settings)
    time_box = int(args.time_box * 60) if args.time_box else None
    delivery = measure(transcript.text, transcript.words, duration_seconds=seconds, time_box_seconds=time_box)
    if args.json:
        print(json.dumps(transcript.to_dict() | {"duration_seconds": round(seconds, 2), "delivery": delivery.to_dict()}, indent=2))
        return 0
    print(transcript.text)
    print(f"\n{seconds:.1f} s of audio, {transcript.engine}")
    for word in transcript.words:
        print(f"  {word.start:7.2f}-{word.end:7.2f}  {word.text}")
    fillers = ", ".join(f"{k} ×{n}" for k, n in delivery.filler_kinds.items()) or "none"
    print(f"\nwords per minute   {delivery.words_per_minute:.0f}")
    print(f"fillers            {delivery.fillers_per_100_words:.1f} per 100 words ({fillers})")
    print(f"pauses over 2 s    {delivery.long_pauses} (longest {delivery.longest_pause_seconds:.1f} s)")
    print(f"talk time          {delivery.talk_seconds:.0f} s" + (f" of a {time_box} s time box" if time_box else ""))
    for advice in delivery.guidance:
        print(f"  - {advice}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = argparse.ArgumentParser(prog="tpmprep", description="TPM interview practice: site, content and scoring tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the web site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--upgrade", action="store_true",
                       help="apply database migrations first (the embedded SQLite database is always migrated)")
    serve.set_defaults(func=_serve)

    worker = sub.add_parser("worker", help="run a scoring worker process")
    worker.add_argument("--until-idle", action="store_true", help="exit when no job is waiting")
    worker.set_defaults(func=_worker)

    db = sub.add_parser("db", help="database migrations").add_subparsers(dest="action", required=True)
    up = db.add_parser("upgrade", help="apply migrations")
    up.add_argument("revision", nargs="?", default="head")
    down = db.add_parser("downgrade", help="revert migrations")
    down.add_argument("revision")
    db.add_parser("current", help="show the current and head revisions")
    for p in (up, down, *db.choices.values()):
        p.set_defaults(func=_db)

    content = sub.add_parser("content", help="content tools").add_subparsers(dest="action", required=True)
    check = content.add_parser("check", help="validate content files")
    check.add_argument("path", nargs="?", help="content folder (default: TPMPREP_CONTENT_DIR)")
    check.add_argument("--lenient", action="store_true",
                       help="skip the second edition's rules (a probe on every key point, `ships`, worked answers' "
                            "labelled paragraphs), for a draft in progress; the site always loads content strictly")
    check.add_argument("--strict", action="store_true", help=argparse.SUPPRESS)  # the default since the second edition
    check.set_defaults(func=_content_check)

    users = sub.add_parser("users", help="manage accounts").add_subparsers(dest="action", required=True)
    create = users.add_parser("create", help="create a user (prompts for a password)")
    create.add_argument("--email", required=True)
    create.add_argument("--role", default=Role.CANDIDATE, help=", ".join(ROLES))
    create.add_argument("--generate-password", action="store_true", help="generate a password and print it once")
    create.set_defaults(func=_users_create)
    role = users.add_parser("set-role", help="change a user's role")
    role.add_argument("--email", required=True)
    role.add_argument("--role", required=True)
    role.set_defaults(func=_users_role)
    reset = users.add_parser("reset-password", help="print a one-time link that lets a user choose a new password")
    reset.add_argument("--email", required=True)
    reset.set_defaults(func=_users_reset_password)

    tokens = sub.add_parser("tokens", help="personal API tokens").add_subparsers(dest="action", required=True)
    tcreate = tokens.add_parser("create", help="create a token for a user and print it once")
    tcreate.add_argument("--email", required=True)
    tcreate.add_argument("--name", default="cli")
    tcreate.set_defaults(func=_tokens_create)

    ev = sub.add_parser("eval", help="measure scorer agreement with graded answers (JSON lines)")
    ev.add_argument("file", nargs="+")
    ev.add_argument("--cv", action="store_true",
                    help="refit the scorer without each question and each file and report only held-out agreement")
    ev.add_argument("--scorer", choices=tuple(ScorerName), default=ScorerName.OFFLINE)
    ev.add_argument("--json", action="store_true", help="print the report as JSON")
    ev.add_argument("--predictions", help="write one JSON line of scores per answer to this file")
    ev.set_defaults(func=_eval)

    tr = sub.add_parser("train", help="fit the offline scorer from graded answers (JSON lines)")
    tr.add_argument("files", nargs="+")
    tr.add_argument("--out", help="model file to write (default: the bundled model inside the package)")
    tr.set_defaults(func=_train)

    md = sub.add_parser("model", help="the offline scorer's model: list, retrain from reviews, activate, roll back")
    mda = md.add_subparsers(dest="action", required=True)
    mda.add_parser("list", help="the bundled model and every model fit from reviews (* = live)")
    mre = mda.add_parser("retrain", help="fit a model from reviewed answers; it goes live if it agrees with reviewers at least as well")
    mre.add_argument("--no-activate", action="store_true", help="keep the new model but leave the live one")
    mac = mda.add_parser("activate", help="make a model live ('bundled' for the packaged one)")
    mac.add_argument("version")
    mda.add_parser("rollback", help="make live again the model that was live before the current one")
    md.set_defaults(func=_model)

    bk = sub.add_parser("backup", help="back up the database (SQLite online backup; PostgreSQL: prints the pg_dump command)")
    bk.add_argument("path")
    bk.add_argument("--force", action="store_true", help="overwrite an existing file")
    bk.set_defaults(func=_backup)

    ex = sub.add_parser("export-labels", help="write human-reviewed answers as graded JSON lines")
    ex.add_argument("file")
    ex.set_defaults(func=_export_labels)

    sc = sub.add_parser("score", help="score one answer and print the card")
    which = sc.add_mutually_exclusive_group(required=True)
    which.add_argument("--question", help="catalog question id")
    which.add_argument("--question-text", help="your own question text (scored with the generic rubric)")
    sc.add_argument("file", help="answer file, or - for standard input")
    sc.add_argument("--scorer", choices=tuple(ScorerName), default=ScorerName.OFFLINE)
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(func=_score)

    tr = sub.add_parser("transcribe", help="transcribe a recording offline and print delivery figures")
    tr.add_argument("file", help="audio file: webm, ogg, wav, mp3 or m4a")
    tr.add_argument("--time-box", type=float, help="the question's time box in minutes, to compare talk time against")
    tr.add_argument("--json", action="store_true", help="one JSON object: text, words, duration_seconds, delivery")
    tr.set_defaults(func=_transcribe)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = build_parser().parse_args(argv)
    return int(args.func(args, get_settings()) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
