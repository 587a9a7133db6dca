"""Benchmarks: ratios against a baseline measured in the same run (see bench/README.md).

Not tests: no file here is named test_*, and pytest's testpaths leave this folder out.
"""
