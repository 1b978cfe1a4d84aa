"""The fault-injection run (tests/faults.py) in every test run, at the counts of its
committed result file (tests/faults_results.md): ~30 s. Its own asserts check every run
after a kill, a full disk or a shared-cache kill; this checks the damaged caches."""

from __future__ import annotations

from faults import report, run_all, wrong_answers


def test_faults() -> None:
    results = run_all(corruption_count=1000, kill_count=20, seed=0)
    assert wrong_answers(results) == 0, report(results, "")
    corrupted = sum(c["runs"] for c in results["corruptions"].values())
    assert corrupted == 1000
    assert results["kills"]["killed"] == 20
