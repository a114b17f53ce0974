"""Running the same work on several database connections at the same moment.

Tests using it request the `postgres` fixture (tests/conftest.py): row locks are what they test.
"""

import threading

from django.db import connections


def at_once(work, n: int = 2) -> list:
    """Run `work(i)` in `n` threads released together; each result or exception, in order."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[i] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
