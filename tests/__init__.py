"""The test suite. Importing it (pytest does, before ``tests/conftest.py``) switches the garbage
collector off until the tests are collected: importing the app and some hundred test modules
makes only objects that live to the end, and the collector scanned them over and over (half a
second of each test process). ``conftest.pytest_collection_finish`` switches it back on (the
xdist controller, which collects nothing, at session start)."""

import gc

gc.disable()
