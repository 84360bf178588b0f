"""What a piece says when its subject falls in a field, or when it serves a reader: evidence by slug.

Written from the taxonomy's own definitions (the demo taxonomy's slugs; see
articles/demo/data.py), never from the evaluation items. Phrases are matched whole, on
word boundaries, case-insensitively; a phrase counts once however often it repeats, so a
single repeated word can never carry a suggestion (a NASA story that says "scientist"
ten times is not for AI scientists). A field or role whose slug is not listed here (one
a curator added) is matched on its own name and the phrases of its description.
"""

FIELDS = {
    "ai-ml": (
        "machine learning|neural network|neural networks|language model|language models|large language model"
        "|deep learning|artificial intelligence|training data|model training|fine-tuning|fine-tuned|inference"
        "|transformer|llm|llms|gpt|embeddings|reinforcement learning|computer vision|generative ai|chatbot"
    ),
    "data-infrastructure": (
        "data warehouse|data pipeline|data pipelines|data lake|lakehouse|etl|database|databases|sql|data centre"
        "|data center|data centres|data centers|query engine|analytics platform|storage layer|batch jobs|event stream"
        "|streaming data|kafka|spark|snowflake|bigquery|data platform"
    ),
    "software-engineering": (
        "software|developer|developers|programming|source code|codebase|api|apis|framework|open source|github"
        "|pull request|continuous integration|deployment|deploy|web standards|html|css|javascript|python|ruby"
        "|rails|compiler|kubernetes|cloud platform|microservices|unit tests|test suite|refactoring|version control"
        "|git|library|libraries|scaffolding|web developers|browser engine|programming language"
    ),
    "cybersecurity": (
        "vulnerability|vulnerabilities|exploit|exploits|exploitation|malware|ransomware|attacker|attackers"
        "|security flaw|security issue|security bug|cve|patch|patched|password|encryption|breach|hardening"
        "|sandbox|heap overflow|buffer overflow|root access|phishing|privilege escalation|mitigation"
        "|mitigations|threat actor|zero-day|backdoor|kernel exploitation|aslr|rop"
    ),
    "leadership-organisation": (
        "management|managers|team structure|organisation design|organization design|remote work|hybrid work"
        "|leadership|company culture|reorganisation|reorganization|working arrangements|performance reviews"
        "|middle managers|four-day week|return to office"
    ),
    "operations-supply-chain": (
        "supply chain|supply chains|supplier|suppliers|sourcing|manufacturing|logistics|procurement|inventory"
        "|raw materials|factory|factories|shortage|shortages|component costs|contract manufacturer"
    ),
    "climate-energy": (
        "climate|climate change|emissions|greenhouse gas|greenhouse gases|carbon dioxide|carbon|renewable"
        "|renewables|energy storage|battery|batteries|power grid|grid|solar|wind power|decarbonisation"
        "|decarbonization|nuclear waste|nuclear power|fossil fuel|fossil fuels|methane|global warming|net zero"
    ),
    "research-methods": (
        "study design|reproducibility|replication|statistical power|sample size|measurement method"
        "|randomised controlled trial|randomized controlled trial|confidence interval|pre-registration"
        "|preregistration|p-value|p-values|effect size|meta-analysis|systematic review"
    ),
    "tech-regulation": (
        "regulation|regulations|regulator|regulators|ai act|gdpr|antitrust|competition authority|compliance"
        "|digital services act|data protection|privacy law|federal trade commission|ftc|european commission"
        "|online safety|net neutrality|fcc"
    ),
    "trade-industrial-policy": (
        "export controls|export control|tariff|tariffs|subsidies|subsidy|industrial policy|sanctions|trade war"
        "|chips act|trade deal|trade agreement|import duties|strategic industries|world trade organization"
    ),
    "digital-health": (
        "digital health|electronic health record|electronic health records|telehealth|telemedicine|medical device"
        "|medical devices|clinical ai|health app|health data|patients|clinicians|fda clearance|diagnosis"
    ),
    "biomedical-research": (
        "clinical trial|clinical trials|patients|disease|diseases|drug|drugs|therapy|therapies|cancer|tumour|tumor"
        "|mice|human cells|biomarker|biomarkers|vaccine|antibody|antibodies|pathogen|infection"
    ),
}

ROLES = {
    "cto": (
        "security breach|vulnerability|attack surface|vendor lock-in|lock-in|build or buy|build versus buy"
        "|technical debt|platform decision|architecture|infrastructure|exposure|zero-day|patch|migration"
        "|cloud provider|outage|root access|data breach|security flaw"
    ),
    "vp-engineering": (
        "engineering team|engineering teams|engineering managers|hiring engineers|delivery|on-call|incident review"
        "|postmortem|code review|developer productivity|continuous integration|release process|deployment frequency"
        "|engineering organisation|engineering organization"
    ),
    "vp-data": (
        "data pipeline|data pipelines|data warehouse|data quality|data governance|analytics|lakehouse|etl"
        "|data platform|data team|data teams|data catalogue|data catalog|data contracts"
    ),
    "director-ai-ml": (
        "model deployment|mlops|models in production|production models|model evaluation|inference costs"
        "|fine-tuning|ml platform|model monitoring|ml team|ml teams|ai adoption"
    ),
    "ai-scientist": (
        "neural network|neural networks|training data|benchmark|benchmarks|language model|language models"
        "|transformer|deep learning|loss function|ablation|model architecture|pretraining|pre-training|fine-tuning"
    ),
    "product-leader": (
        "user research|product design|user experience|onboarding|product manager|product managers|roadmap"
        "|usability|user interface|interface design|design decision|design decisions|product strategy"
        "|customers|feature|features|users|app store|pricing|redesign"
    ),
    "executive": (
        # Governance, strategy and regulatory exposure; routine earnings and deal news is not for executives.
        "board of directors|corporate strategy|business strategy|governance|regulatory exposure|regulatory risk"
        "|competitive advantage|business model|strategic|boardroom|risk appetite|fiduciary"
    ),
    "policy-maker": (
        "regulation|regulations|regulator|regulators|legislation|public policy|government|lawmakers|bill"
        "|compliance|policy options|evidence base|consultation|tax|taxes|subsidy|subsidies|parliament"
        "|congress|ministers|public services|policymakers|policy makers"
    ),
    "researcher": (
        "we show|here we|our results|we found|we find|we propose|we hypothesized|we hypothesised|hypothesis"
        "|experiment|experiments|experimental|dataset|datasets|significantly|in vitro|in vivo|mutant|mutants"
        "|peer review|preprint|methodology|we demonstrate|we identified|we report|findings suggest"
    ),
}


def phrases(spec: str) -> tuple[str, ...]:
    return tuple(phrase.strip() for phrase in spec.split("|") if phrase.strip())
