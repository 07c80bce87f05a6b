"""Language names: VS Code language ids normalised to safe keys, and the bot's 26-key object.

Sessions and daily totals keep every language under its normalised name (``typescriptreact``
is ``typescript``, ``shellscript`` stays ``shellscript``); ``users.languages``, which the Discord bot
reads, has exactly the 26 keys of the old schema, with every other language counted under ``other``.
Keys never contain "." nor start with "$", which MongoDB and FerretDB refuse in field names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from tracking.domain.profiles import USER_LANGUAGE_KEYS

# The 26 keys of users.languages are the user document's (tracking.domain.profiles).
BOT_LANGUAGE_KEYS = USER_LANGUAGE_KEYS

# VS Code language ids (and a few common spellings) that are a variant of another language.
ALIASES: dict[str, str] = {
    "typescriptreact": "typescript",
    "javascriptreact": "javascript",
    "jsonc": "json",
    "json5": "json",
    "jsonl": "json",
    "c++": "cpp",
    "c#": "csharp",
    "cs": "csharp",
    "py": "python",
    "js": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "jsx": "javascript",
    "golang": "go",
    "yml": "yaml",
    "md": "markdown",
    "ini": "properties",
    "java-properties": "properties",
    "xsl": "xml",
    "mysql": "sql",
    "pgsql": "sql",
    "postgres": "sql",
    "plsql": "sql",
    "tsql": "sql",
    # WakaTime's display names that are not a VS Code id once lower-cased (C++, C#, Go, ... already fold).
    "bash": "shellscript",
    "shell": "shellscript",
    "sh": "shellscript",
    "zsh": "shellscript",
    "vue.js": "vue",
    "f#": "fsharp",
    "objective-c++": "objective-cpp",
    "docker": "dockerfile",
    "text": "plaintext",
}

MAX_LANGUAGE_LENGTH = 64
_UNSAFE = re.compile(r"[^a-z0-9+#_-]")


def normalise_language(raw: str) -> str:
    """The key a language id is stored under: lower case, aliases folded, only safe characters."""
    name = raw.strip().lower()
    name = ALIASES.get(name, name)
    name = _UNSAFE.sub("_", name)[:MAX_LANGUAGE_LENGTH]
    return name or "other"


def normalise_languages(languages: Mapping[str, float]) -> dict[str, float]:
    """Seconds per normalised language; ids that fold into one name are added up, zeros dropped."""
    result: dict[str, float] = {}
    for raw, seconds in languages.items():
        if seconds > 0:
            name = normalise_language(raw)
            result[name] = result.get(name, 0.0) + seconds
    return result


def bot_languages(totals: Mapping[str, float]) -> dict[str, float]:
    """The 26-key ``users.languages`` object: known languages by name, every other one in ``other``."""
    result = dict.fromkeys(BOT_LANGUAGE_KEYS, 0.0)
    for name, seconds in totals.items():
        key = name if name in result else "other"
        result[key] += seconds
    return result
