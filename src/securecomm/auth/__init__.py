"""Agencies (by ORI), their roles, and what each role may do."""
