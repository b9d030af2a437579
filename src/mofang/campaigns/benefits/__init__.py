"""Benefits (权益): definitions, stock and budget, issue and redemption ledger, reconciliation."""
