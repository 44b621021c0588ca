"""Hypothesis profiles for the property-based fuzz tests (issue 11).

Three profiles, registered here and loaded unless ``--hypothesis-profile`` (or Hypothesis's own
``HYPOTHESIS_PROFILE`` handling) already picked one:

* ``authmw-fuzz``: the everyday profile, a few hundred examples per property, random seeds;
* ``authmw-fuzz-ci``: the same budget with ``derandomize=True``, loaded when ``CI=true`` so a
  CI run is reproducible (same examples on every run, no example database);
* ``authmw-fuzz-long``: for a deliberate long hunt, e.g.
  ``pytest tests/fuzz --hypothesis-profile=authmw-fuzz-long``.

Tests scale ``max_examples`` relative to the profile with ``tests.fuzz.common.budget``, so
the cheap pure-function properties get more examples than the ones that go through WSGI.
Hypothesis keeps its files (example database, caches) under ``.pytest_cache/hypothesis``,
which git already ignores, instead of a ``.hypothesis`` folder at the repository root.
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir

ROOT = Path(__file__).resolve().parents[2]
set_hypothesis_home_dir(str(ROOT / ".pytest_cache" / "hypothesis"))

_COMMON = {
    "deadline": None,  # a shared 2-core machine: timing is asserted only where it is the point
    "print_blob": True,  # a failure prints the @reproduce_failure line
    "suppress_health_check": [HealthCheck.too_slow],
}
settings.register_profile("authmw-fuzz", max_examples=200, **_COMMON)
settings.register_profile("authmw-fuzz-ci", max_examples=200, derandomize=True, **_COMMON)
settings.register_profile("authmw-fuzz-long", max_examples=20_000, **_COMMON)

if settings.get_current_profile_name() == "default":
    ci = os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")
    settings.load_profile("authmw-fuzz-ci" if ci else "authmw-fuzz")
