"""A mixed locust workload: anonymous visitors, candidates answering questions, reviewers working the queue.

Run it through benchmarks/loadtest.sh, which creates the database and the accounts this file logs in
with (LOAD_CANDIDATES candidates candNN@load.example and LOAD_REVIEWERS reviewers revNN@load.example,
password LOAD_PASSWORD), starts uvicorn and runs locust headless. By hand:

  locust -f benchmarks/locustfile.py --headless -u 50 -r 10 -t 60s --host http://127.0.0.1:8000

Users (50 in the standard run): 5 reviewers and 20 candidates (fixed counts), the rest anonymous.

  anonymous  home, question bank with random filters and pages, question pages, guide list and
             guides, search; served from the in-process anonymous page cache after the first hit
             of each URL in each uvicorn worker (search is not cached);
  candidate  logs in through the form (CSRF), answers questions the way a browser does (GET the
             question page, read its csrf_token input, POST the answer, follow to the feedback
             page), asks for human review of about a third of them (CSRF form), and checks the
             history, the progress dashboard with its two charts and the practice queue;
  reviewer   logs in, opens the queue, claims an answer (CSRF), opens the blind review form and
             submits scores and comments (CSRF), then sees the result page. A claim that another
             reviewer won first (HTTP 409, the app's documented answer) is reported under its own
             name, "POST /review/[id]/claim (taken by another reviewer)", as a success: it is the
             expected outcome of two people clicking at once, not an error.

Every other non-2xx/3xx response is a failure. Requests are grouped by route shape ([id] etc.).
"""

from __future__ import annotations

import itertools
import os
import random
import re
import sys
from pathlib import Path

from locust import HttpUser, between, task

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scoring.rubric import DIMENSIONS  # noqa: E402
from web.content import CATEGORIES, DIFFICULTIES, load_catalog  # noqa: E402

PASSWORD = os.environ.get("LOAD_PASSWORD", "load test password")
N_CANDIDATES = int(os.environ.get("LOAD_CANDIDATES", "20"))
N_REVIEWERS = int(os.environ.get("LOAD_REVIEWERS", "5"))
REVIEW_SHARE = float(os.environ.get("LOAD_REVIEW_SHARE", "0.35"))

CATALOG = load_catalog(REPO / "content")
QUESTIONS = sorted(CATALOG.questions)
GUIDES = [g.slug for g in CATALOG.guides]
SEARCH_TERMS = ("risk", "stakeholder", "migration", "launch", "slo error budget", "roadmap", "vendor", "okr", "critical path", "incident")
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CLAIM_RE = re.compile(r'action="/review/(\d+)/claim"')
CONTINUE_RE = re.compile(r'href="/review/(\d+)"')


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]


ANSWER_TEXTS = {
    qid: [" ".join(parts[: max(2, int(len(parts) * share))]) for share in (1.0, 0.6, 0.3)]
    for qid, parts in ((q.id, _sentences(q.example_text) or [q.title]) for q in CATALOG.questions.values())
}
_candidate_numbers = itertools.count()
_reviewer_numbers = itertools.count()


def csrf_of(html: str) -> str:
    match = CSRF_RE.search(html)
    if match is None:
        raise ValueError("no csrf_token input on the page")
    return match.group(1)


