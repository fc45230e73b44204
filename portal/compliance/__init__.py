"""Compliance rules that need no database: which dates a requirement is expected, and when a register is overdue."""
