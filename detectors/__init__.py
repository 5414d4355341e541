"""Detectors: pure, synchronous functions of a parsed message that report findings.

Detectors never choose actions (that is the policy's job) and never do I/O.
"""
