"""Helpers the test folders share: no tests here (pytest collects only ``test_*.py``).

A test module imports what it needs from here or from the toolkit
(``tests.contract``), never from another test module or a conftest.
"""
