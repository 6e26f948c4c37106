#!/usr/bin/env python3
"""Offline checks of the stack, one per call: see scripts/stackcheck/static.py (or run without arguments)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stackcheck.static import main  # noqa: E402

sys.exit(main())
