"""What an import can refer to: units by code, name or alias, and campaigns; and the closest names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field

from registry.domain.imports.vocabulary import norm


@dataclass
class UnitRef:
    code: str
    name: str
    kind: str
    parent_code: str | None = None
    aliases: list[str] = field(default_factory=list)
    in_db: bool = True


@dataclass
class Directory:
    """Units and campaigns known to the registry, plus those defined earlier in the same import."""

    units: dict[str, UnitRef] = field(default_factory=dict)
    campaigns: dict[str, str] = field(default_factory=dict)  # id → name
    _names: dict[str, str] = field(default_factory=dict)  # norm(name or alias) → code

    @classmethod
    def of(cls, units: Iterable[UnitRef], campaigns: dict[str, str]) -> Directory:
        d = cls(campaigns=dict(campaigns))
        for unit in units:
            d.put(unit)
        return d

    def put(self, unit: UnitRef) -> None:
        """Add or replace a unit; its name and aliases resolve to it from now on."""
        old = self.units.get(unit.code)
        if old is not None:
            for word in (old.name, *old.aliases):
                if self._names.get(norm(word)) == old.code:
                    del self._names[norm(word)]
        self.units[unit.code] = unit
        for word in (unit.name, *unit.aliases):
            self._names.setdefault(norm(word), unit.code)

    def owner(self, name: str) -> str | None:
        """The code of the unit that has this name or alias."""
        return self._names.get(norm(name))

    def resolve(self, text: str) -> str | None:
        """A unit's code from its code, name or alias."""
        if text in self.units:
            return text
        return self.owner(text) or next((c for c in self.units if c.lower() == text.lower()), None)

    def resolve_campaign(self, text: str) -> str | None:
        if text in self.campaigns:
            return text
        return next(
            (i for i, n in self.campaigns.items() if norm(n) == norm(text) or i.lower() == text.lower()), None
        )

    def suggest_units(self, text: str, weight: dict[str, int] | None = None, n: int = 3) -> list[str]:
        """The closest known names (names and aliases); a higher `weight` (by code) ranks first."""
        words = {w: u.code for u in self.units.values() for w in (u.name, *u.aliases)}
        scored = closest(text, list(words))
        weights = weight or {}
        scored.sort(key=lambda ws: (-weights.get(words[ws[0]], 0), -ws[1], ws[0]))
        return [w for w, _ in scored[:n]]

    def suggest_campaigns(self, text: str) -> list[str]:
        words = [*self.campaigns, *self.campaigns.values()]
        return [w for w, _ in closest(text, words)[:3]]


def closest(text: str, words: list[str], cutoff: float = 0.5) -> list[tuple[str, float]]:
    """Words similar to `text` (difflib's ratio ≥ cutoff), best first."""
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(norm(text))
    scored = []
    for word in words:
        matcher.set_seq1(norm(word))
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((word, ratio))
    scored.sort(key=lambda ws: (-ws[1], ws[0]))
    return scored
