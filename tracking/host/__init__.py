"""The local host: serves the app on port 7071 as Core Tools would, where Core Tools is missing.

Run it with ``python -m tracking.host``. It is a development tool and is not deployed.
"""
