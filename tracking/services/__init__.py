"""Use cases: each takes the database and plain values, asks tracking.domain, writes through tracking.store."""
