"""The embed page for link previews: which clients are crawlers, and the HTML with Open Graph and Twitter tags. Pure.

Every value that reaches the page (names, languages, URLs) goes through ``html.escape``.
"""

from __future__ import annotations

from html import escape

from tracking.domain.cards import HEIGHT, WIDTH, ProfileCard, days_text, hours_text

# User-Agent fragments of the link-preview crawlers (lower case): they get the page, everyone else the website.
CRAWLER_AGENTS = (
    "discordbot",
    "twitterbot",
    "facebookexternalhit",
    "linkedinbot",
    "whatsapp",
    "telegrambot",
    "skypeuripreview",
    "googlebot",
    "bingbot",
    "yandexbot",
    "slackbot",
)
EMBED_MAX_AGE_SECONDS = 600


def is_crawler(user_agent: str | None) -> bool:
    agent = (user_agent or "").lower()
    return any(name in agent for name in CRAWLER_AGENTS)


def _description(card: ProfileCard) -> str:
    languages = ", ".join(card.top_languages) or "no languages yet"
    return (
        f"{hours_text(card.total_seconds)} coded, a {days_text(card.current_streak)} streak "
        f"(longest {days_text(card.longest_streak)}). Top languages: {languages}."
    )


def embed_page(*, card: ProfileCard | None, image_url: str, profile_url: str) -> str:
    """The page a crawler reads; ``card`` None for a private profile (no name, no figure)."""
    title = f"{card.name} on DisTrack" if card else "A private DisTrack profile"
    description = _description(card) if card else "This profile is private."
    meta = {
        "og:type": "profile",
        "og:site_name": "DisTrack",
        "og:title": title,
        "og:description": description,
        "og:url": profile_url,
        "og:image": image_url,
        "og:image:width": str(WIDTH),
        "og:image:height": str(HEIGHT),
    }
    twitter = {
        "twitter:card": "summary_large_image",
        "twitter:title": title,
        "twitter:description": description,
        "twitter:image": image_url,
    }
    tags = [f'<meta property="{escape(name)}" content="{escape(value)}">' for name, value in meta.items()]
    tags += [f'<meta name="{escape(name)}" content="{escape(value)}">' for name, value in twitter.items()]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            f"<title>{escape(title)}</title>",
            f'<meta name="description" content="{escape(description)}">',
            '<meta name="theme-color" content="#5865F2">',
            *tags,
            "</head>",
            f'<body><p><a href="{escape(profile_url)}">{escape(title)}</a></p></body>',
            "</html>",
            "",
        ]
    )
