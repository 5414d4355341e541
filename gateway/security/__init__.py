"""Secrets and passwords: key files, argon2 hashing."""
