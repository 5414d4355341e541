"""Rules and the decision they make on a scan's findings."""
