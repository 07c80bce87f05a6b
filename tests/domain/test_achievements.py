# ruff: noqa: E501  (the bot's definitions are copied verbatim, one per line)
from __future__ import annotations

import json

from tracking.domain.achievements import MILESTONES, Progress, newly_reached, next_milestone

# The bot's definitions (BOT bf6e0b9 src/milestones/*.json), copied verbatim: names must match exactly.
BOT_TIME = """[
{ "name": "Novice 🥉", "target": 3600, "description": "Reached 1 hour of coding", "category": "time" },
{ "name": "Intermediate 🥈", "target": 14400, "description": "Reached 4 hours of coding", "category": "time" },
{ "name": "Pro 🥇", "target": 86400, "description": "Reached 1 day of coding", "category": "time" },
{ "name": "Expert 🏅", "target": 172800, "description": "Reached 2 days of coding", "category": "time" },
{ "name": "Master 🏆", "target": 604800, "description": "Reached 1 week of coding", "category": "time" },
{ "name": "Elite 👑", "target": 2592000, "description": "Reached 30 days of coding", "category": "time" },
{ "name": "Legendary 🌟", "target": 7776000, "description": "Reached 90 days of coding", "category": "time" },
{ "name": "Ultimate 🌠", "target": 15552000, "description": "Reached 180 days of coding", "category": "time" },
{ "name": "Immortal 💻", "target": 31104000, "description": "Reached 1 year of coding", "category": "time" },
{ "name": "Coding God ⚡", "target": 62208000, "description": "Reached 2 years of coding", "category": "time" }
]"""
BOT_STREAK = """[
{ "name": "Streak Starter 🔥", "target": 7, "description": "Maintained a 7-day coding streak", "category": "streak" },
{ "name": "Weekly Warrior 💪", "target": 30, "description": "Maintained a 30-day coding streak", "category": "streak" },
{ "name": "Monthly Master 🌕", "target": 90, "description": "Maintained a 90-day coding streak", "category": "streak" },
{ "name": "Ultimate Streak 💯", "target": 180, "description": "Maintained a 180-day coding streak", "category": "streak" },
{ "name": "Infinite Coder ♾️", "target": 365, "description": "Maintained a 365-day coding streak", "category": "streak" }
]"""
BOT_LANGUAGE = """[
{ "name": "JavaScript Beginner 🥉", "target": 1800, "language": "javascript", "description": "Reached 30 minutes in JavaScript", "category": "language" },
{ "name": "JavaScript Ninja 🥷", "target": 3600, "language": "javascript", "description": "Reached 1 hour in JavaScript", "category": "language" },
{ "name": "JavaScript Master 💪", "target": 14400, "language": "javascript", "description": "Reached 4 hours in JavaScript", "category": "language" },
{ "name": "JavaScript Prodigy 🌟", "target": 43200, "language": "javascript", "description": "Reached 12 hours in JavaScript", "category": "language" },
{ "name": "Python Novice 🥉", "target": 1800, "language": "python", "description": "Reached 30 minutes in Python", "category": "language" },
{ "name": "Python Pro 🐍", "target": 3600, "language": "python", "description": "Reached 1 hour in Python", "category": "language" },
{ "name": "Python Wizard 🧙", "target": 14400, "language": "python", "description": "Reached 4 hours in Python", "category": "language" },
{ "name": "Python Sage 🌌", "target": 43200, "language": "python", "description": "Reached 12 hours in Python", "category": "language" },
{ "name": "CSS Stylist 🎨", "target": 1800, "language": "css", "description": "Reached 30 minutes in CSS", "category": "language" },
{ "name": "CSS Designer 💅", "target": 3600, "language": "css", "description": "Reached 1 hour in CSS", "category": "language" },
{ "name": "CSS Masterpiece Creator 🖌️", "target": 14400, "language": "css", "description": "Reached 4 hours in CSS", "category": "language" },
{ "name": "HTML Architect 🏗️", "target": 1800, "language": "html", "description": "Reached 30 minutes in HTML", "category": "language" },
{ "name": "HTML Builder 🚧", "target": 3600, "language": "html", "description": "Reached 1 hour in HTML", "category": "language" },
{ "name": "HTML Virtuoso 🏆", "target": 14400, "language": "html", "description": "Reached 4 hours in HTML", "category": "language" },
{ "name": "SQL Novice 🥉", "target": 1800, "language": "sql", "description": "Reached 30 minutes in SQL", "category": "language" },
{ "name": "SQL Pro 📊", "target": 3600, "language": "sql", "description": "Reached 1 hour in SQL", "category": "language" },
{ "name": "SQL Data Guru 🧠", "target": 14400, "language": "sql", "description": "Reached 4 hours in SQL", "category": "language" },
{ "name": "Java Learner 📘", "target": 1800, "language": "java", "description": "Reached 30 minutes in Java", "category": "language" },
{ "name": "Java Developer ☕", "target": 3600, "language": "java", "description": "Reached 1 hour in Java", "category": "language" },
{ "name": "Java Expert 🎖️", "target": 14400, "language": "java", "description": "Reached 4 hours in Java", "category": "language" },
{ "name": "PHP Padawan 🔰", "target": 1800, "language": "php", "description": "Reached 30 minutes in PHP", "category": "language" },
{ "name": "PHP Coder 🖥️", "target": 3600, "language": "php", "description": "Reached 1 hour in PHP", "category": "language" },
{ "name": "PHP Jedi 🌌", "target": 14400, "language": "php", "description": "Reached 4 hours in PHP", "category": "language" },
{ "name": "C++ Novice 🥉", "target": 1800, "language": "cpp", "description": "Reached 30 minutes in C++", "category": "language" },
{ "name": "C++ Developer 💻", "target": 3600, "language": "cpp", "description": "Reached 1 hour in C++", "category": "language" },
{ "name": "C++ Ace 🏅", "target": 14400, "language": "cpp", "description": "Reached 4 hours in C++", "category": "language" },
{ "name": "TypeScript Newbie 🥉", "target": 1800, "language": "typescript", "description": "Reached 30 minutes in TypeScript", "category": "language" },
{ "name": "TypeScript Coder ✨", "target": 3600, "language": "typescript", "description": "Reached 1 hour in TypeScript", "category": "language" },
{ "name": "TypeScript Wizard 🪄", "target": 14400, "language": "typescript", "description": "Reached 4 hours in TypeScript", "category": "language" },
{ "name": "Swift Beginner 📱", "target": 1800, "language": "swift", "description": "Reached 30 minutes in Swift", "category": "language" },
{ "name": "Swift Coder 🍏", "target": 3600, "language": "swift", "description": "Reached 1 hour in Swift", "category": "language" },
{ "name": "Swift Expert 🏆", "target": 14400, "language": "swift", "description": "Reached 4 hours in Swift", "category": "language" }
]"""


