"""Priority: a transparent score from a versioned rule set. Every factor found is listed with its weight
and evidence; the score is their sum, floored at zero (mitigating factors weigh against a threat, they
do not make a negative priority)."""

from __future__ import annotations

from datetime import date

from ilos.definitions.priority_rules import PriorityRuleSet
from ilos.domain.legal_derivation import derive_legal_situation
from ilos.domain.subjects import Subject
from ilos.policy.factors import DETECTORS
from ilos.policy.results import PriorityFactor, PriorityResult


def score_priority(subject: Subject, today: date, rules: PriorityRuleSet) -> PriorityResult:
    """The subject's priority under `rules` on `today`; pass a subject restricted to what the purpose may use."""
    legal = subject.legal if subject.legal.as_of == today else derive_legal_situation(subject.events, today)
    factors = []
    for spec in rules.factors:
        evidence = DETECTORS[spec.kind](spec, subject, legal, today)
        if evidence:
            factors.append(PriorityFactor(spec.id, spec.weight, spec.category, evidence))
    score = max(0, sum(f.weight for f in factors))
    return PriorityResult(rules.id, rules.content_hash, score, rules.band_of(score), tuple(factors))
