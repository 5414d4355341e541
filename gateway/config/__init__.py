"""The configuration file: its schema, validation and defaults."""