class LoggedIn(HttpUser):
    abstract = True
    email = ""

    def log_in(self) -> None:
        with self.client.get("/login", name="/login", catch_response=True) as page:
            token = csrf_of(page.text)
        with self.client.post(
            "/login",
            data={"email": self.email, "password": PASSWORD, "csrf_token": token, "next": "/"},
            name="POST /login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"login as {self.email}: HTTP {response.status_code}")


class Visitor(HttpUser):
    """Anonymous browsing of the catalog."""

    weight = 1
    wait_time = between(0.5, 2.0)

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(4)
    def question_bank(self):
        params = {}
        if random.random() < 0.5:
            params["category"] = random.choice(CATEGORIES)
        if random.random() < 0.3:
            params["difficulty"] = random.choice(DIFFICULTIES)
        if random.random() < 0.3:
            params["dimension"] = random.choice(DIMENSIONS)
        if random.random() < 0.2:
            params["q"] = random.choice(SEARCH_TERMS)
        if random.random() < 0.3:
            params["page"] = random.choice((1, 2, 3))
        self.client.get("/questions", params=params, name="/questions?[filters]")

    @task(6)
    def question(self):
        self.client.get(f"/questions/{random.choice(QUESTIONS)}", name="/questions/[id]")

    @task(1)
    def guide_list(self):
        self.client.get("/guides", name="/guides")

    @task(3)
    def guide(self):
        self.client.get(f"/guides/{random.choice(GUIDES)}", name="/guides/[slug]")

    @task(2)
    def search(self):
        self.client.get("/search", params={"q": random.choice(SEARCH_TERMS)}, name="/search?q=[term]")


class Candidate(LoggedIn):
    """A logged-in candidate answering questions and checking progress."""

    fixed_count = N_CANDIDATES
    wait_time = between(1.0, 3.0)

    def on_start(self):
        self.email = f"cand{next(_candidate_numbers) % N_CANDIDATES:02d}@load.example"
        self.log_in()

    @task(4)
    def answer_question(self):
        qid = random.choice(QUESTIONS)
        with self.client.get(f"/questions/{qid}", name="/questions/[id] (logged in)", catch_response=True) as page:
            try:
                token = csrf_of(page.text)
            except ValueError as exc:
                page.failure(str(exc))
                return
        with self.client.post(
            f"/questions/{qid}/answers",
            data={"csrf_token": token, "text": random.choice(ANSWER_TEXTS[qid]), "started_at": ""},
            name="POST /questions/[id]/answers",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            location = response.headers.get("location", "")
            if response.status_code != 303 or not location.startswith("/answers/"):
                response.failure(f"HTTP {response.status_code}, location {location!r}")
                return
        with self.client.get(location, name="/answers/[id]", catch_response=True) as feedback:
            if "score" not in feedback.text.lower():
                feedback.failure("feedback page without a score")
                return
        if random.random() < REVIEW_SHARE:
            self.client.post(
                f"{location}/review", data={"csrf_token": csrf_of(feedback.text)}, name="POST /answers/[id]/review", allow_redirects=False
            )

    @task(2)
    def history(self):
        self.client.get("/answers", name="/answers")

    @task(1)
    def progress(self):
        self.client.get("/progress", name="/progress")
        self.client.get("/progress/charts/scores.svg", name="/progress/charts/scores.svg")
        self.client.get("/progress/charts/categories.svg", name="/progress/charts/categories.svg")

    @task(1)
    def practice(self):
        self.client.get("/practice", name="/practice")


class Reviewer(LoggedIn):
    """A reviewer claiming and scoring answers from the queue."""

    fixed_count = N_REVIEWERS
    wait_time = between(1.0, 3.0)

    def on_start(self):
        self.email = f"rev{next(_reviewer_numbers) % N_REVIEWERS:02d}@load.example"
        self.log_in()

    @task
    def work_the_queue(self):
        queue = self.client.get("/review", name="/review")
        if queue.status_code != 200:
            return
        mine = CONTINUE_RE.findall(queue.text)
        if mine:
            request_id = mine[0]
        else:
            waiting = CLAIM_RE.findall(queue.text)
            if not waiting:
                return
            request_id = random.choice(waiting[:5])
            with self.client.post(
                f"/review/{request_id}/claim",
                data={"csrf_token": csrf_of(queue.text)},
                name="POST /review/[id]/claim",
                allow_redirects=False,
                catch_response=True,
            ) as claim:
                if claim.status_code == 409:
                    claim.success()
                    claim.request_meta["name"] = "POST /review/[id]/claim (taken by another reviewer)"
                    return
                if claim.status_code != 303:
                    claim.failure(f"HTTP {claim.status_code}")
                    return
        form = self.client.get(f"/review/{request_id}", name="/review/[id]")
        if form.status_code != 200:
            return
        fields = {d: str(random.randint(2, 5)) for d in DIMENSIONS}
        fields |= {f"comment_{d}": random.choice(("", "Good structure.", "Name the risk owner.")) for d in DIMENSIONS}
        fields |= {"overall_comment": "Solid answer; add numbers to the result.", "passages": "", "csrf_token": csrf_of(form.text)}
        with self.client.post(
            f"/review/{request_id}", data=fields, name="POST /review/[id]", allow_redirects=False, catch_response=True
        ) as done:
            location = done.headers.get("location", "")
            if done.status_code != 303 or not location.startswith("/reviews/"):
                done.failure(f"HTTP {done.status_code}")
                return
        self.client.get(location, name="/reviews/[id]")
