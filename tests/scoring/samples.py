"""Questions and answers written for the scoring tests (none is taken from a graded set)."""

MIGRATION_QUESTION = (
    "How would you plan and run the migration of 120 internal services from a self-hosted "
    "Kubernetes cluster to a managed cloud platform within nine months?"
)
CONFLICT_QUESTION = "Tell me about a time you disagreed with your manager. How did you handle it?"

# A strong, specific, structured answer to MIGRATION_QUESTION (about 300 words).
STRONG_MIGRATION_ANSWER = """\
Goal first: the self-hosted cluster's support contract ends in October, so success means every \
production service on the managed platform by September 30, no customer-facing SLO breach, and \
hosting cost no more than 15% above today.

Plan in three phases:
1. Discovery (weeks 1-4). I'd inventory all 120 services with owners, dependencies from network \
flow logs, and data size, then sort them into three tiers. Stateless tier-3 services go first.
2. Pilot (weeks 5-8). Eight low-risk services from two volunteer teams, to build the runbook and \
measure the real effort per service.
3. Waves (months 3-8). Six waves of about 18 services, grouped by dependency cluster, each with an \
entry checklist and an exit gate of seven clean days at full traffic.

Trade-offs: I'd push back on re-architecting during the move. Rehosting is faster and reversible; \
refactoring only where the managed platform forces it. That costs some savings in year one, which \
I'd write down for the sponsor.

Risks and mitigations: hidden dependencies (flow-log analysis plus a one-hour brownout before each \
cutover), stateful services (replication and a rehearsed cutover, with the old cluster kept warm \
for two weeks so we can roll back), and team capacity (VP agreement that migration is a top-two \
priority for the quarter). If a wave slips more than a week, I'd re-plan the remaining waves \
rather than compress testing.

Communication: a weekly wave review with service owners, a biweekly steering update to the VP \
of Engineering and Finance with a red/amber/green dashboard, and a Slack channel per wave. \
Anything blocked for five days goes to steering with a proposed decision.

When I ran a smaller version of this for 40 services, the pilot showed our estimate was off by \
2x for services with shared storage, so I moved those into the middle waves and we still finished \
two weeks early."""

# The migration question restated at length, with nothing added.
RESTATED = (
    "How would I plan and run the migration of 120 internal services from a self-hosted Kubernetes "
    "cluster to a managed cloud platform within nine months? That is a great question. Migrating 120 "
    "internal services from a self-hosted Kubernetes cluster to a managed cloud platform within nine "
    "months is a big job, so I would plan the migration of the 120 internal services and then run the "
    "migration of the services to the managed cloud platform. Nine months is the timeline, so the "
    "migration has to happen within nine months. With good planning and good running, the migration of "
    "120 internal services to a managed cloud platform within nine months can succeed."
)
