"""Tests that cross parts: War Room runner + integration + PPS simulator, faults, certificates, secrets, fuzzing."""
