"""DisTrack Functions: the coding-time leaderboard backend of DisTrack, as an Azure Functions app."""

__version__ = "0.1.0"
