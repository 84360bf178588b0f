"""Demo content for Distillery: taxonomy, fictional sources and fully written briefs.

Everything here is invented for demonstration. The publications and authors do not exist,
and every address uses the reserved .example domain, so nothing real is ever contacted.
Each brief's "content" is the text of the (fictional) original piece that the brief distils.
"""

AREAS = [
    {
        "name": "Technology & Digital",
        "slug": "technology-digital",
        "description": "How software, data and AI systems are built, run, secured and paid for.",
        "subfields": [
            {
                "name": "Artificial Intelligence & Machine Learning",
                "slug": "ai-ml",
                "description": (
                    "Training, compressing, evaluating and serving machine-learning models, from research results "
                    "to production systems."
                ),
            },
            {
                "name": "Data Infrastructure",
                "slug": "data-infrastructure",
                "description": (
                    "Warehouses, lakehouses, pipelines and the facilities that run them, including what they cost "
                    "and who owns them."
                ),
            },
            {
                "name": "Software Engineering & Operations",
                "slug": "software-engineering",
                "description": (
                    "Delivery practices, internal platforms, reliability and the way engineering organisations "
                    "learn from failure."
                ),
            },
            {
                "name": "Cybersecurity",
                "slug": "cybersecurity",
                "description": (
                    "Preventing, detecting and recovering from security incidents, from leaked credentials to "
                    "supply-chain attacks."
                ),
            },
        ],
    },
    {
        "name": "Business & Strategy",
        "slug": "business-strategy",
        "description": "Decisions about organisations, people and supply that shape what a company can deliver.",
        "subfields": [
            {
                "name": "Leadership & Organisation Design",
                "slug": "leadership-organisation",
                "description": (
                    "Team structures, working arrangements and management practices, judged by evidence rather "
                    "than fashion."
                ),
            },
            {
                "name": "Operations & Supply Chain",
                "slug": "operations-supply-chain",
                "description": (
                    "Sourcing, supplier risk and the physical inputs behind products, from minerals to "
                    "manufacturing tools."
                ),
            },
        ],
    },
    {
        "name": "Science & Research",
        "slug": "science-research",
        "description": "Findings from the physical and social sciences, and the methods that make them trustworthy.",
        "subfields": [
            {
                "name": "Climate & Energy",
                "slug": "climate-energy",
                "description": "Energy storage, grids, emissions measurement and the technologies of decarbonisation.",
            },
            {
                "name": "Research Methods",
                "slug": "research-methods",
                "description": "Study design, measurement, statistics and reproducibility across empirical fields.",
            },
        ],
    },
    {
        "name": "Public Policy & Governance",
        "slug": "public-policy-governance",
        "description": "Laws, rules and public choices that constrain or enable technology and industry.",
        "subfields": [
            {
                "name": "Technology Regulation",
                "slug": "tech-regulation",
                "description": (
                    "Rules for AI, data and digital services, their timelines and what compliance involves in practice."
                ),
            },
            {
                "name": "Trade & Industrial Policy",
                "slug": "trade-industrial-policy",
                "description": (
                    "Export controls, subsidies and strategic industries, and how they reshape global supply."
                ),
            },
        ],
    },
    {
        "name": "Health & Life Sciences",
        "slug": "health-life-sciences",
        "description": (
            "Medicine, clinical practice and biomedical research, with a focus on evidence and safe adoption."
        ),
        "subfields": [
            {
                "name": "Digital Health & Clinical AI",
                "slug": "digital-health",
                "description": (
                    "Software and prediction models used in care, and how to show they help patients in a given "
                    "setting."
                ),
            },
            {
                "name": "Biomedical Research",
                "slug": "biomedical-research",
                "description": (
                    "Clinical studies and translational research, including trial design and prospective evaluation."
                ),
            },
        ],
    },
]

ROLES = [
    {
        "name": "CTO",
        "slug": "cto",
        "description": "Technology strategy, architectural bets and the cost and risk of the technical estate.",
    },
    {
        "name": "VP of Engineering",
        "slug": "vp-engineering",
        "description": (
            "Delivery, team structure, reliability and engineering practices that hold up as the organisation grows."
        ),
    },
    {
        "name": "VP of Data",
        "slug": "vp-data",
        "description": "Data platforms, governance and the economics of analytics and machine-learning infrastructure.",
    },
    {
        "name": "Director of AI/ML",
        "slug": "director-ai-ml",
        "description": (
            "Turning models into dependable products: evaluation, deployment, vendors and the teams behind them."
        ),
    },
    {
        "name": "AI Scientist",
        "slug": "ai-scientist",
        "description": "Methods, experimental evidence and the limits of published results in machine learning.",
    },
    {
        "name": "Product Leader",
        "slug": "product-leader",
        "description": "What changes for users, how to measure it, and what to build or drop next.",
    },
    {
        "name": "Executive",
        "slug": "executive",
        "description": (
            "Strategic and financial consequences, regulatory exposure and the decisions that reach the board."
        ),
    },
    {
        "name": "Policy Maker",
        "slug": "policy-maker",
        "description": "The evidence and trade-offs behind regulation, standards and public investment.",
    },
    {
        "name": "Researcher",
        "slug": "researcher",
        "description": "Study design, data quality and whether a result would survive replication.",
    },
]

TOPICS = [
    {
        "name": "Model Distillation",
        "slug": "model-distillation",
        "description": (
            "Training smaller student models to reproduce the behaviour of larger teachers, and what is lost on "
            "the way."
        ),
    },
    {
        "name": "LLM Evaluation",
        "slug": "llm-evaluation",
        "description": (
            "Benchmarks, human grading, model-based judges and online signals for judging language-model output."
        ),
    },
    {
        "name": "Inference Efficiency",
        "slug": "inference-efficiency",
        "description": "Serving models faster and cheaper: smaller models, batching, caching and decoding tricks.",
    },
    {
        "name": "ML Observability",
        "slug": "ml-observability",
        "description": "Monitoring deployed models for drift, data problems and silent degradation.",
    },
    {
        "name": "AI Regulation",
        "slug": "ai-regulation",
        "description": (
            "Laws and rules governing how AI systems are built, sold and used, with their deadlines and duties."
        ),
    },
    {
        "name": "Open-Weight Models",
        "slug": "open-weight-models",
        "description": "Models whose parameters are published, and the risks, benefits and policy choices that follow.",
    },
    {
        "name": "Data Platform Costs",
        "slug": "data-platform-costs",
        "description": "Attributing and reducing the spend of warehouses, lakehouses and pipelines.",
    },
    {
        "name": "Data Governance",
        "slug": "data-governance",
        "description": "Ownership, retention, lineage and the documentation that makes data accountable.",
    },
    {
        "name": "Platform Engineering",
        "slug": "platform-engineering",
        "description": (
            "Internal platforms and paved roads that let product teams build and run services with less effort."
        ),
    },
    {
        "name": "Incident Management",
        "slug": "incident-management",
        "description": "Responding to outages and security events, and turning postmortems into lasting fixes.",
    },
    {
        "name": "Developer Productivity",
        "slug": "developer-productivity",
        "description": "What measurably helps or hinders engineers in getting good work shipped.",
    },
    {
        "name": "Team Design",
        "slug": "team-design",
        "description": "How teams are shaped, sized and connected, and how that affects what they deliver.",
    },
    {
        "name": "Remote & Hybrid Work",
        "slug": "remote-work",
        "description": "Evidence on where people work and what it does to output, retention and learning.",
    },
    {
        "name": "Supply Chain Resilience",
        "slug": "supply-chain-resilience",
        "description": "Mapping and reducing dependence on concentrated suppliers, materials and jurisdictions.",
    },
    {
        "name": "Battery Technology",
        "slug": "battery-technology",
        "description": "Cell chemistries, their performance trade-offs and the materials they depend on.",
    },
    {
        "name": "Export Controls",
        "slug": "export-controls",
        "description": (
            "Government limits on the cross-border sale of technology, equipment, materials and model weights."
        ),
    },
    {
        "name": "Semiconductors",
        "slug": "semiconductors",
        "description": "Chip design, manufacturing equipment and the geopolitics of the semiconductor industry.",
    },
    {
        "name": "Carbon Accounting",
        "slug": "carbon-accounting",
        "description": "Methods for measuring and reporting greenhouse-gas emissions, and why their results differ.",
    },
    {
        "name": "Data Centre Energy",
        "slug": "data-centre-energy",
        "description": "Power demand, efficiency and clean-energy sourcing for computing facilities.",
    },
    {
        "name": "Clinical Validation",
        "slug": "clinical-validation",
        "description": (
            "Showing that a clinical model or device performs safely and usefully where it is actually deployed."
        ),
    },
    {
        "name": "Research Reproducibility",
        "slug": "research-reproducibility",
        "description": "Variance, replication and reporting practices that decide whether a finding holds up.",
    },
]

SOURCES = [
    {
        "name": "The Latency Ledger",
        "slug": "latency-ledger",
        "url": "https://latency-ledger.example/feed.xml",
        "site_url": "https://latency-ledger.example/",
        "description": (
            "A weekly newsletter on the engineering and economics of ML systems and data platforms, written by "
            "practitioners who run them."
        ),
        "kind": "feed",
    },
    {
        "name": "Gradient Notes",
        "slug": "gradient-notes",
        "url": "https://gradient-notes.example/feed.xml",
        "site_url": "https://gradient-notes.example/",
        "description": (
            "The research blog of an independent machine-learning lab, publishing controlled experiments on "
            "training, evaluation and inference."
        ),
        "kind": "feed",
    },
    {
        "name": "Policy Circuit",
        "slug": "policy-circuit",
        "url": "https://policy-circuit.example/feed.xml",
        "site_url": "https://policy-circuit.example/",
        "description": (
            "Analysis of technology regulation and trade policy for people who have to implement it, not just "
            "follow it."
        ),
        "kind": "feed",
    },
    {
        "name": "The Runbook Quarterly",
        "slug": "runbook-quarterly",
        "url": "https://runbook-quarterly.example/feed.xml",
        "site_url": "https://runbook-quarterly.example/",
        "description": (
            "A practitioner journal on reliability, incident response and platform engineering, built on case studies."
        ),
        "kind": "feed",
    },
    {
        "name": "Grid & Ledger",
        "slug": "grid-and-ledger",
        "url": "https://grid-and-ledger.example/feed.xml",
        "site_url": "https://grid-and-ledger.example/",
        "description": (
            "Reporting on the energy transition, industrial supply chains and the accounting behind climate claims."
        ),
        "kind": "feed",
    },
    {
        "name": "Ward Round Digital",
        "slug": "ward-round-digital",
        "url": "https://ward-round-digital.example/feed.xml",
        "site_url": "https://ward-round-digital.example/",
        "description": (
            "A clinical informatics publication where clinicians and data scientists report on deploying software "
            "in care."
        ),
        "kind": "feed",
    },
    {
        "name": "The Org Chart Review",
        "slug": "org-chart-review",
        "url": "https://org-chart-review.example/feed.xml",
        "site_url": "https://org-chart-review.example/",
        "description": (
            "A digest of management and workplace research, translated into decisions leaders actually face."
        ),
        "kind": "feed",
    },
]

