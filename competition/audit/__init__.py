"""The append-only, tamper-evident audit trail: records, the chain check, its pages and commands."""
