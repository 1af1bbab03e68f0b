"""Offence catalogue (NCIC codes) and priority schemes per policy era, as data."""