BRIEFS = [
    {
        "title": "How one team distilled a 70B model into an 8B student for ticket triage",
        "slug": "distilling-70b-into-8b-ticket-triage",
        "source": "latency-ledger",
        "original_url": "https://latency-ledger.example/2026/08/distilling-a-teacher-for-ticket-triage",
        "author": "Ines Varga",
        "original_published_at": "2026-08-06T08:00:00Z",
        "status": "published",
        "level": "advanced",
        "reading_minutes": 14,
        "fields": ["ai-ml", "software-engineering"],
        "topics": ["model-distillation", "inference-efficiency", "llm-evaluation", "ml-observability"],
        "roles": ["cto", "director-ai-ml", "ai-scientist", "vp-engineering"],
        "summary": (
            "An engineering team describes replacing a 70B open-weight model with an 8B distilled student for "
            "routing roughly 40,000 support tickets a week. The student learned from the teacher's soft label "
            "distributions plus the minority of tickets that agents had corrected by hand. Serving cost dropped "
            "from about $31,000 to $6,000 a month and median latency from 2.4 seconds to 310 milliseconds. The "
            "most useful part of the write-up is a near miss: overall accuracy matched the teacher, yet the "
            "smallest queues, including fraud and legal holds, were 11 points worse until targeted oversampling "
            "and filtered synthetic data closed the gap. It is a numbers-first account of where distillation "
            "projects really spend their effort, and of why the teacher should stay on as an auditor."
        ),
        "takeaway": (
            "For CTOs and AI directors looking to distillation to cut inference bills, plan for the transfer set "
            "to be the expensive part and insist on per-slice evaluation before sign-off. Keep the teacher around "
            "after launch: having it re-label a small daily sample is cheap insurance against drift."
        ),
        "insights": [
            (
                "Headline accuracy within half a point of the teacher concealed an 11-point drop on the rare, "
                "high-stakes queues."
            ),
            (
                "Human-corrected labels, only about 9 percent of the data, carried disproportionate value in the "
                "training blend."
            ),
            (
                "Producing and cleaning teacher outputs consumed roughly three times the GPU hours of the "
                "fine-tune itself."
            ),
            (
                "A teacher re-labelling 2 percent of daily traffic flagged vocabulary drift after a product launch "
                "in week six."
            ),
        ],
        "principles": [
            (
                "A distilled student picks up the teacher's frequent behaviour before its rare behaviour, so "
                "evaluation must be sliced where errors are costly."
            ),
            (
                "Ground-truth corrections should anchor soft-label training rather than be discarded in favour of "
                "teacher outputs."
            ),
            "A larger model stays useful after distillation as a monitor, even once it no longer serves traffic.",
        ],
        "method": (
            "The teacher scored 600,000 historical tickets, and its full distribution over 23 queue labels was "
            "kept as a soft target at temperature 2. The student was trained on a weighted loss mixing those soft "
            "targets with human-corrected labels, while the five smallest queues were oversampled fourfold and "
            "topped up with 20,000 teacher-written tickets that survived a second teacher check."
        ),
        "in_practice": [
            (
                "Break every distillation evaluation down by class or segment and set a minimum bar for the rare, "
                "expensive ones."
            ),
            "Keep the teacher's full output distributions, not just its top answer, when building the transfer set.",
            "Run the retired teacher on a small random sample of live traffic and alert on disagreement.",
            "Budget GPU time for generating and filtering teacher outputs separately from the training run.",
        ],
        "content": (
            "Our support organisation handles about 40,000 inbound tickets a week, and for most of last year every "
            "one of them passed through a 70-billion-parameter open-weight model that assigned a queue, a priority "
            "and a short rationale. It worked. It also cost us roughly $31,000 a month in GPU time and added a "
            "median of 2.4 seconds before a ticket landed anywhere. This piece describes how we replaced it with "
            "an 8-billion-parameter student, and what we would do differently.\n\n"
            "We did not distil on raw tickets alone. We sampled 600,000 historical tickets, ran the teacher over "
            "each, and kept its full probability distribution over the 23 queue labels as well as its generated "
            "rationale. The student was trained on a blend: a cross-entropy term against the teacher's soft labels "
            "at temperature 2, plus a smaller term against the human-corrected label where one existed. About 9 "
            "percent of tickets had been rerouted by an agent, and those corrections turned out to be the most "
            "valuable rows in the set.\n\n"
            "The first student matched the teacher on overall accuracy within half a point and we nearly shipped "
            "it. Slicing the evaluation by queue changed our minds. On the five smallest queues, which between "
            "them carry fraud reports and legal holds, the student was 11 points worse. The average had hidden "
            "exactly the cases where a misroute is expensive. We closed most of the gap by oversampling those "
            "queues fourfold in the transfer set and by generating 20,000 synthetic tickets for them with the "
            "teacher, filtered by a second teacher pass.\n\n"
            "The production student runs on two mid-range GPUs instead of eight high-end ones. Monthly serving "
            "cost fell to about $6,000 and median latency to 310 milliseconds. We kept the teacher online for a "
            "different job: it re-labels a 2 percent random sample every day, and disagreement above a threshold "
            "pages the on-call ML engineer. That shadow loop caught a drift event in week six, when a product "
            "launch introduced vocabulary the student had never seen.\n\n"
            "Two lessons. Budget for the transfer set, not the training run: generating and cleaning teacher "
            "outputs took three times the GPU hours of fine-tuning. And never sign off a distilled model on a "
            "single headline metric, because a student learns the teacher's common behaviour first and its rare "
            "behaviour last."
        ),
    },
    {
        "title": "Postmortems that change something: track the actions, not the documents",
        "slug": "postmortems-that-change-something",
        "source": "runbook-quarterly",
        "original_url": "https://runbook-quarterly.example/2026/08/postmortem-action-items",
        "author": "Elif Demir",
        "original_published_at": "2026-08-13T15:00:00Z",
        "status": "published",
        "level": "introductory",
        "reading_minutes": 3,
        "fields": ["software-engineering", "cybersecurity"],
        "topics": ["incident-management", "developer-productivity"],
        "roles": ["vp-engineering", "cto"],
        "summary": (
            "An engineering organisation audited 140 postmortems written over 18 months and found that only 44 "
            "percent of their 312 action items were done within 90 days. Roughly one incident in five had been "
            "foreshadowed by an earlier review whose fix was still open, including two credential leaks eight "
            "months apart where secret scanning had already been recommended. The team introduced single owners, "
            "due dates and prevent, detect or mitigate labels, capped each postmortem at five actions, moved open "
            "items into the weekly operations meeting and forced a decision on anything older than 60 days. "
            "Completion within 90 days rose to 81 percent in two quarters."
        ),
        "takeaway": (
            "For engineering leaders, measure postmortem follow-through rather than postmortem quality: the "
            "closure rate of action items is the number that predicts repeat incidents. Cap the actions, review "
            "them where live incidents are reviewed, and make dropping an item an explicit, recorded choice."
        ),
        "insights": [
            "Fewer than half of postmortem actions were completed within 90 days before the changes.",
            "About 20 percent of incidents had been predicted by an earlier postmortem with an unresolved action.",
            (
                "Allowing items to be formally dropped, with a reason, shortened the backlog and created a useful "
                "decision record."
            ),
            "Closure within 90 days rose from 44 to 81 percent without any change to how postmortems were written.",
        ],
        "principles": [
            "A postmortem is the beginning of remediation work, not its conclusion.",
            "A cap on the number of actions forces prioritisation.",
            "Stale commitments should be renewed or retired deliberately, never left to drift.",
        ],
        "method": (
            "The team reviewed every postmortem and action item from an 18-month period and linked each incident "
            "to any earlier review that had anticipated it. It then changed the action-item process and tracked "
            "the share of items closed within 90 days over the next two quarters."
        ),
        "in_practice": [
            "Pull the last year of postmortem action items and compute the share closed within 90 days.",
            (
                "Limit each postmortem to five actions, each with one owner, a due date and a prevent, detect or "
                "mitigate label."
            ),
            "Put open postmortem actions on the agenda of the standing weekly operations review.",
            "Require escalation or a written drop decision for any action older than 60 days.",
        ],
        "content": (
            "We audited every postmortem our engineering organisation wrote over 18 months: 140 documents, most of "
            "them thoughtful, several excellent. Between them they listed 312 action items. Ninety days after each "
            "incident, only 44 percent of those items had been completed.\n\n"
            "The open items were not harmless. When we traced our incidents back, about one in five had a clear "
            "precursor in an earlier postmortem whose fix was still sitting in a backlog. Two of them were "
            "security incidents involving credentials committed to a repository, eight months apart, and the first "
            "postmortem had already recommended automated secret scanning.\n\n"
            "We changed four things. Every action item now has a single owner, a due date and a label saying "
            "whether it prevents, detects or mitigates a recurrence. Postmortems are capped at five actions, which "
            "forces the group to choose. Open items are reviewed in the weekly operations meeting alongside live "
            "incidents, not in a separate forum that is easy to skip. And any item older than 60 days must be "
            "either escalated to a director or explicitly dropped, with the reason written down.\n\n"
            "The explicit drop turned out to matter as much as the escalation. Many stale items had quietly lost "
            "their value, and pretending otherwise kept the backlog too long to read. Writing down why something "
            "will not be done also leaves a decision record the next incident review can use.\n\n"
            "Two quarters later, 81 percent of action items close within 90 days. The postmortems themselves have "
            "not changed much. What changed is that we now treat them as the start of a piece of work rather than "
            "the end of one."
        ),
    },
    {
        "title": "Treat the warehouse bill as a design review",
        "slug": "warehouse-bill-as-design-review",
        "source": "latency-ledger",
        "original_url": "https://latency-ledger.example/2026/08/the-warehouse-bill-is-a-design-document",
        "author": "Samir Haddad",
        "original_published_at": "2026-08-20T06:45:00Z",
        "status": "published",
        "level": "intermediate",
        "reading_minutes": 8,
        "fields": ["data-infrastructure"],
        "topics": ["data-platform-costs", "data-governance"],
        "roles": ["vp-data", "cto", "executive"],
        "summary": (
            "A data platform lead recounts cutting cloud warehouse spend by 38 percent in one quarter, after a "
            "peak month above $180,000, without removing a single report. The turning point was attribution: once "
            "every job and warehouse was tagged to an owning team and data product, it emerged that 4 percent of "
            "scheduled jobs burned about 60 percent of compute, mostly for dashboards opened once a week at most. "
            "The fixes were new defaults rather than appeals for restraint: daily refresh unless justified, "
            "mandatory incremental builds for large tables, sampled development data, 60-second auto-suspend and "
            "query timeouts. The wider argument is that the bill is a readable record of architectural decisions "
            "and belongs in design review."
        ),
        "takeaway": (
            "For data VPs and CTOs facing a growing warehouse bill, attribute spend to owners before negotiating "
            "price, because a discount recovers only a fraction of what design changes can. Change platform "
            "defaults first, then add an estimated monthly cost to every new pipeline's design review."
        ),
        "insights": [
            "A vendor discount was worth about 10 percent; fixing design choices recovered nearly four times as much.",
            "Waste was highly concentrated, with a small share of scheduled jobs accounting for most compute.",
            "Template defaults such as a 15-minute dashboard refresh quietly set the organisation's cost floor.",
            "Unit costs per dashboard or pipeline give teams figures they can own, unlike one platform-wide total.",
        ],
        "principles": [
            "Changing defaults works more reliably than asking people to change habits.",
            "Spend that is not attributed to an owner is managed by nobody.",
            "Billing data is evidence about architecture, not only a finance concern.",
        ],
        "method": (
            "The team tagged all warehouses, scheduled jobs and service accounts by owning team and data product "
            "and circulated a monthly showback report. Guided by that breakdown, it changed platform defaults for "
            "refresh frequency, incremental builds above 100 GB, development sampling, idle suspension and query "
            "timeouts, then added cost estimates to pipeline design reviews."
        ),
        "in_practice": [
            "Require an owner tag on every warehouse, job and service account, and block untagged resources.",
            "Set new dashboards to refresh daily and ask for a written reason to go faster.",
            "Point development environments at a small sample of production data.",
            "Add an estimated monthly cost field to the pipeline design review template.",
        ],
        "content": (
            "When our cloud warehouse invoice passed $180,000 for a single month, the first instinct in the room "
            "was to negotiate a bigger discount. We did that too. But the discount was worth perhaps 10 percent, "
            "and the invoice was telling us something more useful: which of our design decisions were expensive, "
            "and who had made them.\n\n"
            "The first step was attribution. We tagged every warehouse, scheduled job and service account with an "
            "owning team and a data product, and published a monthly showback report. It took three weeks and was "
            "mildly unpopular. It also showed that 4 percent of scheduled jobs consumed about 60 percent of "
            "compute, and that most of those jobs fed dashboards nobody opened more than once a week.\n\n"
            "The pattern behind the waste was consistent. Dashboards refreshed every 15 minutes because that was "
            "the default in the template. Large fact tables were rebuilt from scratch every night because "
            "incremental logic had been deferred at launch and never revisited. Development environments pointed "
            "at full production datasets. Warehouses kept running for ten minutes after the last query because "
            "nobody had changed the idle setting.\n\n"
            "We changed defaults rather than asking people to behave differently. New dashboards refresh daily "
            "unless an owner records why they need more. Any table above 100 GB must be built incrementally. "
            "Development runs against a 5 percent sample. Warehouses suspend after 60 seconds idle, and every "
            "query carries a timeout. Within one quarter spend fell 38 percent, with no reduction in the reports "
            "we deliver.\n\n"
            "The lasting change was cultural. Design reviews for new pipelines now include an estimated monthly "
            "cost next to latency and freshness, and teams see unit figures, such as cost per active dashboard, "
            "rather than one large number owned by the platform team. A cloud bill is the sum of thousands of "
            "small architectural choices. Read that way, it is one of the most honest design documents a data "
            "organisation has."
        ),
    },
    {
        "title": "Reading the EU AI Act calendar: what applies now and what still needs building",
        "slug": "eu-ai-act-calendar-high-risk",
        "source": "policy-circuit",
        "original_url": "https://policy-circuit.example/2026/08/the-ai-act-calendar-after-august",
        "author": "Clara Weiss",
        "original_published_at": "2026-08-27T11:00:00Z",
        "status": "published",
        "level": "intermediate",
        "reading_minutes": 12,
        "fields": ["tech-regulation", "ai-ml"],
        "topics": ["ai-regulation", "data-governance"],
        "roles": ["policy-maker", "executive", "cto", "director-ai-ml"],
        "role_notes": {
            "policy-maker": (
                "The dates are fixed but the standards that make them workable are not; the gap between "
                "the two is where guidance and sandboxes are most useful now."
            ),
            "executive": (
                "Ask which of your products could fall in a high-risk category and who owns the inventory: "
                "that list is the first thing an auditor or a customer will request."
            ),
        },
        "summary": (
            "Policy Circuit presents the EU AI Act's phased application as a sequence of engineering and "
            "governance tasks rather than legal milestones. Bans and AI literacy duties have applied since "
            "February 2025, obligations for general-purpose models and the penalty regime since August 2025, and "
            "the bulk of high-risk requirements under Annex III were scheduled for August 2026, with AI inside "
            "already-regulated products a year later. The author notes the Commission's late-2025 proposal to link "
            "parts of that timetable to harmonised standards, but argues the required work is the same whatever "
            "the final date. That work is substantial: risk management, data governance, logging, human oversight, "
            "quality management, conformity assessment and post-market monitoring for providers, plus log "
            "retention and, in some cases, fundamental-rights assessments for deployers."
        ),
        "takeaway": (
            "For executives, CTOs and policy staff, the first deliverable is an inventory of AI systems mapped "
            "against Annex III, including components bundled into purchased software. Do not let uncertainty over "
            "the high-risk deadline delay that mapping; the compliance work behind it takes longer than any likely "
            "postponement."
        ),
        "insights": [
            (
                "The Act switches on in stages: February 2025 for prohibitions and AI literacy, August 2025 for "
                "general-purpose models and penalties, August 2026 and 2027 for high-risk systems."
            ),
            "General-purpose models already on the market before August 2025 have until August 2027 to comply.",
            (
                "Deployers carry duties of their own, such as retaining logs for a minimum of six months and, for "
                "some, assessing fundamental-rights impact."
            ),
            (
                "Maximum fines reach 7 percent of global annual turnover for banned practices and 3 percent for "
                "most other breaches."
            ),
        ],
        "principles": [
            "A regulatory deadline fixes when work must be finished, not when it should start.",
            "Compliance begins with an accurate inventory; controls cannot be applied to systems nobody has listed.",
            (
                "Obligations attach to the use a system is put to, so the same model can be high-risk in one "
                "deployment and not another."
            ),
        ],
        "method": (
            "The article walks through the Act's application dates in order and translates each stage into the "
            "concrete duties it triggers for providers and deployers. It draws on the regulation's own text, "
            "including the Annex III list of high-risk areas and the penalty ceilings, and flags the pending "
            "proposal to adjust the high-risk schedule."
        ),
        "in_practice": [
            (
                "Compile a register of AI systems, including those embedded in vendor products, and tag each "
                "against the Annex III categories."
            ),
            (
                "Confirm that staff who build or operate AI systems are covered by an AI literacy programme, since "
                "that duty already applies."
            ),
            "Check that deployed high-risk systems retain their logs for six months or longer.",
            "Before go-live, name an owner for monitoring systems after release and for reporting serious incidents.",
        ],
        "content": (
            "The EU's AI Act was never going to arrive on a single day. It entered into force on 1 August 2024 and "
            "has been switching on in stages ever since, which is one reason so many companies remain unsure what "
            "currently applies to them. Here is the calendar as it stands, and the work each stage implies.\n\n"
            "The first obligations landed on 2 February 2025: bans on a short list of practices, such as social "
            "scoring and the untargeted scraping of facial images to build recognition databases, along with a "
            "duty on providers and deployers to ensure adequate AI literacy among their staff. Six months later, "
            "on 2 August 2025, obligations for providers of general-purpose AI models began to apply, together "
            "with the penalties regime and the new governance bodies. Models already on the market before that "
            "date have until August 2027 to comply.\n\n"
            "The heaviest block concerns the high-risk uses listed in Annex III, which covers areas such as "
            "employment, education, credit scoring, critical infrastructure, law enforcement and migration. Under "
            "the original schedule these obligations apply from 2 August 2026, with AI embedded in products "
            "already covered by EU safety legislation following a year later. In late 2025 the Commission proposed "
            "tying parts of this timetable to the availability of harmonised standards. Whatever the final dates, "
            "the substance of the work does not change, and little of it can be done in a quarter.\n\n"
            "A provider of a high-risk system needs a documented risk management process, data governance covering "
            "training and test sets, technical documentation, automatic logging, instructions for deployers, "
            "designed-in human oversight, and evidence on accuracy, robustness and cybersecurity. It also needs a "
            "quality management system, a conformity assessment, registration in the EU database, and a plan for "
            "post-market monitoring and serious-incident reporting. Deployers carry lighter but real duties, "
            "including keeping logs for at least six months and, for public bodies and some financial services, "
            "assessing the impact on fundamental rights before use.\n\n"
            "The penalties are large enough to reach the board: up to 35 million euros or 7 percent of worldwide "
            "turnover for prohibited practices, and up to 15 million euros or 3 percent for most other breaches. "
            "Companies that have not yet mapped which of their systems fall under Annex III should start there. "
            "The inventory is the prerequisite for everything else, and it is usually the step that reveals how "
            "many AI components arrived quietly inside purchased software."
        ),
    },
    {
        "title": "What a distilled student forgets: calibration and the long tail",
        "slug": "what-distilled-students-forget",
        "source": "gradient-notes",
        "original_url": "https://gradient-notes.example/2026/09/what-the-student-forgets",
        "author": "Dev Okafor",
        "original_published_at": "2026-09-02T14:00:00Z",
        "status": "published",
        "level": "expert",
        "reading_minutes": 18,
        "fields": ["ai-ml", "research-methods"],
        "topics": ["model-distillation", "llm-evaluation", "research-reproducibility"],
        "roles": ["ai-scientist", "researcher", "director-ai-ml"],
        "summary": (
            "An independent lab asks what hides in the few percent of benchmark performance that distilled models "
            "fail to keep. Distilling a 34B teacher into 1B, 3B and 7B students, it finds aggregate retention of "
            "90 to 97 percent but steep losses on rare-entity questions, where the 3B student retained just 58 "
            "percent of the teacher's accuracy. Students fine-tuned on teacher-generated text were also about "
            "twice as poorly calibrated as those matched to the teacher's full distributions, with the "
            "overconfidence concentrated in wrong answers. Across random seeds, tail accuracy swung by up to six "
            "points while headline scores barely moved. The study is a pointed challenge to how distillation "
            "recipes are usually compared and reported."
        ),
        "takeaway": (
            "For AI scientists and research leads, treat headline retention as the least informative number in a "
            "distillation result and ask for calibration and long-tail accuracy over several seeds. If a student "
            "will answer questions where confident errors are costly, prefer matching the teacher's distributions "
            "over training on its outputs alone."
        ),
        "insights": [
            (
                "Knowledge the teacher held thinly, such as facts about rarely mentioned entities, is the first to "
                "vanish in a smaller student."
            ),
            (
                "Training on teacher generations passes on answers but not the teacher's uncertainty, roughly "
                "doubling calibration error."
            ),
            (
                "Blending 20 percent original pretraining text into the transfer set won back about a third of the "
                "tail loss for one point of aggregate score."
            ),
            (
                "Seed-to-seed variation on tail metrics, up to six points, exceeds many recipe differences "
                "reported in the literature."
            ),
        ],
        "principles": [
            "Averages compress away the behaviour that separates a good student from an adequate one.",
            "A comparison is only as strong as its variance estimate; single runs support hypotheses, not conclusions.",
            "What a model imitates determines what it inherits: outputs carry answers, distributions carry confidence.",
        ],
        "method": (
            "The authors trained 1B, 3B and 7B students from a 34B teacher on one fixed 2-billion-token transfer "
            "set, comparing token-level distillation against the teacher's next-token distribution with "
            "sequence-level fine-tuning on teacher generations. Each configuration ran with three seeds and was "
            "scored on an aggregate suite, a rare-entity set (names seen fewer than 100 times in pretraining) and "
            "expected calibration error."
        ),
        "in_practice": [
            "Add a long-tail slice and a calibration metric to your distillation evaluation harness.",
            "Run at least three seeds before choosing between distillation recipes separated by a few points.",
            (
                "Test mixing some general pretraining data into the transfer set when the student needs broad "
                "factual recall."
            ),
        ],
        "content": (
            "Most distillation papers report one number: the fraction of the teacher's benchmark score that the "
            "student keeps. By that measure the technique looks close to free. We wanted to know what is being "
            "lost inside the fraction that is not kept, so we ran a controlled study and looked past the averages.\n\n"
            "We distilled a 34-billion-parameter teacher into students of 1, 3 and 7 billion parameters, all "
            "trained on the same 2-billion-token transfer set. We compared two recipes: token-level distillation, "
            "where the student matches the teacher's full next-token distribution, and sequence-level "
            "distillation, where the student is simply fine-tuned on text the teacher generated. Every "
            "configuration was trained with three random seeds.\n\n"
            "On our aggregate suite the students kept between 90 and 97 percent of the teacher's score, in line "
            "with published results. The picture changed on questions about rare entities, which we defined as "
            "names appearing fewer than 100 times in the teacher's pretraining data. There the 3B student kept "
            "only 58 percent of the teacher's accuracy. The knowledge that disappears first is the knowledge the "
            "teacher itself held most thinly.\n\n"
            "Calibration degraded too. Students trained on teacher generations were markedly overconfident: their "
            "expected calibration error was roughly double that of students trained on full distributions, and the "
            "gap sat mostly in answers that were wrong. Sequence-level distillation teaches the student what the "
            "teacher said, but not how sure the teacher was. Mixing 20 percent of original pretraining text back "
            "into the transfer set recovered about a third of the long-tail loss, at a cost of one point on the "
            "aggregate.\n\n"
            "The seed results worry us most. Aggregate scores moved by less than a point across seeds, but "
            "long-tail accuracy moved by up to six. Many recipe comparisons in the literature rest on a single run "
            "and a difference of two or three points. Our advice is to report calibration and tail performance "
            "alongside the headline score, and to treat any single-seed comparison of distillation recipes as a "
            "hypothesis rather than a result."
        ),
    },
    {
        "title": "Chip export controls have become a supply-chain planning problem",
        "slug": "chip-export-controls-supply-planning",
        "source": "policy-circuit",
        "original_url": "https://policy-circuit.example/2026/09/export-controls-are-now-a-procurement-issue",
        "author": "Owen Talbot",
        "original_published_at": "2026-09-10T08:00:00Z",
        "status": "published",
        "level": "advanced",
        "reading_minutes": 13,
        "fields": ["trade-industrial-policy", "operations-supply-chain"],
        "topics": ["export-controls", "semiconductors", "supply-chain-resilience"],
        "roles": ["policy-maker", "executive", "cto"],
        "summary": (
            "Policy Circuit argues that semiconductor export controls have outgrown the compliance office and now "
            "need to be handled as routine supply-chain risk. Since the US restrictions of October 2022, the rules "
            "have been revised in 2023 and 2024 to catch modified chips, high-bandwidth memory and more "
            "manufacturing equipment, while the Netherlands and Japan have added lithography limits and US reach "
            "extends to some foreign-made goods. China has answered with licensing and bans covering gallium, "
            "germanium and several rare earths, materials whose refining it dominates. The article recommends "
            "component-level export classification, supplier mapping below the first tier, continuous customer "
            "screening and scenario exercises, and asks governments for predictable revision cycles."
        ),
        "takeaway": (
            "For executives and CTOs with hardware exposure, put export controls into the same risk process as "
            "supplier failure and natural disasters, backed by classification and sub-tier mapping of key "
            "components. Policy makers should weigh the planning cost of frequent rule changes and favour "
            "predictable review cycles."
        ),
        "insights": [
            (
                "US controls have been revised roughly once a year since 2022, widening from advanced chips to "
                "memory and manufacturing tools."
            ),
            "Extraterritorial provisions mean a company with no US operations can still be bound by US rules.",
            "Chinese licensing of gallium, germanium and rare earths shows that controls now run in both directions.",
            "Because China refines most of the world's gallium, licensing delays alone can interrupt supply.",
        ],
        "principles": [
            "A risk that changes every year needs a standing process, not an ad hoc response.",
            "Supply-chain exposure often sits two or three tiers below the direct supplier.",
            "Predictable regulation has economic value independent of how strict the rules are.",
        ],
        "method": (
            "The article traces the sequence of US, Dutch, Japanese and Chinese measures from 2022 to 2025 and "
            "draws operational lessons from how companies adapted to them. Its recommendations are framed as steps "
            "inside an existing supply-chain risk management practice rather than a separate compliance programme."
        ),
        "in_practice": [
            "Assign and record an export classification for each significant component and production tool.",
            "Map second- and third-tier suppliers that depend on controlled materials such as gallium or germanium.",
            "Turn customer and end-use screening from a one-off onboarding check into a continuous process.",
            "Run a six-month unavailability scenario for the material your most exposed product line depends on.",
        ],
        "content": (
            "For most of the past three decades, export controls on semiconductors were a matter for a small "
            "number of specialist compliance officers. That arrangement no longer holds. Since October 2022, when "
            "the United States restricted sales of advanced computing chips and chipmaking equipment to China, the "
            "rules have been revised at least once a year, other governments have added measures of their own, and "
            "the affected items now reach well beyond leading-edge processors.\n\n"
            "The US framework was tightened in October 2023 to close gaps that had allowed slightly modified chips "
            "to be sold, and again in December 2024, when high-bandwidth memory and further categories of "
            "manufacturing equipment were added along with a long list of Chinese entities. The Netherlands and "
            "Japan introduced their own restrictions on advanced lithography and related tools in 2023. US rules "
            "also extend to some foreign-made products built with US technology, so a company with no American "
            "operations can still be bound by them.\n\n"
            "Controls now run in the other direction too. China placed exports of gallium and germanium, used in "
            "compound semiconductors and optical components, under licensing in August 2023, barred their shipment "
            "to the United States in December 2024, and extended licensing to several rare earth elements in 2025. "
            "China produces the large majority of the world's refined gallium, so licensing delays alone can "
            "disrupt supply.\n\n"
            "For manufacturers and large buyers of hardware, the practical implication is that export controls "
            "belong in supply-chain risk management alongside natural disasters and supplier insolvency. That "
            "means knowing the export classification of every significant component and tool, mapping which "
            "suppliers depend on controlled equipment or materials at the second and third tier, and screening "
            "customers and end uses continuously rather than only at onboarding.\n\n"
            "It also means scenario planning. A credible exercise asks what happens if a given material becomes "
            "unavailable for six months, if a key customer is added to a restricted list, or if a product falls "
            "under a new performance threshold. In our reporting, companies that had run such exercises before "
            "2023 adjusted in weeks; those that had not often spent quarters rebuilding their bills of materials. "
            "Policy makers, for their part, should recognise that frequent revisions impose real planning costs, "
            "and that predictable review cycles would reduce them without weakening the controls."
        ),
    },
    {
        "title": "Offline benchmarks are not enough: evaluating LLM features after they ship",
        "slug": "evaluating-llm-features-after-launch",
        "source": "latency-ledger",
        "original_url": "https://latency-ledger.example/2026/09/your-eval-set-is-a-museum",
        "author": "Lucia Brandt",
        "original_published_at": "2026-09-17T07:30:00Z",
        "status": "published",
        "level": "intermediate",
        "reading_minutes": 9,
        "fields": ["ai-ml", "software-engineering"],
        "topics": ["llm-evaluation", "ml-observability"],
        "roles": ["cto", "vp-engineering", "product-leader", "director-ai-ml"],
        "role_notes": {
            "cto": (
                "Fund the plumbing before the next model upgrade: production sampling, behavioural signals "
                "and a weekly grading slot cost little and tell you whether an upgrade helped anyone."
            ),
            "product-leader": (
                "Name the user behaviour each release should move, such as fewer regenerations, and make "
                "that the launch criterion instead of a benchmark delta."
            ),
        },
        "summary": (
            "This practitioner essay argues that an evaluation set frozen at launch soon measures the product a "
            "team imagined rather than the one people use. Its evidence is a contract-summarisation feature where "
            "a model upgrade scored four points higher offline yet pushed the regenerate rate from 12 to 19 "
            "percent, because the new model's longer, more hedged output pleased graders more than users. The "
            "author's team now combines a regression suite refreshed monthly from production, implicit behavioural "
            "signals on every response, weekly human grading of a small sample, and guardrails such as latency and "
            "cost per task. The framework is unglamorous, which is its strength: it borrows experimentation habits "
            "web teams already have."
        ),
        "takeaway": (
            "For CTOs, engineering VPs and product leaders running LLM features, treat the offline benchmark as a "
            "regression check, not a launch verdict. Decide before each rollout which user-behaviour metric should "
            "move, and version prompts, models and eval sets together so changes stay comparable."
        ),
        "insights": [
            (
                "Offline scores and user satisfaction can move in opposite directions when graders reward "
                "qualities users do not want, such as exhaustive detail."
            ),
            (
                "Regeneration, copying, editing and abandonment rates are weak signals one by one but dependable "
                "early warnings together."
            ),
            (
                "Rotating around 300 production-sampled cases into the suite each month keeps the benchmark tied "
                "to real usage."
            ),
            (
                "Operational guardrails, namely p95 latency, refusal rate and cost per completed task, belong "
                "beside quality metrics."
            ),
        ],
        "principles": [
            "An evaluation set is a snapshot of expected use and decays as real use drifts away from it.",
            "A change should name its success metric before it ships, not after.",
            "Fluent failures are harder to notice than crashes, so they need deliberate instrumentation.",
        ],
        "method": (
            "The team layers four checks: a regression suite topped up monthly with production samples and pruned "
            "of cases nobody has failed in a year; logging of implicit user actions on each response; weekly "
            "rubric-based grading of a 1 percent random sample; and operational guardrail metrics. Prompts, model "
            "versions and eval sets share one version number, so every change has a like-for-like comparison."
        ),
        "in_practice": [
            "Instrument regenerate, copy, edit-before-send and abandonment events on every model response.",
            "Schedule a monthly job that samples production queries into the regression suite and retires stale cases.",
            "Write the expected movement of one online metric into each model or prompt change request.",
            "Draft the human review rubric with the product team rather than the ML team alone.",
        ],
        "content": (
            "Every team shipping a language-model feature builds an evaluation set before launch. Few keep it "
            "alive afterwards. Six months on, that set describes the questions users were expected to ask, not the "
            "ones they actually ask, and it quietly becomes a museum piece that every new model passes with "
            "honours.\n\n"
            "We learned this on a contract-summarisation feature. A model upgrade lifted our offline score by four "
            "points, and we shipped it with some pride. Within a fortnight the share of users hitting regenerate "
            "climbed from 12 to 19 percent. The new model wrote longer, more hedged summaries. Our graders, human "
            "and automated, had rewarded completeness; our users wanted something they could paste into an email.\n\n"
            "We now run evaluation in four layers. The offline regression suite stays, but every month we add "
            "about 300 cases sampled from production and retire cases no one has failed in a year. Second, we log "
            "implicit signals for every response: whether it was regenerated, copied, edited before sending and by "
            "how much, or abandoned. None of these is a quality score on its own, but sharp movements in any of "
            "them have preceded every real regression we have had. Third, reviewers grade a 1 percent random "
            "sample each week against a short rubric written with the product team. Fourth, we watch guardrails "
            "that have nothing to do with quality: p95 latency, cost per completed task and refusal rate.\n\n"
            "Two practices make the layers work together. Prompts, model versions and eval sets are versioned as "
            "one unit, so a change to any of them produces a comparable before and after. And every launch "
            "decision names its online metric in advance; if regeneration rate is the signal we expect to move, we "
            "say so before the rollout, not after.\n\n"
            "None of this is exotic. It is the discipline web teams adopted for A/B testing a decade ago, applied "
            "to a component whose failures are fluent and therefore easy to miss."
        ),
    },
    {
        "title": "Platform teams succeed when they run like product teams",
        "slug": "platform-team-design-product-mindset",
        "source": "runbook-quarterly",
        "original_url": "https://runbook-quarterly.example/2026/09/the-platform-team-is-a-product-team",
        "author": "Jonas Feld",
        "original_published_at": "2026-09-24T13:00:00Z",
        "status": "published",
        "level": "intermediate",
        "reading_minutes": 11,
        "fields": ["software-engineering", "leadership-organisation"],
        "topics": ["platform-engineering", "team-design", "developer-productivity"],
        "roles": ["vp-engineering", "cto", "product-leader"],
        "summary": (
            "Drawing on reviews of platform engineering programmes at 23 organisations, the author finds that only "
            "about half could show they had eased the load on product teams, and that the difference came down to "
            "team design rather than tooling. Successful platform teams operated as internal product teams, with "
            "someone owning the roadmap and the user conversations, and measured adoption and lead time instead of "
            "tools delivered. Compulsory golden paths backfired by suppressing feedback, while optional paths that "
            "were clearly easier won adoption. Effective platform groups made up 8 to 15 percent of engineering, "
            "offered self-service capabilities with defined support, and kept close collaboration for time-boxed "
            "onboarding."
        ),
        "takeaway": (
            "For engineering VPs and CTOs setting up or rescuing a platform team, appoint a product owner from the "
            "start and pick two or three user-outcome metrics before building anything. Keep the paved road "
            "optional but make it the path of least resistance; the teams that opt out are telling you what to "
            "build next."
        ),
        "insights": [
            "Only about half of the platform programmes reviewed could demonstrate a lighter load on product teams.",
            "Roadmaps driven by engineers' interests or top-down migrations went with weaker results.",
            "Compulsory golden paths produced nominal compliance and workarounds, and cut off user feedback.",
            (
                "Platform groups below 8 percent of engineering became ticket queues; above 15 percent they built "
                "products nobody requested."
            ),
        ],
        "principles": [
            "An internal platform is a product and needs product management.",
            "Optional adoption generates the feedback a platform needs to improve.",
            "Start with the smallest platform that removes a measured pain.",
        ],
        "method": (
            "Over two years the author's team reviewed platform programmes at 23 organisations with between 80 and "
            "roughly 3,000 engineers. It contrasted the programmes that could show reduced cognitive load on "
            "product teams with those that could not, looking at ownership, metrics, adoption policy, sizing and "
            "how platform and product teams worked together."
        ),
        "in_practice": [
            "Give the platform team a product manager, or a senior engineer with explicit product ownership.",
            "Make time-to-production for a new service a primary platform metric.",
            "Interview every team that opts out of the golden path and log their reasons as requirements.",
            "Define self-service interfaces and support hours, and time-box any embedded collaboration.",
        ],
        "content": (
            "Over the past two years we have reviewed platform engineering programmes at 23 organisations, ranging "
            "from 80 to about 3,000 engineers. Most had created a central platform team with a similar mandate: "
            "reduce the cognitive load on product teams by providing paved roads for building, deploying and "
            "operating services. Roughly half could show that they had done so. The differences between the two "
            "halves were mostly about team design, not technology.\n\n"
            "The successful platform teams behaved like product teams. Each had someone, usually a dedicated "
            "product manager and occasionally a senior engineer with that remit, whose job was to talk to internal "
            "users, maintain a roadmap and say no. They measured themselves on adoption and on outcomes their "
            "users cared about, such as the time for a new service to reach production, rather than on the number "
            "of tools shipped. In the less successful group, the roadmap was set by what the platform engineers "
            "found interesting or by whichever migration leadership had announced most recently.\n\n"
            "Mandates were a warning sign. Where the golden path was compulsory, teams complied and then routed "
            "around it, and the platform team lost the feedback that optional adoption provides. The strongest "
            "programmes kept their paved road optional but made it clearly the easiest route, and treated every "
            "team that chose otherwise as a source of requirements.\n\n"
            "Sizing mattered less than we expected, within limits. Successful platform groups made up between 8 "
            "and 15 percent of engineering headcount. Below that they became a ticket queue; above it they tended "
            "to build internal products nobody had asked for. More important was a clear interface: the best teams "
            "offered capabilities as self-service, with documentation and defined support hours, and reserved "
            "close collaboration for time-boxed engagements when onboarding a new team or capability.\n\n"
            "If you are forming a platform team, start with the thinnest platform that removes a real, measured "
            "pain, such as the two weeks it takes to provision a new service. Staff it with a product owner from "
            "day one. And decide in advance which two or three numbers will tell you whether your product "
            "engineers are better off."
        ),
    },
    {
        "title": "External validation is where clinical AI claims meet reality",
        "slug": "clinical-ai-external-validation",
        "source": "ward-round-digital",
        "original_url": "https://ward-round-digital.example/2026/09/the-validation-gap-in-clinical-ai",
        "author": "Anja Richter",
        "original_published_at": "2026-09-29T06:00:00Z",
        "status": "published",
        "level": "advanced",
        "reading_minutes": 16,
        "fields": ["digital-health", "ai-ml"],
        "topics": ["clinical-validation", "research-reproducibility", "ml-observability"],
        "roles": ["director-ai-ml", "executive", "researcher", "policy-maker"],
        "summary": (
            "Ward Round Digital argues that clinical AI routinely reaches new hospitals without evidence that its "
            "performance travels from the site where it was developed. The central example is a widely deployed "
            "proprietary sepsis model whose independent evaluation in 2021 found an AUC of 0.63, with about "
            "two-thirds of cases missed and alerts raised on nearly a fifth of inpatients. The author proposes a "
            "five-rung validation ladder running from internal and temporal validation through external testing "
            "and silent prospective deployment to impact studies. It also names the usual causes of degradation: "
            "different populations, different equipment, drifting labels and models that learn clinicians' own "
            "actions. Buyers and regulators, the piece concludes, hold leverage they are not using."
        ),
        "takeaway": (
            "For health-system executives and AI directors procuring clinical models, make local validation with "
            "subgroup results a condition of go-live and write ongoing access to performance data into the "
            "contract. Researchers and regulators should describe evidence by the rung it reached and expect "
            "multi-site results for higher-risk uses."
        ),
        "insights": [
            (
                "A sepsis model used across hundreds of hospitals scored an AUC of 0.63 in an independent "
                "evaluation, well under its developer's reported figures."
            ),
            (
                "Models that partly learn clinician behaviour, such as test orders, look accurate mainly where "
                "clinicians already suspect the condition."
            ),
            (
                "Silent prospective deployment exposes problems in the live data pipeline that retrospective "
                "validation cannot reach."
            ),
            (
                "Most AI devices cleared by the FDA were evaluated retrospectively, and many public summaries "
                "report no multi-site testing."
            ),
        ],
        "principles": [
            "Performance belongs to a model in a setting, not to the model alone.",
            "Evidence claims should state how far up the validation ladder a model has climbed.",
            "Calibration has to be monitored after deployment rather than assumed to hold.",
        ],
        "method": (
            "The article draws on published external validations and reviews of regulator-cleared AI devices, and "
            "arranges validation into five stages of increasing rigour: internal, temporal, external, silent "
            "prospective and impact study. It then links the common causes of performance loss to the stage at "
            "which each is most likely to surface."
        ),
        "in_practice": [
            (
                "Require site-specific validation, broken down by age, sex and ethnicity, before any clinical "
                "model goes live."
            ),
            "Negotiate contract terms that guarantee continuing access to model performance data.",
            "Run new models silently on live data for a defined period before exposing their outputs to clinicians.",
            "Check whether a model's inputs include clinician actions that leak the outcome it is meant to predict.",
        ],
        "content": (
            "Most clinical prediction models look best in the hospital where they were built. That is not a "
            "scandal; it is what happens when a model learns the particular population, equipment, coding habits "
            "and care patterns of one institution. The problem is how often models reach other hospitals without "
            "anyone checking how much of that performance travels.\n\n"
            "The best-known cautionary case is a proprietary sepsis prediction tool deployed across hundreds of US "
            "hospitals. When researchers at one large academic centre evaluated it independently in 2021, it "
            "achieved an area under the curve of 0.63, well below the figures its developer had reported. It "
            "missed about two-thirds of sepsis cases and raised alerts on nearly a fifth of all hospitalised "
            "patients. Reviews of AI devices cleared by the US Food and Drug Administration tell a similar story "
            "at scale: most were evaluated retrospectively, and many of the public summaries do not mention "
            "testing at more than one site.\n\n"
            "It helps to think of validation as a ladder. Internal validation on held-out data from the same site "
            "is the bottom rung. Temporal validation on later data from that site checks whether performance "
            "survives change over time. External validation at different hospitals tests transportability. A "
            "silent prospective deployment, in which the model runs on live data but its outputs are hidden from "
            "clinicians, tests the real data pipeline. Only an impact study, ideally randomised or stepped-wedge, "
            "shows whether patients are better off.\n\n"
            "Performance drops between rungs for identifiable reasons. Patient populations differ. Imaging models "
            "meet scanners from other manufacturers. Labels drift because the diagnosis being predicted is coded "
            "differently. And some models partly learn clinicians' own actions, such as a blood culture being "
            "ordered, so they perform well only where clinicians already suspect the condition.\n\n"
            "Hospitals buying these systems have more leverage than they use. They can require local validation, "
            "including performance by age, sex and ethnicity, before go-live; insist on contract terms that give "
            "them ongoing access to performance data; and monitor calibration after deployment rather than "
            "assuming it holds. Regulators can help by making multi-site evidence a normal expectation for "
            "higher-risk indications. A model that has only climbed the bottom rung should be described that way."
        ),
    },
    {
        "title": "LFP, sodium-ion and the new geography of battery supply",
        "slug": "battery-chemistry-supply-geography",
        "source": "grid-and-ledger",
        "original_url": "https://grid-and-ledger.example/2026/10/battery-chemistry-is-supply-strategy",
        "author": "Ruth Adeyemi",
        "original_published_at": "2026-10-01T07:00:00Z",
        "status": "published",
        "level": "intermediate",
        "reading_minutes": 9,
        "fields": ["climate-energy", "operations-supply-chain", "trade-industrial-policy"],
        "topics": ["battery-technology", "supply-chain-resilience"],
        "roles": ["executive", "policy-maker", "product-leader"],
        "summary": (
            "Grid & Ledger argues that choosing a battery chemistry is now as much a sourcing decision as an "
            "engineering one. LFP, which now supplies nearly half of new electric cars and the bulk of new grid "
            "storage, removes nickel and cobalt risk but depends almost entirely on Chinese cathode and graphite "
            "supply. Sodium-ion removes lithium as well and suits grid storage and small vehicles, yet early "
            "production is also concentrated in China, so it diversifies materials before it diversifies "
            "geography. Meanwhile the EU's battery passport, due from February 2027, will demand origin and "
            "composition data down to the materials level."
        ),
        "takeaway": (
            "For executives and product leaders who buy or build with batteries, qualify a second chemistry for "
            "each major product line and start building material-level traceability before the EU passport "
            "deadline. Policy makers seeking resilience should target cathode, anode and refining capacity rather "
            "than cell assembly."
        ),
        "insights": [
            (
                "Moving from nickel-based chemistries to LFP swaps exposure to Congo and Indonesia for exposure to "
                "Chinese processing."
            ),
            "LFP's cost advantage contributed to a fall of roughly a fifth in average pack prices during 2024.",
            (
                "Sodium-ion's lower energy density points it at storage, two-wheelers and small city cars rather "
                "than long-range vehicles."
            ),
            (
                "Cell assembly relocates relatively easily; refining and electrode-material plants are where "
                "concentration lasts longest."
            ),
        ],
        "principles": [
            "Diversifying inputs does not automatically diversify suppliers or geography.",
            "Traceability requirements are easiest to meet when they are built into procurement early.",
            "Public investment has most leverage at the slowest-to-build, most concentrated stages of a supply chain.",
        ],
        "method": (
            "The analysis compares LFP, nickel-based lithium-ion and sodium-ion cells on performance and on where "
            "their key materials are mined and processed. It then overlays EU and US rules on battery traceability "
            "and sourcing to derive recommendations for buyers and governments."
        ),
        "in_practice": [
            "Qualify at least two battery chemistries per major product line, even if one supplies only a small share.",
            "Ask cell suppliers now for material-origin data at the level the EU battery passport will require.",
            "Evaluate sodium-ion for stationary storage or cold-climate uses where energy density matters less.",
        ],
        "content": (
            "For a decade the choice of battery chemistry was treated as an engineering decision: energy density "
            "against cost against cycle life. It has become a supply-chain decision as well, and for many buyers "
            "the more important one.\n\n"
            "Lithium iron phosphate, or LFP, is the clearest example. It avoids nickel and cobalt, tolerates heat "
            "better and lasts longer under daily cycling, and its cost advantage helped pull average pack prices "
            "down by about a fifth in 2024. It has taken close to half the global electric-vehicle market and most "
            "new stationary storage. But nearly all LFP cathode material is produced in China, and so is the "
            "overwhelming majority of battery-grade graphite for anodes. A buyer who moves to LFP to escape cobalt "
            "exposure in the Democratic Republic of Congo and nickel exposure in Indonesia trades one "
            "concentration for another.\n\n"
            "Sodium-ion cells are the next candidate for diversification. They need no lithium, nickel or cobalt, "
            "use abundant materials and perform well in the cold. Their energy density is lower, which suits them "
            "to grid storage, two-wheelers and small urban cars rather than long-range vehicles. The first "
            "commercial products are, again, coming mainly from Chinese manufacturers, so the chemistry "
            "diversifies raw materials sooner than it diversifies geography.\n\n"
            "Regulation is adding a traceability layer on top. The EU Battery Regulation requires carbon-footprint "
            "declarations and, from February 2027, a digital battery passport for electric-vehicle, "
            "light-transport and large industrial batteries, recording origin and composition. In the United "
            "States, consumer tax credits for electric vehicles were, until they ended in 2025, conditional on "
            "where battery components and critical minerals came from.\n\n"
            "The practical lesson for manufacturers and large buyers is to qualify at least two chemistries for "
            "each major product line, even if one is used only at the margin, and to invest now in the "
            "material-level traceability that passports will demand. For governments, the leverage lies less in "
            "cell assembly, which is relatively mobile, than in cathode, anode and refining capacity, where "
            "concentration is greatest and new plants take longest to build."
        ),
    },
    {
        "title": "Model-based judges agree with themselves more than with your users",
        "slug": "llm-judges-agreement-gap",
        "source": "gradient-notes",
        "original_url": "https://gradient-notes.example/2026/10/grading-the-graders",
        "author": "Hannah Lindqvist",
        "original_published_at": "2026-10-08T10:00:00Z",
        "status": "published",
        "level": "advanced",
        "reading_minutes": 7,
        "fields": ["ai-ml", "research-methods"],
        "topics": ["llm-evaluation", "research-reproducibility"],
        "roles": ["ai-scientist", "researcher", "product-leader", "director-ai-ml"],
        "summary": (
            "Researchers measured how closely a model-based judge tracks human graders on 2,400 answer pairs drawn "
            "from customer-support traffic. With a naive prompt the judge sided with the human majority in 71 "
            "percent of pairs, against 78 percent agreement among the humans themselves. Most of the shortfall "
            "traced to three biases: favouring the answer shown first, favouring the longer answer, and favouring "
            "candidates from the judge's own model family. Order swapping, explicit rubrics with reference "
            "answers, and judges from a different family each narrowed the gap, and the rubric did more than "
            "doubling the judge's size. The piece turns a common shortcut into a checklist of controls."
        ),
        "takeaway": (
            "For AI scientists and product leaders relying on automated judges, calibrate each judge on a few "
            "hundred human-labelled examples of your own task and report agreement with a confidence interval. "
            "Discount close verdicts that flip when answer order is swapped, and never let a model family grade "
            "itself."
        ),
        "insights": [
            "On pairs of similar quality, the judge chose the first-listed answer 61 percent of the time.",
            "Where humans saw a tie, the judge favoured the longer answer in 64 percent of cases.",
            "Candidates from the judge's own model family gained about nine points of win rate.",
            "A rubric plus reference answer lifted agreement more than switching to a judge twice as large.",
        ],
        "principles": [
            "An automated metric is valid only relative to a human baseline measured on the same task.",
            "Procedural controls such as counterbalancing order remove bias more cheaply than bigger models.",
            "Evaluation tooling needs re-validation whenever any of its components change.",
        ],
        "method": (
            "The study gathered 2,400 pairs of support answers, each labelled by three trained annotators, and "
            "compared the human majority verdict with that of a judge model prompted in several different ways. "
            "The interventions tested were double grading with the order swapped and inconsistent verdicts "
            "discarded, rubric-plus-reference prompts, a judge twice the size, and judges from a family different "
            "from every candidate."
        ),
        "in_practice": [
            "Grade every pairwise comparison in both orders and count inconsistent verdicts as ties.",
            "Build a task-specific calibration set of a few hundred human-labelled items before trusting a judge.",
            "Pick a judge from a different model family than any system under test.",
            "Repeat the calibration whenever the judge's model version or prompt changes.",
        ],
        "content": (
            "Automated judges, where one language model grades the output of another, have become the default way "
            "to evaluate generative systems at scale. They are cheap and fast, and they correlate with human "
            "preference well enough to be useful. Our question was narrower: where exactly do they disagree with "
            "people, and can that disagreement be reduced?\n\n"
            "We assembled 2,400 pairs of answers to real customer-support questions, each pair graded by three "
            "trained annotators and by a judge model under several prompt designs. Individual annotators agreed "
            "with the human majority verdict 78 percent of the time. The judge, given a plain 'which answer is "
            "better' prompt, agreed with the human majority 71 percent of the time.\n\n"
            "Three biases account for most of the gap. Position: when the two answers were of similar quality by "
            "human rating, the judge picked whichever came first 61 percent of the time. Length: in pairs the "
            "humans called a tie, it preferred the longer answer 64 percent of the time. Family: when one "
            "candidate came from the same model family as the judge, that candidate's win rate rose by nine "
            "points.\n\n"
            "Some fixes work better than others. Running each comparison twice with the order swapped, and keeping "
            "only consistent verdicts, raised agreement to 76 percent, though 18 percent of pairs then ended as "
            "ties. Giving the judge an explicit rubric and a reference answer improved agreement more than "
            "replacing it with a model twice the size. Using a judge from a different family from every candidate "
            "removed the self-preference effect.\n\n"
            "Our recommendations are procedural. Calibrate every judge against a human-labelled sample of a few "
            "hundred items for the specific task, and publish the agreement rate with a confidence interval. "
            "Repeat the calibration whenever the judge model or its prompt changes. And treat a judge's verdict on "
            "a close comparison as noise unless it survives an order swap."
        ),
    },
    {
        "title": "Open weights are not one policy question but three",
        "slug": "open-weights-three-policy-questions",
        "source": "policy-circuit",
        "original_url": "https://policy-circuit.example/2026/10/three-questions-about-open-weights",
        "author": "Kofi Mensah-Bright",
        "original_published_at": "2026-10-15T12:30:00Z",
        "status": "in_review",
        "level": "advanced",
        "reading_minutes": 10,
        "fields": ["tech-regulation", "ai-ml", "trade-industrial-policy"],
        "topics": ["open-weight-models", "ai-regulation", "export-controls"],
        "roles": ["policy-maker", "ai-scientist", "executive", "cto"],
        "role_notes": {
            "cto": (
                "Treat the licence, the provenance record and the misuse policy of an open model as three "
                "separate checks in procurement; passing one says nothing about the others."
            ),
        },
        "summary": (
            "This policy essay contends that the open-weight debate stalls because it merges three distinct "
            "issues: the marginal risk a release adds, the irreversibility of publishing weights, and the economic "
            "and sovereignty value of models that organisations can run themselves. Each calls for a different "
            "tool: targeted capability testing before release for the first, staged release through an API ahead "
            "of publishing weights for the second, and procurement, research funding and public compute for the "
            "third. The author shows that existing rules already draw these lines, if unevenly, citing the EU AI "
            "Act's partial relief for open general-purpose models below the systemic-risk presumption and a "
            "short-lived US export rule that left published weights out of scope. The framework works as a quick "
            "test of whether a proposal is aimed at the concern it claims to address."
        ),
        "takeaway": (
            "For policy makers and executives forming positions on open weights, ask which of the three questions "
            "a proposal targets before judging it. Release restrictions are a blunt answer to risks better handled "
            "by capability testing, and they carry economic costs that a risk-only framing tends to miss."
        ),
        "insights": [
            (
                "For most capabilities, an open release adds little beyond what closed APIs, older open models and "
                "public information already allow."
            ),
            (
                "Because published weights cannot be withdrawn and safety tuning can be stripped, release is a "
                "one-time threshold decision."
            ),
            "Staged release keeps the decision reversible for a period while real-world misuse is observed.",
            (
                "The EU AI Act's relief for openly released models disappears once a model falls under the "
                "systemic-risk presumption, which is tied to 10^25 training operations."
            ),
        ],
        "principles": [
            "A policy instrument should be matched to the specific harm or benefit it is meant to address.",
            "Irreversible decisions warrant evidence gathered while alternatives are still open.",
            "Diffuse benefits need explicit accounting or they lose out to concentrated, vivid risks.",
        ],
        "method": (
            "The piece is an analytical argument rather than an empirical study. It splits the open-weight "
            "question into three components, pairs each with a policy instrument, and tests the framework against "
            "the EU AI Act's treatment of open general-purpose models and a rescinded 2025 US export rule on model "
            "weights."
        ),
        "in_practice": [
            (
                "When reviewing a proposed open-weight rule, label it as addressing marginal risk, irreversibility "
                "or economic value."
            ),
            "Build a staged-release option into model launch plans where pre-release evaluation leaves open questions.",
            (
                "Count public benefits such as local hosting and language adaptation in any impact assessment of "
                "release limits."
            ),
        ],
        "content": (
            "Arguments about open-weight AI models tend to generate more heat than light because they bundle "
            "together three separate questions. Pulling them apart does not settle the debate, but it does show "
            "which policy tools fit which concern.\n\n"
            "The first question is marginal risk. What can someone do with a released model that they could not "
            "already do with closed models behind an API, with earlier open models, or with a search engine and a "
            "textbook? For most capabilities the honest answer is very little. For a narrow set, such as "
            "meaningful uplift toward biological or cyber attacks, the answer depends on the model and can only be "
            "established by testing before release. Pre-deployment evaluations aimed at those specific "
            "capabilities are the instrument that matches this question.\n\n"
            "The second question is irreversibility. A hosted model can be patched, rate-limited or withdrawn. "
            "Published weights cannot be recalled, and safety fine-tuning can be removed by anyone with modest "
            "compute. That makes release a threshold decision rather than an ongoing one. Staged release, in which "
            "a model is served through an API for a period before its weights are published, lets developers and "
            "researchers observe misuse while the decision can still be reversed.\n\n"
            "The third question is economic. Open weights let hospitals, ministries and small companies run models "
            "on their own hardware, inspect them, adapt them to local languages and avoid dependence on a handful "
            "of vendors. These benefits are real, diffuse and easy to undercount in a debate framed purely around "
            "risk. They are best supported through procurement rules, research funding and public compute, not "
            "through release restrictions.\n\n"
            "Existing rules already reflect this split, if unevenly. The EU AI Act relieves providers of openly "
            "released general-purpose models from some documentation duties, but not when a model is presumed to "
            "carry systemic risk, a presumption linked to a training-compute threshold of 10^25 operations. In the "
            "United States, a January 2025 rule that would have controlled exports of certain closed model weights "
            "explicitly left published weights outside its scope, and was itself rescinded a few months later.\n\n"
            "Policy makers who treat open weights as a single yes-or-no question will get the trade-offs wrong in "
            "both directions. Asking which of the three questions a proposal addresses is a cheap test of whether "
            "it is well aimed."
        ),
    },
    {
        "title": "A lifecycle policy for the lakehouse tables nobody reads",
        "slug": "lakehouse-table-lifecycle-policy",
        "source": "latency-ledger",
        "original_url": "https://latency-ledger.example/2026/10/retire-tables-not-people",
        "author": "Marta Quiroga",
        "original_published_at": "2026-10-22T09:15:00Z",
        "status": "draft",
        "level": "introductory",
        "reading_minutes": 4,
        "fields": ["data-infrastructure"],
        "topics": ["data-governance", "data-platform-costs"],
        "roles": ["vp-data", "vp-engineering", "cto"],
        "summary": (
            "This short piece sets out a three-stage retirement policy for lakehouse tables, prompted by the "
            "discovery that 41 percent of some 14,000 tables had gone unread for six months. The author argues "
            "that storage is the smallest cost of stale tables: they widen the scope of privacy audits, mislead "
            "analysts and complicate every upstream schema change. The policy pairs mandatory ownership and "
            "retention with a notice after 90 idle days, revoked access 30 days later and deletion after 60 more. "
            "Revoking access before deleting anything turns an argument into a test, and on the first pass only "
            "two of roughly 5,700 revoked tables were requested back."
        ),
        "takeaway": (
            "For data and engineering leaders, a reversible revocation step makes table clean-up politically easy "
            "because it replaces opinions about what is needed with evidence. Start by requiring an owner and a "
            "retention period on every table, then automate the notices."
        ),
        "insights": [
            "Unread tables carry compliance and maintenance costs that dwarf their storage bill.",
            "Withdrawing read access while keeping the data lets real demand settle disputes about what matters.",
            "About 5,700 tables were revoked in the first cycle, and only two were asked for again.",
            "Orphaned tables need a default owner, or the policy stalls at the notice stage.",
        ],
        "principles": [
            "Reversible steps lower the cost of acting on incomplete information.",
            "Every dataset needs an accountable owner and an explicit end of life.",
        ],
        "method": (
            "The team measured read activity from query logs, then required each table to declare an owner and "
            "retention period. Tables idle for 90 days trigger notices to owners and recent readers, lose read "
            "access after a further 30 days without objection, and are dropped 60 days after that, apart from "
            "snapshots kept for legal holds."
        ),
        "in_practice": [
            "Run a query-log report of tables unread in the last 180 days to size the problem.",
            "Make owner and retention period mandatory metadata when a table is created.",
            "Revoke access before deleting, and track restore requests as the policy's error rate.",
        ],
        "content": (
            "Our lakehouse held a little over 14,000 tables when we first counted. Query logs showed that 41 "
            "percent of them had not been read by anyone or anything in the previous 180 days. The storage was "
            "cheap. The tables were not.\n\n"
            "Unread tables cost money in less visible ways. Each one is a place where personal data might sit "
            "outside any retention rule, which widens the scope of every privacy audit. Each one turns up in "
            "search results and tempts an analyst into building on a dataset nobody maintains. And each one has to "
            "be checked when an upstream schema changes, because nobody can say for certain that it is safe to "
            "break.\n\n"
            "The policy we adopted is deliberately simple. Every table must have a named owner and a declared "
            "retention period. A table that goes unread for 90 days triggers a notice to its owner and to anyone "
            "who has queried it in the past year. If nobody objects within 30 days, read access is revoked but the "
            "data stays in place. After another 60 days the table is dropped, and only a snapshot required by a "
            "legal hold survives.\n\n"
            "The revocation step is the important one. It converts an argument about whether something is needed "
            "into an experiment: if a table matters, someone will ask for it back. On the first full run, about "
            "5,700 tables reached revocation. We received two restore requests.\n\n"
            "Ownership is the part that needs ongoing effort. Tables created by departed employees or retired "
            "services default to the lead of the team that owned them, who can reassign the table or accept the "
            "notice. Nobody enjoys that inbox, but it is far smaller than the alternative."
        ),
    },
    {
        "title": "What the best evidence says about hybrid work and productivity",
        "slug": "hybrid-work-productivity-evidence",
        "source": "org-chart-review",
        "original_url": "https://org-chart-review.example/2026/10/hybrid-work-evidence-review",
        "author": "Tomás Ferreira",
        "original_published_at": "2026-10-29T10:30:00Z",
        "status": "published",
        "level": "introductory",
        "reading_minutes": 6,
        "fields": ["leadership-organisation", "research-methods"],
        "topics": ["remote-work", "team-design", "developer-productivity"],
        "roles": ["executive", "vp-engineering", "product-leader", "researcher"],
        "summary": (
            "This evidence review sets the office-versus-home argument against the best available research. A "
            "randomised trial of about 1,600 staff at a large travel company, published in 2024, found that two "
            "home days a week cut resignations by roughly a third, most of all among women, non-managers and long "
            "commuters, with no difference in reviews or promotions over two years. Evidence on fully remote work "
            "is more mixed: sitting near teammates raised the code feedback junior software engineers received, at "
            "a cost to the output of the seniors giving it. The author concludes that hybrid schedules appear free "
            "in output and positive for retention, that office days should be designed around mentoring, and that "
            "employers should run their own staggered trials."
        ),
        "takeaway": (
            "For executives and engineering leaders setting attendance policy, the evidence favours hybrid "
            "schedules over full-time office mandates for most knowledge work. Use anchor days to put junior staff "
            "alongside their mentors, credit seniors for the mentoring they do, and test any policy change across "
            "comparable teams before rolling it out."
        ),
        "insights": [
            (
                "In a randomised trial, hybrid work cut quits by about a third with no measurable harm to "
                "performance ratings or promotion."
            ),
            (
                "Managers' expectations of hybrid productivity moved from negative to slightly positive once they "
                "had seen the results."
            ),
            (
                "Physical proximity mostly redistributes effort: juniors gain feedback while seniors lose some "
                "individual output."
            ),
            "Lower attrition is itself a productivity gain once the cost of replacing staff is counted.",
        ],
        "principles": [
            "Randomised or staggered comparisons are worth more than surveys of preference.",
            "Mentoring is work carried by experienced staff and should be recognised as such.",
            "Attendance rules should be built around the specific activities that benefit from being together.",
        ],
        "method": (
            "The article reviews published field research, centred on a randomised controlled trial reported in "
            "Nature in 2024 and a study of co-location among software engineers at a large US company. It "
            "separates hybrid from fully remote arrangements and derives recommendations from the measured effects "
            "on attrition, performance and feedback."
        ),
        "in_practice": [
            "Schedule anchor office days so that new hires and their mentors are in on the same days.",
            "Include mentoring and code-review contributions in senior engineers' performance assessments.",
            "Track attrition by commute length and demographic group before and after any attendance policy change.",
            (
                "Pilot attendance changes as a staggered rollout across comparable teams and follow the results "
                "for a year."
            ),
        ],
        "content": (
            "Few management questions have generated as much opinion and as little evidence as whether people work "
            "better in the office. The evidence base has improved, though, and its main findings are more specific "
            "than either side of the debate usually admits.\n\n"
            "The strongest study so far is a randomised trial at a large Chinese travel company, published in "
            "Nature in 2024. Around 1,600 employees in engineering, marketing, accounting and finance were "
            "randomly assigned either to work from home two days a week or to stay in the office full time. Over "
            "six months, resignations in the hybrid group fell by about a third, with the largest drops among "
            "women, non-managers and staff with long commutes. Over the following two years there was no "
            "difference between the groups in performance reviews or promotions. Managers had expected hybrid work "
            "to hurt productivity; after the trial, on average, they thought it had helped slightly.\n\n"
            "Hybrid is not the same as fully remote, and the evidence on the latter is more mixed. A study of "
            "software engineers at a large US company found that sitting near teammates increased the feedback "
            "junior engineers received on their code, while the senior engineers who provided it produced somewhat "
            "less of their own work. Proximity appears to be a transfer of effort from experienced staff to newer "
            "ones, valuable for training but not free.\n\n"
            "Three practical conclusions follow. First, for most knowledge work a policy of two or three office "
            "days a week looks cost-free in output and valuable for retention, which is itself a productivity gain "
            "given what turnover costs. Second, the case for in-person time is strongest for onboarding and "
            "mentoring, so anchor days should be chosen to put junior staff and their mentors in the same place at "
            "the same time. Third, because senior staff bear the cost of mentoring, it should be recognised in how "
            "their performance is judged.\n\n"
            "Companies should also measure for themselves. A staggered rollout across comparable teams, with "
            "attrition and performance tracked for a year, is within reach of most large employers and would "
            "settle more arguments than another survey of preferences."
        ),
    },
    {
        "title": "Why data-centre carbon figures disagree, and which ones to report",
        "slug": "data-centre-carbon-accounting-methods",
        "source": "grid-and-ledger",
        "original_url": "https://grid-and-ledger.example/2026/11/three-carbon-numbers-for-one-data-centre",
        "author": "Noor Rahimi",
        "original_published_at": "2026-11-05T09:00:00Z",
        "status": "draft",
        "level": "advanced",
        "reading_minutes": 15,
        "fields": ["climate-energy", "data-infrastructure"],
        "topics": ["carbon-accounting", "data-centre-energy"],
        "roles": ["cto", "executive", "vp-engineering", "policy-maker"],
        "summary": (
            "This explainer shows why a single data centre can report carbon footprints an order of magnitude "
            "apart, using a worked example of a 40 MW facility that draws 300 GWh a year. Location-based "
            "accounting puts it at about 105,000 tonnes, annual certificate matching can bring the market-based "
            "figure close to zero, and hourly matching of clean supply to consumption leaves roughly 40,000 "
            "tonnes, because the unmatched hours fall when the grid is dirtiest. The author adds two items that "
            "often go missing: facility overhead, captured by power usage effectiveness, and the embodied "
            "emissions of buildings and frequently replaced servers. With the GHG Protocol reconsidering its Scope "
            "2 guidance, the piece recommends publishing all of these figures together now."
        ),
        "takeaway": (
            "For CTOs and executives signing off sustainability claims or buying cloud capacity, do not accept a "
            "single market-based number. Ask for location-based and market-based figures, the hourly-matched share "
            "of clean energy and embodied emissions in one report."
        ),
        "insights": [
            (
                "Annual certificate matching can show near-zero emissions for a facility whose grid-average "
                "footprint exceeds 100,000 tonnes."
            ),
            (
                "Hourly matching produces a middle figure that best reflects the physical grid, because unmatched "
                "demand clusters in high-carbon hours."
            ),
            "At industry-average power usage effectiveness, cooling and losses add about half again to the IT load.",
            (
                "For sites that genuinely run on clean power, embodied emissions from construction and hardware "
                "can become the largest item."
            ),
        ],
        "principles": [
            "An emissions figure means little without a statement of the question it answers.",
            "Coincidence in time and place is a stronger basis for clean-energy claims than annual totals.",
            "Publishing several methods side by side is more honest than choosing the most flattering one.",
        ],
        "method": (
            "The article builds a hypothetical 40 MW, 300 GWh-a-year facility on a grid averaging 350 g of CO2 per "
            "kWh and computes its emissions under location-based, annual market-based and hourly-matched "
            "accounting, assuming 68 percent hourly coverage and 420 g per kWh in the unmatched hours. It then "
            "adds facility overhead and embodied emissions to show what each electricity-only method leaves out."
        ),
        "in_practice": [
            "Publish location-based and market-based Scope 2 figures alongside the hourly-matched clean-energy share.",
            "Include the embodied emissions of construction and server refreshes in the main carbon inventory.",
            "Add questions on hourly matching and embodied emissions to cloud and colocation procurement.",
        ],
        "content": (
            "Ask three people for the carbon footprint of the same data centre and you may get three numbers that "
            "differ by an order of magnitude. None of them need be wrong. They answer different questions, and "
            "readers of sustainability reports are rarely told which one.\n\n"
            "Take a hypothetical 40-megawatt facility that uses 300 gigawatt-hours of electricity a year on a grid "
            "averaging 350 grams of CO2 per kilowatt-hour. The location-based figure, which applies the grid "
            "average to consumption, is about 105,000 tonnes. The market-based figure, which subtracts renewable "
            "energy the operator has bought through contracts or certificates, can be close to zero if the "
            "operator buys certificates equal to its annual consumption, wherever and whenever that power was "
            "generated.\n\n"
            "A third method, hourly matching, counts clean energy only when it is produced on the same grid in the "
            "same hour the facility consumes it. Suppose the operator's wind and solar contracts cover 68 percent "
            "of its consumption on that basis. The remaining 32 percent falls mostly in evenings and windless "
            "nights, when the grid is dirtier, say 420 grams per kilowatt-hour. The residual is then roughly "
            "40,000 tonnes: far from zero, well below the grid-average figure, and the most physically meaningful "
            "of the three.\n\n"
            "Electricity is not the whole story. Power usage effectiveness, the ratio of total facility energy to "
            "IT energy, runs at 1.1 to 1.2 at the most efficient large sites and closer to 1.5 across the "
            "industry, so cooling and losses can add half again to the load. And for a facility that really does "
            "run on clean power, the embodied emissions of construction and of the servers themselves, which are "
            "replaced every four to six years, can become the largest item in the inventory.\n\n"
            "The GHG Protocol is revising its Scope 2 guidance, and proposals under discussion move towards hourly "
            "matching and require purchased energy to be deliverable to the grid where it is consumed. Operators "
            "need not wait for the outcome. The defensible practice today is to report location-based and "
            "market-based figures side by side, publish the hourly-matched share, and include embodied emissions "
            "in the same document rather than a footnote. Buyers of cloud and colocation capacity should ask for "
            "all of them."
        ),
    },
    {
        "title": "What a twelve-week silent trial revealed about a deterioration model",
        "slug": "silent-trial-deterioration-model",
        "source": "ward-round-digital",
        "original_url": "https://ward-round-digital.example/2026/11/twelve-weeks-in-silent-mode",
        "author": "Felix Oduya",
        "original_published_at": "2026-11-12T07:45:00Z",
        "status": "in_review",
        "level": "intermediate",
        "reading_minutes": 5,
        "fields": ["digital-health", "biomedical-research"],
        "topics": ["clinical-validation", "ml-observability"],
        "roles": ["researcher", "director-ai-ml", "product-leader", "executive"],
        "summary": (
            "A teaching hospital ran a commercial inpatient deterioration model silently across 14 wards for "
            "twelve weeks before letting clinicians see any alerts. The trial surfaced problems no retrospective "
            "report had shown: batch charting that left the model scoring vital signs a median of two and a half "
            "hours old on three wards, and an oxygen-unit mapping error that made high-flow patients look "
            "healthier than they were. At the vendor's default threshold, positive predictive value was 11 percent "
            "against a promised 24, with around nine alerts per ward each day. Fixing the mapping and setting a "
            "threshold with nursing leads raised it to 19 percent, and the hospital is now moving to a stepped "
            "rollout designed to measure outcomes."
        ),
        "takeaway": (
            "For AI directors, researchers and clinical product owners, budget for a silent trial before any "
            "deterioration or alerting model goes live; it is cheap next to a failed rollout. Set alert thresholds "
            "on local data with the clinicians who will receive the alerts, not from vendor defaults."
        ),
        "insights": [
            "Data timeliness, such as end-of-shift batch charting, can undermine a model regardless of its accuracy.",
            (
                "A unit mismatch at the interface can bias risk scores for a specific patient group without "
                "showing up in vendor validation."
            ),
            (
                "Positive predictive value measured locally at default settings was less than half the vendor's "
                "reported figure."
            ),
            "Twelve weeks of silent running needed only one data engineer and a half-time nurse informaticist.",
        ],
        "principles": [
            "Validate the whole data pipeline, not only the model, in the setting where it will run.",
            "An alert threshold is a clinical workload decision and should be set with the people who respond to it.",
        ],
        "method": (
            "The model scored every patient on 14 adult wards in real time for twelve weeks, with outputs hidden "
            "from staff. Its predictions were checked against deaths, cardiac arrest calls and unplanned ICU "
            "transfers, alongside checks on how fresh the inputs were and how each field was mapped."
        ),
        "in_practice": [
            (
                "Measure the lag between observation time and charting time on each ward before deploying a "
                "real-time model."
            ),
            "Audit the unit and code mapping of every model input against the vendor's interface specification.",
            "Agree alert thresholds with nursing leads based on how many alerts per ward they can act on.",
            "Follow a silent trial with a stepped rollout that can measure patient outcomes.",
        ],
        "content": (
            "Before switching on a commercial early-warning model for inpatient deterioration, our 900-bed "
            "teaching hospital ran it in silent mode for twelve weeks across 14 adult wards. The model scored "
            "every patient in real time, but no clinician saw the output. We compared its predictions with what "
            "actually happened: unplanned ICU transfers, cardiac arrest calls and deaths.\n\n"
            "The first finding had nothing to do with the model. On three wards, vital signs were routinely "
            "charted in batches near the end of a shift, so the model was often scoring data that was hours old; "
            "the median lag on those wards was two and a half hours. A deterioration alert based on stale "
            "observations is worse than none, because it carries false authority.\n\n"
            "The second finding was a mapping error. Oxygen delivery was recorded in our system in a unit the "
            "vendor's interface did not expect, so patients on high-flow oxygen looked less sick to the model than "
            "they were. This was invisible in the vendor's validation report and would have been very hard to spot "
            "after go-live.\n\n"
            "The third finding was about thresholds. At the vendor's default setting, the positive predictive "
            "value on our patients was 11 percent, against 24 percent in the vendor's materials, and a typical "
            "ward would have received nine alerts a day. After we fixed the oxygen mapping and agreed a threshold "
            "with nursing leads that produced about four alerts per ward per day, the positive predictive value "
            "rose to 19 percent.\n\n"
            "The trial cost one data engineer and a nurse informaticist at half time for three months. We are now "
            "going live on four wards in a stepped rollout designed to measure whether outcomes improve. We would "
            "not deploy a clinical model any other way again."
        ),
    },
    {
        "title": "Speculative decoding in production: where the promised speedup goes",
        "slug": "speculative-decoding-production-speedup",
        "source": "gradient-notes",
        "original_url": "https://gradient-notes.example/2026/11/speculative-decoding-in-the-wild",
        "author": "Maren Holt",
        "original_published_at": "2026-11-19T16:00:00Z",
        "status": "published",
        "level": "expert",
        "reading_minutes": 3,
        "fields": ["ai-ml", "software-engineering"],
        "topics": ["inference-efficiency", "model-distillation"],
        "roles": ["ai-scientist", "director-ai-ml", "vp-engineering"],
        "summary": (
            "A serving team reports that speculative decoding, usually advertised at two to three times faster, "
            "delivered only 1.4 times in its first production deployment. The shortfall came from acceptance rates "
            "that depend on the traffic (about 80 percent on code, 55 percent on open chat), from the "
            "disappearance of spare compute at large batch sizes, and from the draft model's memory crowding out "
            "key-value cache. Distilling the draft model on the target's own responses to production prompts "
            "raised acceptance from 0.61 to 0.74, and per-request speculation lengths plus a batch-size cut-off "
            "brought the speedup to 1.9 times at low load and about 1.1 at peak. It is a compact lesson in "
            "benchmarking an optimisation under real conditions."
        ),
        "takeaway": (
            "For AI scientists and engineering leaders considering speculative decoding, benchmark it on your own "
            "traffic mix and concurrency rather than single-stream curated prompts. Distil the draft model on the "
            "target's production outputs, and let the scheduler turn speculation off when batches grow large."
        ),
        "insights": [
            "Draft acceptance varies sharply by workload, so the achievable speedup depends on what users ask for.",
            (
                "Speculation relies on idle compute during memory-bound decoding, and that slack vanishes at high "
                "batch sizes."
            ),
            (
                "A draft model distilled on the target's own production responses had 74 percent of its tokens "
                "accepted, up from 61."
            ),
            "Realistic gains ranged from 1.9 times at low load to about 1.1 at peak.",
        ],
        "principles": [
            "An optimisation should be benchmarked under the load and data distribution it will actually face.",
            "Speedups that preserve output exactly can still carry resource costs that cancel them out.",
        ],
        "method": (
            "A compact draft model guesses a short run of tokens, which the target model checks in one forward "
            "pass, keeping the longest prefix it agrees with so that outputs follow the target's distribution "
            "exactly. The team measured acceptance by request type and speedup by batch size, then retrained the "
            "draft on a month of the target's production responses and tuned speculation length and batch cut-offs "
            "per GPU type."
        ),
        "in_practice": [
            "Log draft acceptance rates per request category before tuning speculation length.",
            (
                "Find the batch size at which speculation stops paying off on each GPU type and disable it above "
                "that point."
            ),
            "Fine-tune the draft model on the target model's outputs for your own production prompts.",
        ],
        "content": (
            "Speculative decoding is one of the few inference optimisations that costs nothing in quality. A small "
            "draft model proposes several tokens; the large target model checks them all in a single forward pass "
            "and keeps the longest run it agrees with, so the output distribution is provably the same as the "
            "target's alone. Papers report speedups of two to three times. In our serving stack, the first "
            "deployment delivered 1.4.\n\n"
            "Three things ate the difference. Acceptance rate depends on the traffic: on code completion our draft "
            "model's proposals were accepted about 80 percent of the time, but on open-ended chat only 55 percent. "
            "Batch size matters: speculation exploits idle compute while decoding is memory-bound, and at peak "
            "load, with large batches, that slack disappears and verifying rejected tokens becomes pure overhead. "
            "And the draft model occupies GPU memory that would otherwise hold more key-value cache.\n\n"
            "Each has a fix. We distilled the draft model on the target model's own responses to a month of "
            "production prompts, which lifted average acceptance from 0.61 to 0.74. We now choose the number of "
            "speculated tokens per request type, longer for code and shorter for chat. And the scheduler switches "
            "speculation off when batch size crosses a threshold we measured for each GPU type.\n\n"
            "The result is a speedup of about 1.9 times at low load, falling to roughly 1.1 at peak. That is less "
            "than the headline, and more honest. If you benchmark speculative decoding, do it with your real "
            "traffic mix at your real concurrency; single-stream tests on curated prompts will flatter it every "
            "time."
        ),
    },
]
