"""What the fuzzing test sent and got, printed at the end of the run (tests/conftest.py)."""

from __future__ import annotations

from collections import Counter

# (operation, credential, status) -> how many responses
RESPONSES: Counter[tuple[str, str, int]] = Counter()


def record(operation: str, credential: str, status: int) -> None:
    RESPONSES[(operation, credential, status)] += 1


def summary() -> list[str]:
    """Lines of figures: requests, operations, and responses by status and by credential."""
    if not RESPONSES:
        return []
    by_status: Counter[int] = Counter()
    by_credential: Counter[str] = Counter()
    for (_, credential, status), count in RESPONSES.items():
        by_status[status] += count
        by_credential[credential] += count
    operations = {operation for operation, _, _ in RESPONSES}
    return [
        f"schemathesis: {sum(RESPONSES.values())} requests over {len(operations)} operations",
        "  by status: " + ", ".join(f"{status}: {count}" for status, count in sorted(by_status.items())),
        "  by credential: " + ", ".join(f"{name}: {count}" for name, count in sorted(by_credential.items())),
    ]
