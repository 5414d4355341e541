"""The database: engine and schema migrations, the journal (and its spool), the audit log."""
