"""What the synthetic debates are about: real AI-policy exchanges, with invented voices.

``generate_debate`` picks its debates from THEMES (in an order drawn from its seed) and links
each to its propositions from PROPOSITIONS; most propositions run through several themes, as
they do in the real debate. The facts in the summaries are the public record; every speaker
and post the command makes is invented, and each summary says so.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

GENERATED = "*Generated for benchmarks: the speakers and their posts are invented.*"

# slug: (label, statement, pro label, anti label). The first four are the ones the generator
# always used; "open-source-ai" and "ai-political-slant" are also the seed's.
PROPOSITIONS: dict[str, tuple[str, str, str, str]] = {
    "open-source-ai": ("Open-source AI", "AI models should be released as open source",
                       "pro-open-source", "anti-open-source"),
    "ai-export-controls": ("AI export controls", "Frontier AI should be under export controls",
                           "pro-export-controls", "anti-export-controls"),
    "compute-caps": ("Compute caps", "Training runs above a compute threshold need a licence",
                     "pro-licensing", "anti-licensing"),
    "ai-political-slant": ("Political slant in AI",
                           "Leading AI chatbots are slanted toward one political ideology",
                           "sees a political slant", "sees no slant"),
    "ai-pause": ("A pause on giant models",
                 "Labs should pause training systems more powerful than GPT-4",
                 "pro-pause", "anti-pause"),
    "frontier-liability": ("Developer liability",
                           "Developers of frontier models should be liable for catastrophic harms",
                           "pro-liability", "anti-liability"),
    "state-ai-laws": ("State AI laws",
                      "US states should regulate frontier AI rather than wait for Congress",
                      "pro-state-laws", "pro-preemption"),
    "ai-extinction-risk": ("Extinction risk", "Advanced AI poses a risk of human extinction",
                           "sees extinction risk", "dismisses extinction risk"),
    "eu-ai-act-gpai": ("The AI Act's model rules",
                       "The EU AI Act's rules for general-purpose models are workable",
                       "pro-AI-Act", "anti-AI-Act"),
    "training-fair-use": ("Training as fair use", "Training AI on copyrighted work is fair use",
                          "fair-use side", "licensing side"),
    "nonprofit-control": ("Nonprofit control",
                          "Frontier labs should stay under nonprofit or public-interest control",
                          "pro-nonprofit-control", "anti-nonprofit-control"),
    "international-oversight": ("International oversight",
                                "Frontier AI needs an international oversight body",
                                "pro-oversight-body", "anti-oversight-body"),
}  # fmt: skip


@dataclass(frozen=True)
class Theme:
    key: str  # the debate's slug, after the synthetic prefix
    short: str  # what article titles call it
    title: str
    question: str
    summary: str
    starts_on: datetime.date
    ends_on: datetime.date
    propositions: tuple[str, ...]  # keys of PROPOSITIONS, the first the main one
    subjects: tuple[str, ...]  # what its posts talk about, each a singular subject


def _day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


THEMES: tuple[Theme, ...] = (
    Theme(
        "pause-letter", "The pause letter", "The pause letter, 2023",
        "Should AI labs pause giant AI experiments?",
        "In March 2023 an open letter from the Future of Life Institute asked AI labs to pause, "
        "for at least six months, the training of systems more powerful than GPT-4. Researchers, "
        "founders and lawmakers argued over whether a pause was needed, possible, or a "
        "distraction.",
        _day("2023-03-22"), _day("2023-06-30"),
        ("ai-pause", "ai-extinction-risk", "compute-caps"),
        ("The pause letter", "A six-month pause", "The open letter", "The FLI letter"),
    ),
    Theme(
        "sb-1047", "SB 1047", "California's SB 1047, 2024",
        "Should California make frontier AI developers answer for catastrophic harms?",
        "California's SB 1047, introduced in February 2024, would have required safety testing "
        "of the largest models and made their developers answerable for catastrophic harms. It "
        "passed the legislature in August and was vetoed by Governor Newsom at the end of "
        "September.",
        _day("2024-02-07"), _day("2024-09-30"),
        ("frontier-liability", "state-ai-laws", "open-source-ai"),
        ("SB 1047", "The kill switch", "Sacramento", "Liability for frontier models"),
    ),
    Theme(
        "chip-export-controls", "Export controls", "Chip export controls, 2022–2025",
        "Should frontier AI chips and models be under export controls?",
        "From October 2022 the United States restricted exports of advanced AI chips and "
        "chipmaking tools to China, and tightened the rules in 2023 and again in January 2025. "
        "Do the controls buy time, or push rivals to build their own?",
        _day("2022-10-07"), _day("2025-01-31"),
        ("ai-export-controls", "open-source-ai", "compute-caps"),
        ("The chip ban", "Chip smuggling", "The entity list", "The October rule"),
    ),
    Theme(
        "open-weights", "Open weights", "Open weights after Llama 2, 2023–2024",
        "Should AI models be released with open weights?",
        "Meta's release of Llama 2's weights in July 2023 turned open-source AI into a policy "
        "question: do open weights spread safety research and competition, or hand "
        "capabilities to anyone who downloads them?",
        _day("2023-07-18"), _day("2024-07-31"),
        ("open-source-ai", "ai-extinction-risk", "ai-export-controls"),
        ("Releasing weights", "Llama", "Fine-tuning", "Hugging Face"),
    ),
    Theme(
        "compute-thresholds", "Compute thresholds", "Compute thresholds, 2023–2024",
        "Is training compute the right trigger for AI rules?",
        "The US executive order of October 2023 asked developers to report training runs above "
        "10²⁶ operations, and the EU AI Act presumes systemic risk above 10²⁵. Is compute a "
        "sensible trigger for rules, or a number that will age badly?",
        _day("2023-10-30"), _day("2024-06-30"),
        ("compute-caps", "eu-ai-act-gpai", "frontier-liability"),
        ("The compute threshold", "The 10²⁶ line", "The executive order", "Compute reporting"),
    ),
    Theme(
        "eu-ai-act", "The AI Act", "The EU AI Act and general-purpose models, 2023–2024",
        "Are the EU AI Act's rules for general-purpose models workable?",
        "As the EU AI Act went through its final negotiations, the rules for general-purpose "
        "models became the hardest point: France, Germany and Italy argued for self-regulation, "
        "the Parliament for binding rules. The Act entered into force on 1 August 2024.",
        _day("2023-06-14"), _day("2024-08-01"),
        ("eu-ai-act-gpai", "compute-caps", "open-source-ai"),
        ("The AI Act", "Brussels", "The trilogue", "The code of practice"),
    ),
    Theme(
        "bletchley-summit", "Bletchley", "The Bletchley Park summit, 2023",
        "Does frontier AI need international oversight?",
        "In November 2023 the United Kingdom hosted the first AI Safety Summit at Bletchley "
        "Park, where 28 countries and the EU signed a declaration on the risks of frontier AI.",
        _day("2023-10-01"), _day("2023-11-30"),
        ("international-oversight", "ai-extinction-risk", "ai-pause"),
        ("The summit", "The Bletchley declaration", "An IPCC for AI", "The AI Safety Institute"),
    ),
    Theme(
        "openai-board", "The OpenAI board", "The OpenAI board crisis, 2023",
        "Should frontier labs stay under nonprofit control?",
        "On 17 November 2023 OpenAI's board dismissed Sam Altman; within days he was back and "
        "the board was replaced. The episode became an argument about who should control "
        "frontier labs.",
        _day("2023-11-17"), _day("2023-12-15"),
        ("nonprofit-control", "ai-extinction-risk"),
        ("The board", "The nonprofit", "Effective altruism", "Lab governance"),
    ),
    Theme(
        "deepseek", "DeepSeek", "DeepSeek and the chip race, 2025",
        "Did DeepSeek show that export controls fail?",
        "In January 2025 the Chinese lab DeepSeek released R1, a reasoning model with open "
        "weights, and chip stocks fell. Had export controls failed, or did the model show why "
        "they matter?",
        _day("2025-01-20"), _day("2025-03-31"),
        ("ai-export-controls", "open-source-ai"),
        ("DeepSeek", "R1", "Cheap training", "The chip race"),
    ),
    Theme(
        "training-copyright", "Copyright", "Training data and copyright, 2024",
        "Is training AI on copyrighted work fair use?",
        "In December 2023 The New York Times sued OpenAI and Microsoft over the use of its "
        "articles to train models. Is training on copyrighted work fair use, or does it need "
        "licences?",
        _day("2023-12-27"), _day("2024-12-31"),
        ("training-fair-use", "open-source-ai"),
        ("Fair use", "Scraping", "The Times lawsuit", "Licensing"),
    ),
    Theme(
        "chatbot-slant", "Chatbot slant", "Political slant in chatbots, 2024",
        "Are AI chatbots slanted toward one political side?",
        "In February 2024 Google paused Gemini's image generation of people after criticism of "
        "its outputs, and a wider argument began about whether chatbots lean toward one "
        "political side.",
        _day("2024-02-21"), _day("2024-05-31"),
        ("ai-political-slant", "open-source-ai"),
        ("Gemini", "Woke AI", "The system prompt", "RLHF"),
    ),
    Theme(
        "state-law-moratorium", "The moratorium", "The moratorium on state AI laws, 2025",
        "Should Congress bar the states from regulating AI?",
        "In May 2025 a ten-year moratorium on state AI laws was added to the US budget bill; "
        "the Senate struck it out, 99 to 1, on 1 July. Should AI rules be federal, or left to "
        "the states?",
        _day("2025-05-12"), _day("2025-07-31"),
        ("state-ai-laws", "frontier-liability"),
        ("The moratorium", "Preemption", "The state patchwork", "The budget bill"),
    ),
)  # fmt: skip

OUTLETS = ["Synthetic Times", "The Synthetic Wire", "Generated Policy Review",
           "Synthetic Dispatch", "The Invented Ledger"]  # fmt: skip
REPORTS = ["{short}: the arguments so far", "{short}: who is for and against",
           "{short}, explained", "{short}: what both sides miss", "{short}: a reader's guide",
           "{short}: the week it went viral"]  # fmt: skip


# The words synthetic speakers and posts are made of (names, roles, phrases).
FIRST = ["Ada", "Ben", "Chen", "Dara", "Eli", "Fatima", "Gus", "Hana", "Ivo", "Jun", "Kofi",
         "Lena", "Mira", "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Vik",
         "Wen", "Xia", "Yara", "Zed"]  # fmt: skip
LAST = ["Abbott", "Berg", "Costa", "Dahl", "Eze", "Frost", "Gupta", "Holm", "Iqbal", "Jansen",
        "Kaur", "Lund", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Sato",
        "Torres", "Ueda", "Varga", "Weiss", "Yilmaz", "Zhou"]  # fmt: skip
ROLES = ["AI researcher", "Venture capitalist", "Policy analyst", "Founder", "Journalist",
         "Open-source maintainer", "Security researcher", "Lawmaker", "Ethicist"]  # fmt: skip
# Subjects in the plural (a debate's own, in _themes.py, are singular: SINGULAR_VERBS).
OPENERS = ["Open weights", "Closed models", "Frontier labs", "Export controls", "Model licences",
           "Safety evaluations", "Open research", "Compute caps", "Regulators", "Model cards",
           "Red teams", "National security hawks"]  # fmt: skip
VERBS = ["will decide", "undermine", "protect", "accelerate", "slow down", "are essential to",
         "distort", "cannot replace", "should govern", "leak into"]  # fmt: skip
SINGULAR_VERBS = ["will decide", "undermines", "protects", "accelerates", "slows down",
                  "is essential to", "distorts", "cannot replace", "should not govern",
                  "leaks into"]  # fmt: skip
OBJECTS = ["the race with China", "academic science", "small startups", "public trust",
           "the next decade of AI", "national security", "open innovation", "civil liberties",
           "the incumbents' moat", "independent audits"]  # fmt: skip
TAILS = ["", " Full stop.", " The evidence is clear.", " We have seen this before.",
         " Change my mind.", " https://t.co/{code}", " pic.twitter.com/{code}",
         " Thread below.", "…"]  # fmt: skip
