"""The Redis database the tests of this pytest process may empty.

Database 15 for a single process; under pytest-xdist each worker its own (gw0 → 15, gw1 → 14, …),
so that one worker's `cache.clear()` never empties the entries another worker is counting.
TEST_REDIS_URL overrides it (one process only).
"""

import os

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
REDIS_URL = os.environ.get("TEST_REDIS_URL") or f"redis://127.0.0.1:6379/{15 - int(WORKER[2:])}"
