"""The web side: the admin/DSL/auditor console, and the sender's confirm pages."""