def test_the_definitions_are_the_bots_character_for_character() -> None:
    bot = json.loads(BOT_TIME) + json.loads(BOT_STREAK) + json.loads(BOT_LANGUAGE)
    ours = [
        {**milestone.stored(), **({"language": milestone.language} if milestone.language else {})}
        for milestone in MILESTONES
    ]
    assert ours == bot
    assert len(MILESTONES) == 47


def test_reached_milestones_not_held_are_new() -> None:
    progress = Progress(total_seconds=14400, longest_streak=7, languages={"java": 1800, "go": 99999})
    assert [m.name for m in newly_reached(progress, ["Novice 🥉"])] == [
        "Intermediate 🥈",
        "Streak Starter 🔥",
        "Java Learner 📘",
    ]


def test_next_milestone_per_category_with_the_closest_language() -> None:
    progress = Progress(total_seconds=5000, longest_streak=0, languages={"python": 1000, "css": 3000})
    held = ["Novice 🥉", "CSS Stylist 🎨"]
    time_next = next_milestone(progress, "time", held)
    language_next = next_milestone(progress, "language", held)
    assert time_next is not None and time_next.name == "Intermediate 🥈"
    assert language_next is not None and language_next.name == "CSS Designer 💅"
    everything = Progress(total_seconds=1e12, longest_streak=1000, languages={})
    assert next_milestone(everything, "time", []) is None
