#!/usr/bin/env python3
"""Runs every Grafana dashboard query against real servers: see scripts/stackcheck/dashboard_queries.py (or --help)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stackcheck.dashboard_queries import main  # noqa: E402

sys.exit(main())
