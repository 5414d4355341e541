"""Held mail: the workflow, its encrypted store, links, notices, digest and housekeeping."""
