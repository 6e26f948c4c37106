#!/usr/bin/env python3
"""Live test of the observability stack: see scripts/stackcheck/stacktest.py (or --help)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stackcheck.stacktest import main  # noqa: E402

sys.exit(main())
