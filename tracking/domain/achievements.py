"""Achievements: the Discord bot's milestone definitions (BOT src/milestones/*.json), evaluated here.

The bot matches achievements by exact ``name``, emoji included, and adds its own copy of any
milestone the user holds under another name, so names, targets, descriptions and categories are
the bot's, character for character. ``time`` compares ``totalCodingTime`` (seconds), ``streak``
compares ``longestStreak`` (days), ``language`` compares the seconds of one language, counted over
every normalised language name, so ``java`` (outside the 26 keys of ``users.languages``) is earnable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

Category = Literal["time", "streak", "language"]
CATEGORIES: tuple[Category, ...] = ("time", "streak", "language")


@dataclass(frozen=True)
class Milestone:
    name: str
    target: int
    description: str
    category: Category
    language: str | None = None

    def stored(self) -> dict[str, object]:
        """The element of ``users.achievements`` in the bot's shape (``language`` is not persisted)."""
        return {"name": self.name, "target": self.target, "description": self.description, "category": self.category}


def _time(name: str, target: int, what: str) -> Milestone:
    return Milestone(name, target, f"Reached {what} of coding", "time")


def _streak(name: str, days: int) -> Milestone:
    return Milestone(name, days, f"Maintained a {days}-day coding streak", "streak")


_LANGUAGE_TARGETS = {1800: "30 minutes", 3600: "1 hour", 14400: "4 hours", 43200: "12 hours"}


def _language(language: str, label: str, names: Iterable[str]) -> list[Milestone]:
    return [
        Milestone(f"{label} {name}", target, f"Reached {_LANGUAGE_TARGETS[target]} in {label}", "language", language)
        for name, target in zip(names, _LANGUAGE_TARGETS, strict=False)
    ]


MILESTONES: tuple[Milestone, ...] = (
    _time("Novice 🥉", 3600, "1 hour"),
    _time("Intermediate 🥈", 14400, "4 hours"),
    _time("Pro 🥇", 86400, "1 day"),
    _time("Expert 🏅", 172800, "2 days"),
    _time("Master 🏆", 604800, "1 week"),
    _time("Elite 👑", 2592000, "30 days"),
    _time("Legendary 🌟", 7776000, "90 days"),
    _time("Ultimate 🌠", 15552000, "180 days"),
    _time("Immortal 💻", 31104000, "1 year"),
    _time("Coding God ⚡", 62208000, "2 years"),
    _streak("Streak Starter 🔥", 7),
    _streak("Weekly Warrior 💪", 30),
    _streak("Monthly Master 🌕", 90),
    _streak("Ultimate Streak 💯", 180),
    _streak("Infinite Coder ♾️", 365),
    *_language("javascript", "JavaScript", ["Beginner 🥉", "Ninja 🥷", "Master 💪", "Prodigy 🌟"]),
    *_language("python", "Python", ["Novice 🥉", "Pro 🐍", "Wizard 🧙", "Sage 🌌"]),
    *_language("css", "CSS", ["Stylist 🎨", "Designer 💅", "Masterpiece Creator 🖌️"]),
    *_language("html", "HTML", ["Architect 🏗️", "Builder 🚧", "Virtuoso 🏆"]),
    *_language("sql", "SQL", ["Novice 🥉", "Pro 📊", "Data Guru 🧠"]),
    *_language("java", "Java", ["Learner 📘", "Developer ☕", "Expert 🎖️"]),
    *_language("php", "PHP", ["Padawan 🔰", "Coder 🖥️", "Jedi 🌌"]),
    *_language("cpp", "C++", ["Novice 🥉", "Developer 💻", "Ace 🏅"]),
    *_language("typescript", "TypeScript", ["Newbie 🥉", "Coder ✨", "Wizard 🪄"]),
    *_language("swift", "Swift", ["Beginner 📱", "Coder 🍏", "Expert 🏆"]),
)


@dataclass(frozen=True)
class Progress:
    """What a user's achievements are measured against."""

    total_seconds: float
    longest_streak: int
    languages: Mapping[str, float]

    def value(self, milestone: Milestone) -> float:
        if milestone.category == "time":
            return self.total_seconds
        if milestone.category == "streak":
            return float(self.longest_streak)
        return self.languages.get(milestone.language or "", 0.0)


def reached(progress: Progress) -> list[Milestone]:
    """Every milestone the progress reaches, in definition order."""
    return [milestone for milestone in MILESTONES if progress.value(milestone) >= milestone.target]


def newly_reached(progress: Progress, held_names: Iterable[str]) -> list[Milestone]:
    """Reached milestones the user does not hold yet (by exact name, as the bot compares)."""
    held = set(held_names)
    return [milestone for milestone in reached(progress) if milestone.name not in held]


def next_milestone(progress: Progress, category: Category, held_names: Iterable[str]) -> Milestone | None:
    """The next milestone of a category: the unheld, unreached one closest to done (ties: definition order)."""
    held = set(held_names)
    candidates = [
        milestone
        for milestone in MILESTONES
        if milestone.category == category
        and milestone.name not in held
        and progress.value(milestone) < milestone.target
    ]
    if not candidates:
        return None
    return max(candidates, key=lambda milestone: progress.value(milestone) / milestone.target)


def crossed(before: Progress, after: Progress) -> list[Milestone]:
    """Milestones ``after`` reaches that ``before`` did not: what one credited batch earns."""
    return [m for m in MILESTONES if before.value(m) < m.target <= after.value(m)]
