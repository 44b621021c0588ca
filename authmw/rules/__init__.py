"""Path-based protection rules: ordered rules, a compiled matcher and the WSGI middleware."""

from __future__ import annotations

from .compile import RuleMatcher as RuleMatcher
from .compile import normalize_path as normalize_path
from .middleware import RulesMiddleware as RulesMiddleware
from .model import Rule as Rule
from .model import RuleConfigError as RuleConfigError
from .model import coerce_rules as coerce_rules
from .model import rule as rule
from .model import rules_from_data as rules_from_data

__all__ = [
    "Rule",
    "RuleConfigError",
    "RuleMatcher",
    "RulesMiddleware",
    "coerce_rules",
    "normalize_path",
    "rule",
    "rules_from_data",
]
